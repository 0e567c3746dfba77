"""Scratch data for the benchmarks: the desk, ~20 agents, ~2,000 customers and N tickets.

This is test-data generation, not a product code path. Tickets are bulk-inserted with
`bulk_create` (no services, no events, no messages, no notifications) so 100k of them take
seconds, and their timestamps are set explicitly so they spread over a year of history.
Call only inside a `python -m bench.ticket_list` subprocess, on a scratch database.
"""

import contextlib
import random
import string
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token

from config import maintenance
from tests.factories import make_desk
from tickets.crypto import EVM_CHAINS, Chain
from tickets.models import (
    AgentMembership,
    Category,
    Channel,
    Customer,
    Language,
    Priority,
    RoutingRule,
    SLAPolicy,
    Status,
    Tag,
    Ticket,
    new_reference,
)
from tickets.roles import AGENT, SUPERVISOR

BATCH_SIZE = 2000
CUSTOMERS = 2000

# (username, first name, last name, team slug, role). Two supervisors, eighteen agents; a few
# without a name so the API's "name falls back to the username" path is exercised too.
AGENTS = [
    ("susan", "Susan", "Meyer", "deposits-withdrawals", SUPERVISOR),
    ("dana", "Dana", "Okafor", "deposits-withdrawals", AGENT),
    ("li.wei", "Wei", "Li", "deposits-withdrawals", AGENT),
    ("marco", "Marco", "", "deposits-withdrawals", AGENT),
    ("priya", "Priya", "Natarajan", "deposits-withdrawals", AGENT),
    ("ops-night", "", "", "deposits-withdrawals", AGENT),
    ("victor", "Victor", "Hale", "account-security", SUPERVISOR),
    ("amira", "Amira", "Haddad", "account-security", AGENT),
    ("jonas", "Jonas", "Berg", "account-security", AGENT),
    ("zhang.min", "敏", "张", "account-security", AGENT),
    ("kofi", "Kofi", "Mensah", "kyc-compliance", AGENT),
    ("elena", "Elena", "Rossi", "kyc-compliance", AGENT),
    ("kyc-queue", "", "", "kyc-compliance", AGENT),
    ("tomas", "Tomás", "Novák", "api-trading", AGENT),
    ("yuki", "Yuki", "Tanaka", "api-trading", AGENT),
    ("ravi", "Ravi", "", "api-trading", AGENT),
    ("olivia", "Olivia", "Brown", "general", AGENT),
    ("sam", "Sam", "Carter", "general", AGENT),
    ("nina", "Nina", "Petrova", "general", AGENT),
    ("chen.hao", "浩", "陈", "general", AGENT),
]
SUPERVISOR_USERNAME = "susan"
AGENT_USERNAME = "dana"  # plain agent of Deposits & Withdrawals

CATEGORY_WEIGHTS = {
    Category.DEPOSIT: 22,
    Category.WITHDRAWAL: 20,
    Category.KYC: 12,
    Category.ACCOUNT: 10,
    Category.OTHER: 9,
    Category.TRADING: 8,
    Category.SECURITY: 6,
    Category.API: 4,
    Category.PROMOTIONS: 4,
    Category.DISPUTE: 3,
    Category.SUGGESTION: 2,
}
# A year of history: most tickets are done, a minority is on the agents' plate.
STATUS_WEIGHTS = {
    Status.CLOSED: 58,
    Status.RESOLVED: 20,
    Status.OPEN: 9,
    Status.PENDING_CUSTOMER: 6,
    Status.INVESTIGATING: 4,
    Status.NEW: 3,
}
PRIORITY_WEIGHTS = {Priority.NORMAL: 55, Priority.LOW: 20, Priority.HIGH: 20, Priority.URGENT: 5}
CHANNEL_WEIGHTS = {
    Channel.WEB: 40,
    Channel.EMAIL: 25,
    Channel.CHAT: 20,
    Channel.API: 5,
    Channel.SOCIAL: 5,
    Channel.AGENT: 5,
}
TAGS = [
    "vip",
    "chargeback-risk",
    "wrong-network",
    "missing-memo",
    "duplicate",
    "needs-blockchain-check",
    "kyc-resubmission",
    "phishing",
    "api-key",
    "refund",
    "escalated",
    "feedback",
]
TAG_WEIGHTS = [8, 2, 6, 4, 3, 7, 5, 2, 3, 3, 4, 2]

SUBJECTS = {
    Category.DEPOSIT: [
        "{asset} deposit not credited",
        "Deposit of {asset} still pending after 2 hours",
        "Sent {asset} on the wrong network",
        "Deposit missing memo",
    ],
    Category.WITHDRAWAL: [
        "{asset} withdrawal stuck in processing",
        "Withdrawal delayed for 6 hours",
        "Withdrawal rejected without reason",
    ],
    Category.KYC: ["KYC rejected", "Cannot upload my ID document", "Verification pending a week"],
    Category.ACCOUNT: ["Cannot log in", "Change my email address", "Account frozen"],
    Category.SECURITY: ["Unknown login from new device", "2FA lost", "Suspicious API key"],
    Category.API: ["API returns 429", "Signature invalid on order endpoint"],
    Category.TRADING: ["Order filled at a strange price", "Stop-loss did not trigger"],
    Category.PROMOTIONS: ["Airdrop reward not received", "Referral bonus missing"],
    Category.DISPUTE: ["P2P seller did not release funds", "Dispute on P2P order"],
    Category.SUGGESTION: ["Please list a new token", "Dark mode for the app"],
    Category.OTHER: ["General question", "Fee schedule question"],
}
ASSETS_BY_CHAIN = {
    Chain.BTC: ["BTC"],
    Chain.ETH: ["ETH", "USDT", "USDC"],
    Chain.TRX: ["USDT", "TRX"],
    Chain.BSC: ["BNB", "USDT"],
    Chain.SOL: ["SOL", "USDC"],
    Chain.POLYGON: ["POL", "USDT"],
    Chain.ARB: ["ETH", "USDC"],
}
CHAIN_WEIGHTS = {
    Chain.TRX: 30,
    Chain.ETH: 20,
    Chain.BSC: 15,
    Chain.BTC: 12,
    Chain.SOL: 10,
    Chain.ARB: 7,
    Chain.POLYGON: 6,
}
FIRST_NAMES = ["Alice", "Bob", "Carla", "Deniz", "Emeka", "Fatima", "Gustavo", "Hana", "Ivan"]
LAST_NAMES = ["Smith", "Kowalski", "Nguyen", "Silva", "Müller", "Kim", "Osei", "Yilmaz"]
CN_NAMES = ["王芳", "李娜", "刘洋", "陈静", "杨磊"]
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
HEX = string.hexdigits[:16]


@dataclass
class Dataset:
    supervisor_id: int
    supervisor_token: str
    agent_id: int
    agent_token: str
    txid: str  # of a deposit ticket both personas see
    tickets: int
    customers: int
    agents: int


@contextlib.contextmanager
def _explicit_timestamps() -> Iterator[None]:
    """Let bulk_create keep the created_at/updated_at we computed (a year of history)
    instead of auto_now(_add) stamping every row with the insert time. Bench process only."""
    created = Ticket._meta.get_field("created_at")
    updated = Ticket._meta.get_field("updated_at")
    saved = created.auto_now_add, updated.auto_now
    created.auto_now_add, updated.auto_now = False, False
    try:
        yield
    finally:
        created.auto_now_add, updated.auto_now = saved


def _weighted(rng: random.Random, weights: dict, k: int) -> list:
    return rng.choices(list(weights), weights=list(weights.values()), k=k)


def _txid(rng: random.Random, chain: str) -> str:
    if chain in EVM_CHAINS:
        return "0x" + "".join(rng.choices(HEX, k=64))
    if chain == Chain.SOL:
        return "".join(rng.choices(BASE58, k=88))
    return "".join(rng.choices(HEX, k=64))


def _address(rng: random.Random, chain: str) -> str:
    if chain in EVM_CHAINS:
        return "0x" + "".join(rng.choices(HEX, k=40))
    if chain == Chain.BTC:
        return "bc1q" + "".join(rng.choices("023456789acdefghjklmnpqrstuvwxyz", k=38))
    if chain == Chain.TRX:
        return "T" + "".join(rng.choices(BASE58, k=33))
    return "".join(rng.choices(BASE58, k=44))


def _make_agents() -> tuple[dict, dict]:
    """The desk's teams (as a new installation sets them up) and their agents."""
    User = get_user_model()
    desk = make_desk()
    teams = {t.slug: t for t in vars(desk).values()}
    unusable = make_password(None)  # token auth only: no password hashing cost
    users = User.objects.bulk_create(
        [
            User(
                username=username,
                email=f"{username}@desk.example.com",
                first_name=first,
                last_name=last,
                is_staff=True,
                password=unusable,
            )
            for username, first, last, _, _ in AGENTS
        ]
    )
    by_name = {u.username: u for u in User.objects.filter(username__in=[a[0] for a in AGENTS])}
    groups = {g.name: g for g in Group.objects.filter(name__in=[AGENT, SUPERVISOR])}
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=by_name[a[0]].pk, group_id=groups[a[4]].pk) for a in AGENTS]
    )
    AgentMembership.objects.bulk_create(
        [AgentMembership(team=teams[a[3]], agent=by_name[a[0]]) for a in AGENTS]
    )
    assert len(users) == len(AGENTS)
    return teams, by_name


def _make_customers(rng: random.Random) -> list[Customer]:
    customers = []
    for n in range(CUSTOMERS):
        chinese = rng.random() < 0.2
        name = (
            rng.choice(CN_NAMES)
            if chinese
            else f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        )
        customers.append(
            Customer(
                email=f"customer{n}@example.com",
                name=name if rng.random() < 0.9 else "",
                # Emailers and chat guests have no exchange UID.
                uid=str(40000000 + n) if rng.random() < 0.9 else None,
                language=Language.CHINESE if chinese else Language.ENGLISH,
            )
        )
    Customer.objects.bulk_create(customers, batch_size=BATCH_SIZE)
    return list(Customer.objects.order_by("pk"))


def build(size: int, seed: int = 20240601) -> Dataset:
    """Fill the (freshly migrated) scratch database with `size` tickets."""
    rng = random.Random(seed)
    teams, agents = _make_agents()
    customers = _make_customers(rng)
    route = dict(RoutingRule.objects.values_list("category", "team_id"))
    sla = {
        p.priority: (p.first_response_minutes, p.resolution_minutes)
        for p in SLAPolicy.objects.all()
    }
    default_sla = (240, 4320)
    general_id = teams["general"].pk
    team_members: dict[int, list[int]] = {}
    for m in AgentMembership.objects.all():
        team_members.setdefault(m.team_id, []).append(m.agent_id)

    categories = _weighted(rng, CATEGORY_WEIGHTS, size)
    statuses = _weighted(rng, STATUS_WEIGHTS, size)
    priorities = _weighted(rng, PRIORITY_WEIGHTS, size)
    channels = _weighted(rng, CHANNEL_WEIGHTS, size)
    chains = _weighted(rng, CHAIN_WEIGHTS, size)
    # A few customers write a lot, most write once or twice.
    cumulative, total = [], 0.0
    for rank in range(len(customers)):
        total += 1 / (rank + 10) ** 0.8
        cumulative.append(total)
    picks = rng.choices(customers, cum_weights=cumulative, k=size)

    now = timezone.now().replace(microsecond=0)
    start = now - timedelta(days=365)
    step = timedelta(days=365) / size
    references: set[str] = set()
    tickets: list[Ticket] = []
    last_ticket_of: dict[int, int] = {}  # customer id -> index of their latest ticket
    merge_into: dict[int, int] = {}  # ticket index -> index of the ticket it was merged into
    for i in range(size):
        category, status, priority = categories[i], statuses[i], priorities[i]
        customer = picks[i]
        reference = new_reference()
        while reference in references:
            reference = new_reference()
        references.add(reference)

        team_id = route.get(category)
        if team_id is None and status in (Status.RESOLVED, Status.CLOSED) and rng.random() < 0.7:
            team_id = general_id  # unrouted categories get triaged to General eventually
        assignee_id = None
        if team_id is not None and status != Status.NEW and rng.random() < 0.92:
            assignee_id = rng.choice(team_members[team_id])

        created = start + step * i + timedelta(seconds=rng.randint(0, 59))
        created = created.replace(microsecond=rng.randrange(1_000_000))
        first_minutes, resolution_minutes = sla.get(priority, default_sla)
        first_due = created + timedelta(minutes=first_minutes)
        resolution_due = created + timedelta(minutes=resolution_minutes)
        responded = None
        if status != Status.NEW:
            responded = created + timedelta(minutes=rng.uniform(2, first_minutes * 1.3))
        breached = first_due if responded and responded > first_due else None
        resolved = closed = None
        if status in (Status.RESOLVED, Status.CLOSED):
            resolved = created + timedelta(hours=rng.uniform(0.5, 96))
            if breached is None and resolved > resolution_due:
                breached = resolution_due
        if status == Status.CLOSED:
            closed = resolved + timedelta(days=3)
        updated = min(closed or resolved or responded or created, now)

        fields: dict[str, object] = {}
        if category in (Category.DEPOSIT, Category.WITHDRAWAL) and rng.random() < 0.85:
            chain = chains[i]
            fields = {
                "chain": chain,
                "asset": rng.choice(ASSETS_BY_CHAIN[chain]),
                "txid": _txid(rng, chain),
                "address": _address(rng, chain),
                "amount": Decimal(rng.randint(1_000, 900_000_000)).scaleb(-4),
                "transferred_at": created - timedelta(minutes=rng.randint(5, 600)),
                "memo": str(rng.randint(100000, 999999)) if rng.random() < 0.05 else "",
            }
        subject = rng.choice(SUBJECTS[category]).format(asset=fields.get("asset", "USDT"))

        if (
            status == Status.CLOSED
            and customer.pk in last_ticket_of
            and last_ticket_of[customer.pk] not in merge_into
            and rng.random() < 0.035  # a duplicate, folded into the earlier ticket
        ):
            merge_into[i] = last_ticket_of[customer.pk]
        else:
            last_ticket_of[customer.pk] = i

        tickets.append(
            Ticket(
                reference=reference,
                subject=subject,
                category=category,
                status=status,
                priority=priority,
                channel=channels[i],
                customer_id=customer.pk,
                team_id=team_id,
                assignee_id=assignee_id,
                uid=(customer.uid or "") if fields or rng.random() < 0.3 else "",
                security_review=rng.random() < 0.005,
                first_response_due=first_due,
                resolution_due=resolution_due,
                first_responded_at=responded,
                sla_breached_at=breached,
                resolved_at=resolved,
                closed_at=closed,
                created_at=created,
                updated_at=updated,
                **fields,
            )
        )

    # Test-data generation only: bulk_create skips the services (routing, SLA, events,
    # notifications) that a real ticket goes through, which is the point here: speed.
    with _explicit_timestamps():
        Ticket.objects.bulk_create(tickets, batch_size=BATCH_SIZE)
    assert all(t.pk is not None for t in tickets), "backend did not return bulk-insert ids"

    merged = []
    for i, j in merge_into.items():
        tickets[i].merged_into_id = tickets[j].pk
        merged.append(tickets[i])
    Ticket.objects.bulk_update(merged, ["merged_into"], batch_size=500)

    tags = Tag.objects.bulk_create([Tag(name=name) for name in TAGS])
    tag_ids = [t.pk for t in tags]
    through = Ticket.tags.through
    links = []
    for ticket in tickets:
        if rng.random() < 0.3:
            chosen = set(rng.choices(tag_ids, weights=TAG_WEIGHTS, k=rng.randint(1, 3)))
            links.extend(through(ticket_id=ticket.pk, tag_id=tag_id) for tag_id in chosen)
    through.objects.bulk_create(links, batch_size=BATCH_SIZE)

    # Planner statistics, as a production desk has them: autovacuum would have analysed a
    # table this size within a minute on PostgreSQL; on SQLite the hourly
    # `refresh-query-statistics` job does it.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        maintenance.refresh_query_statistics()

    supervisor, agent = agents[SUPERVISOR_USERNAME], agents[AGENT_USERNAME]
    deposits = [
        t
        for t in tickets
        if t.category == Category.DEPOSIT and t.txid and t.team_id == route[Category.DEPOSIT]
    ]
    return Dataset(
        supervisor_id=supervisor.pk,
        supervisor_token=Token.objects.create(user=supervisor).key,
        agent_id=agent.pk,
        agent_token=Token.objects.create(user=agent).key,
        txid=deposits[len(deposits) // 2].txid,
        tickets=size,
        customers=len(customers),
        agents=len(agents),
    )
