"""`manage.py seed_demo`: the demo desk `make run` loads on first start."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from tickets import crypto, services
from tickets.management.commands.seed_demo import CUSTOMER_PASSWORD, demo_recovery_phrase
from tickets.models import (
    AgentMembership,
    Category,
    Channel,
    Customer,
    Language,
    Message,
    RoutingRule,
    Status,
    Team,
    Ticket,
    TicketEvent,
)
from tickets.roles import AGENT, KB_EDITOR, SUPERVISOR

User = get_user_model()


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker):
    """Seed once for the whole module (it takes a second) and roll it all back afterwards.

    Each test still runs in its own savepoint (`db`), so what one test changes does not
    leak into the next.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed("--force")
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeded_once, db) -> str:
    return _seeded_once


def snapshot() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            User,
            Customer,
            Team,
            AgentMembership,
            RoutingRule,
            Ticket,
            Message,
            TicketEvent,
        )
    }


@pytest.mark.django_db
def test_refuses_without_force_when_debug_is_off(settings):
    settings.DEBUG = False
    before = snapshot()
    with pytest.raises(CommandError, match="DEBUG is off"):
        seed()
    assert snapshot() == before


def test_second_run_changes_nothing(seeded, settings):
    settings.DEBUG = True  # no --force needed in development
    before = snapshot()
    assert "already loaded" in seed()
    assert "already loaded" in seed("--force")
    assert snapshot() == before


def test_tickets_span_categories_statuses_channels_and_languages(seeded):
    tickets = Ticket.objects.all()
    assert tickets.count() >= 30
    assert set(tickets.values_list("category", flat=True)) == set(Category.values)
    assert len(set(tickets.values_list("status", flat=True))) >= 5
    assert {
        Status.OPEN,
        Status.PENDING_CUSTOMER,
        Status.INVESTIGATING,
        Status.RESOLVED,
        Status.CLOSED,
    } <= set(tickets.values_list("status", flat=True))
    assert {Channel.WEB, Channel.API, Channel.EMAIL, Channel.CHAT, Channel.SOCIAL} <= set(
        tickets.values_list("channel", flat=True)
    )
    assert set(tickets.values_list("customer__language", flat=True)) == set(Language.values)
    assert not tickets.filter(team__isnull=True).exists()
    assert not tickets.filter(assignee__isnull=True).exists()
    assert "Demo data loaded" in seeded
    assert "admin" in seeded and CUSTOMER_PASSWORD in seeded


def test_every_category_is_routed(seeded):
    routed = dict(RoutingRule.objects.values_list("category", "team__slug"))
    assert set(routed) == set(Category.values)
    assert routed[Category.DEPOSIT] == routed[Category.WITHDRAWAL] == "deposits-withdrawals"
    assert routed[Category.SECURITY] == routed[Category.ACCOUNT] == "account-security"
    assert routed[Category.KYC] == "kyc-compliance"
    assert routed[Category.API] == routed[Category.TRADING] == "api-trading"
    for category in (Category.PROMOTIONS, Category.SUGGESTION, Category.DISPUTE, Category.OTHER):
        assert routed[category] == "general"


def test_demo_staff_have_their_roles(seeded):
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.check_password("admin")

    for username in ("agent1", "agent2", "agent3"):
        agent = User.objects.get(username=username)
        assert agent.is_staff and not agent.is_superuser
        assert agent.check_password("agent")
        assert list(agent.groups.values_list("name", flat=True)) == [AGENT]
        assert agent.last_name
    assert User.objects.filter(username__startswith="agent", first_name="Wei").exists()
    for team in Team.objects.all():
        assert AgentMembership.objects.filter(
            team=team, agent__groups__name=AGENT, is_available=True
        ).exists(), f"{team} has no agent"

    supervisor = User.objects.get(username="supervisor")
    assert supervisor.check_password("supervisor")
    assert list(supervisor.groups.values_list("name", flat=True)) == [SUPERVISOR]
    assert set(supervisor.support_teams.all()) == set(Team.objects.all())

    editor = User.objects.get(username="editor")
    assert editor.is_staff and editor.check_password("editor")
    assert list(editor.groups.values_list("name", flat=True)) == [KB_EDITOR]
    assert not editor.support_teams.exists()


def test_customers_with_and_without_logins(seeded):
    customers = Customer.objects.all()
    assert 6 <= customers.count() <= 8
    with_login = customers.filter(user__isnull=False)
    assert with_login.exists() and customers.filter(user__isnull=True).exists()
    for customer in with_login:
        assert customer.user.check_password(CUSTOMER_PASSWORD)
        assert not customer.user.is_staff
    assert customers.exclude(uid=None).count() >= 6
    assert all(c.uid.isdigit() for c in customers.exclude(uid=None))
    assert customers.exclude(anti_phishing_code="").exists()
    assert customers.exclude(social_handles={}).count() >= 2


def test_blockchain_fields_are_valid(seeded):
    with_txid = Ticket.objects.exclude(txid="")
    with_address = Ticket.objects.exclude(address="")
    assert with_txid.count() >= 5 and with_address.count() >= 5
    for ticket in with_txid:
        assert crypto.normalize_txid(ticket.chain, ticket.txid) == ticket.txid
    for ticket in with_address:
        assert crypto.normalize_address(ticket.chain, ticket.address) == ticket.address
    assert {"BTC", "ETH", "TRX", "BSC", "SOL"} <= set(with_txid.values_list("chain", flat=True))


def test_worked_tickets_show_the_desk_features(seeded):
    assert Message.objects.filter(internal=True).exists()
    assert Message.objects.filter(internal=False, author__is_staff=True).exists()

    # The recovery phrase was removed before it was stored, and the ticket flagged.
    flagged = Ticket.objects.get(security_review=True)
    assert flagged.messages.filter(body__contains="[removed: recovery phrase]").exists()
    phrase = demo_recovery_phrase()
    assert len(phrase.split()) == 12
    assert not Message.objects.filter(body__contains=phrase.split()[0] + " " + phrase.split()[1])
    assert Ticket.objects.filter(security_review=True).count() == 1

    merged = Ticket.objects.get(merged_into__isnull=False)
    assert merged.customer_id == merged.merged_into.customer_id
    assert merged.status == Status.CLOSED

    assert TicketEvent.objects.filter(field="priority").exists()
    assert TicketEvent.objects.filter(field="assignee", actor__isnull=False).exists()
    assert TicketEvent.objects.filter(action="reopened").exists()

    # A few tickets are old enough to breach their SLA when the sweep runs.
    breached = services.sla_sweep()
    assert 0 < len(breached) <= 8
