"""Every write to the ticket desk goes through these functions.

The web form, the REST API, the agent console, live chat, mail intake and social media all
call the same services, so a rule (secret shield, routing, SLA, audit) holds whichever way
a customer reaches us. Each service takes the acting user (None for the system and for
anonymous customers), writes its own audit events and sends side effects only after commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from tickets import crypto, notifications
from tickets.attachments import CheckedUpload, check_uploads
from tickets.models import (
    ACTIVE_STATUSES,
    PRIORITY_ORDER,
    AgentMembership,
    Attachment,
    AuthorKind,
    Category,
    Channel,
    Customer,
    EventAction,
    Language,
    Message,
    Priority,
    RoutingRule,
    SatisfactionRating,
    SLAPolicy,
    Status,
    Tag,
    Team,
    Ticket,
    TicketEvent,
)
from tickets.secret_shield import ShieldResult, redact_secrets

logger = logging.getLogger(__name__)

User = AbstractBaseUser

# Agents move tickets along these edges. Nobody moves a ticket back to "new", and a closed
# ticket reopens only when its customer writes again (see `message_create`).
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset(
        {Status.OPEN, Status.PENDING_CUSTOMER, Status.INVESTIGATING, Status.RESOLVED, Status.CLOSED}
    ),
    Status.OPEN: frozenset(
        {Status.PENDING_CUSTOMER, Status.INVESTIGATING, Status.RESOLVED, Status.CLOSED}
    ),
    Status.PENDING_CUSTOMER: frozenset(
        {Status.OPEN, Status.INVESTIGATING, Status.RESOLVED, Status.CLOSED}
    ),
    Status.INVESTIGATING: frozenset(
        {Status.OPEN, Status.PENDING_CUSTOMER, Status.RESOLVED, Status.CLOSED}
    ),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}

# Cases where money can leave the customer's account right now.
URGENT_CATEGORIES = frozenset({Category.SECURITY})

DEFAULT_SLA_MINUTES: dict[str, tuple[int, int]] = {
    Priority.URGENT: (15, 4 * 60),
    Priority.HIGH: (60, 24 * 60),
    Priority.NORMAL: (4 * 60, 48 * 60),
    Priority.LOW: (24 * 60, 5 * 24 * 60),
}

SHIELD_NOTICE = {
    Language.ENGLISH: (
        "For your safety we removed what looked like a {kinds} from your message before "
        "saving it. Never share your recovery phrase, private keys or API secrets with "
        "anyone, including our staff: we will never ask for them. If you have shared them "
        "anywhere, move your funds to a new wallet and delete the API key now. Our "
        "security team has been alerted to your ticket."
    ),
    Language.CHINESE: (
        "为保护您的资产安全，我们在保存前已从您的消息中删除了疑似{kinds}的内容。"
        "请勿向任何人（包括我们的工作人员）透露您的助记词、私钥或 API 密钥，我们绝不会向您索要。"
        "如果您已在别处泄露，请立即将资产转移到新钱包并删除该 API 密钥。安全团队已收到提醒。"
    ),
}
SHIELD_KIND_LABELS = {
    Language.ENGLISH: {
        "seed_phrase": "recovery phrase",
        "private_key": "private key",
        "extended_private_key": "extended private key",
        "api_secret": "API secret",
    },
    Language.CHINESE: {
        "seed_phrase": "助记词",
        "private_key": "私钥",
        "extended_private_key": "扩展私钥",
        "api_secret": "API 密钥",
    },
}


# --- small helpers ---------------------------------------------------------------------------


def _record(
    ticket: Ticket,
    action: str,
    actor: User | None,
    field: str = "",
    before: Any = None,
    after: Any = None,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        field=field,
        before=TicketEvent.as_value(before),
        after=TicketEvent.as_value(after),
    )


def _locked(ticket: Ticket) -> Ticket:
    """Re-read the ticket under a row lock so concurrent writers apply changes in turn."""
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _sla_due(priority: str, start: datetime) -> tuple[datetime, datetime]:
    policy = SLAPolicy.objects.filter(priority=priority).first()
    if policy is not None:
        first, resolution = policy.first_response_minutes, policy.resolution_minutes
    else:
        first, resolution = DEFAULT_SLA_MINUTES[priority]
    return start + timedelta(minutes=first), start + timedelta(minutes=resolution)


def _shield(text: str, known_txids: Iterable[str] = ()) -> ShieldResult:
    return redact_secrets(text, known_txids=tuple(t for t in known_txids if t))


def _shield_notice(language: str, findings: Sequence[str]) -> str:
    labels = SHIELD_KIND_LABELS.get(language, SHIELD_KIND_LABELS[Language.ENGLISH])
    separator = "、" if language == Language.CHINESE else " / "
    kinds = separator.join(labels[f] for f in findings)
    return SHIELD_NOTICE.get(language, SHIELD_NOTICE[Language.ENGLISH]).format(kinds=kinds)


def _store_attachments(message: Message, uploads: Sequence[CheckedUpload]) -> None:
    for upload in uploads:
        attachment = Attachment(
            message=message,
            original_name=upload.name,
            content_type=upload.content_type,
            size=upload.size,
            sha256=upload.sha256,
        )
        # If the transaction rolls back after this, an orphan file stays on disk but no
        # record points at it; `attachments_prune` would be the place to sweep them.
        attachment.file.save(upload.name, upload.file, save=False)
        attachment.save()


# --- customers -------------------------------------------------------------------------------


def _normalize_email(email: str) -> str:
    return get_user_model().objects.normalize_email((email or "").strip()).lower()


@transaction.atomic
def customer_get_or_create(
    *,
    email: str,
    name: str = "",
    uid: str | None = None,
    language: str | None = None,
) -> Customer:
    """Find the customer by email (or UID), creating the record on first contact."""
    email = _normalize_email(email)
    if not email:
        raise ValidationError({"email": ["An email address is required."]})
    customer = Customer.objects.filter(email=email).first()
    if customer is None and uid:
        customer = Customer.objects.filter(uid=uid).first()
    if customer is not None:
        return customer
    customer = Customer(
        email=email, name=name.strip()[:150], uid=uid or None, language=language or Language.ENGLISH
    )
    customer.full_clean()
    customer.save()
    return customer


@transaction.atomic
def customer_register(
    *, email: str, password: str, name: str = "", language: str = Language.ENGLISH
) -> Customer:
    """Self-service sign-up: a login account plus its customer record."""
    user_model = get_user_model()
    email = _normalize_email(email)
    errors: dict[str, list[str]] = {}
    if user_model.objects.filter(Q(username=email) | Q(email=email)).exists() or (
        Customer.objects.filter(email=email, user__isnull=False).exists()
    ):
        errors["email"] = ["An account with this email address already exists."]
    if language not in Language.values:
        errors["language"] = [f"Choose one of: {', '.join(Language.values)}."]
    candidate = user_model(username=email, email=email, first_name=name[:150])
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    user = user_model.objects.create_user(
        username=email, email=email, password=password, first_name=name[:150]
    )
    # Someone who wrote to us before signing up keeps their history.
    customer = Customer.objects.filter(email=email, user__isnull=True).first()
    if customer is None:
        customer = Customer(email=email)
    customer.user = user
    customer.name = customer.name or name[:150]
    customer.language = language
    customer.full_clean()
    customer.save()
    return customer


@transaction.atomic
def customer_update_profile(
    *,
    customer: Customer,
    name: str | None = None,
    language: str | None = None,
    anti_phishing_code: str | None = None,
) -> Customer:
    errors: dict[str, list[str]] = {}
    if language is not None:
        if language not in Language.values:
            errors["language"] = [f"Choose one of: {', '.join(Language.values)}."]
        customer.language = language
    if anti_phishing_code is not None:
        code = anti_phishing_code.strip()
        if code and not (4 <= len(code) <= 20 and code.replace("-", "").replace("_", "").isalnum()):
            errors["anti_phishing_code"] = ["Use 4 to 20 letters, digits, - or _ (no spaces)."]
        customer.anti_phishing_code = code
    if name is not None:
        customer.name = name.strip()[:150]
    if errors:
        raise ValidationError(errors)
    customer.save(update_fields=["name", "language", "anti_phishing_code"])
    return customer


@transaction.atomic
def customer_sign_on(*, uid: str, email: str, name: str = "") -> Customer:
    """The customer the exchange vouched for (single sign-on), with a login account.

    The exchange's UID is authoritative: it finds the customer even if their email changed
    on the exchange, and an email already tied to another UID is refused rather than merged.
    """
    user_model = get_user_model()
    email = _normalize_email(email)
    if not uid.isdigit():
        raise ValidationError({"uid": ["The exchange UID is made of digits only."]})
    customer = Customer.objects.select_for_update().filter(uid=uid).first()
    if customer is None:
        customer = Customer.objects.select_for_update().filter(email=email).first()
        if customer is not None and customer.uid and customer.uid != uid:
            raise ValidationError({"email": ["This email belongs to another exchange account."]})
    if customer is None:
        customer = Customer(email=email, name=name[:150], uid=uid)
        customer.full_clean()
        customer.save()
    fields = []
    if customer.uid != uid:
        customer.uid = uid
        fields.append("uid")
    if name and not customer.name:
        customer.name = name[:150]
        fields.append("name")
    if customer.user is None:
        user = user_model.objects.filter(username=f"uid-{uid}").first() or (
            user_model.objects.create_user(username=f"uid-{uid}", email=customer.email)
        )
        # No password: this account signs in only through the exchange.
        user.set_unusable_password()
        user.save(update_fields=["password"])
        customer.user = user
        fields.append("user")
    if fields:
        customer.save(update_fields=fields)
    return customer


# --- routing ---------------------------------------------------------------------------------


def route_team(category: str) -> Team | None:
    rule = RoutingRule.objects.select_related("team").filter(category=category).first()
    if rule is not None:
        return rule.team
    fallback = RoutingRule.objects.select_related("team").filter(category=Category.OTHER).first()
    return fallback.team if fallback else None


def least_loaded_agent(team: Team) -> User | None:
    """The available member of `team` with the fewest active tickets (oldest account on ties)."""
    return (
        get_user_model()
        .objects.filter(
            agentmembership__team=team,
            agentmembership__is_available=True,
            is_active=True,
            is_staff=True,
        )
        .annotate(
            load=Count(
                "assigned_tickets",
                filter=Q(assigned_tickets__status__in=ACTIVE_STATUSES),
            )
        )
        .order_by("load", "date_joined", "pk")
        .first()
    )


def _assign_within_team(team: Team | None) -> User | None:
    if team is None:
        return None
    # Two tickets routed at the same moment would both see the same agent as least loaded;
    # locking the team row makes routing into one team take turns.
    Team.objects.select_for_update().filter(pk=team.pk).first()
    return least_loaded_agent(team)


# --- tickets ---------------------------------------------------------------------------------


def _clean_transfer_fields(
    *,
    uid: str,
    asset: str,
    chain: str,
    txid: str,
    address: str,
    memo: str,
    amount: Decimal | str | None,
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {
        "uid": (uid or "").strip(),
        "memo": (memo or "").strip(),
        "asset": "",
        "chain": (chain or "").strip().upper(),
        "txid": "",
        "address": "",
        "amount": None,
    }
    if cleaned["uid"] and not cleaned["uid"].isdigit():
        errors["uid"] = ["An exchange UID is made of digits only."]
    if len(cleaned["memo"]) > 128:
        errors["memo"] = ["A memo / tag is at most 128 characters."]
    if asset:
        try:
            cleaned["asset"] = crypto.normalize_asset(asset)
        except ValidationError as exc:
            errors["asset"] = exc.messages
    if cleaned["chain"] and cleaned["chain"] not in crypto.Chain.values:
        errors["chain"] = [f"Unknown network. Choose one of: {', '.join(crypto.Chain.values)}."]
    for field, value, normalize in (
        ("txid", txid, crypto.normalize_txid),
        ("address", address, crypto.normalize_address),
    ):
        if not value or not value.strip():
            continue
        if not cleaned["chain"]:
            errors.setdefault("chain", []).append(
                "Choose the network so we can check the transaction ID and address."
            )
            continue
        if "chain" in errors:
            continue
        try:
            cleaned[field] = normalize(cleaned["chain"], value)
        except ValidationError as exc:
            errors[field] = exc.messages
    if amount not in (None, ""):
        try:
            value = Decimal(str(amount))
            if not value.is_finite() or value <= 0:
                raise InvalidOperation
            if value.as_tuple().exponent < -18 or value.adjusted() >= 20:
                raise InvalidOperation
            cleaned["amount"] = value
        except InvalidOperation:
            errors["amount"] = ["Enter a positive amount with at most 18 decimal places."]
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def ticket_create(
    *,
    customer: Customer,
    subject: str,
    body: str,
    category: str,
    channel: str,
    acting_user: User | None = None,
    attachments: Sequence[File] = (),
    uid: str = "",
    asset: str = "",
    chain: str = "",
    txid: str = "",
    address: str = "",
    memo: str = "",
    amount: Decimal | str | None = None,
    transferred_at: datetime | None = None,
    priority: str | None = None,
    tags: Iterable[str] = (),
    details: dict[str, str] | None = None,
    email_message_id: str = "",
) -> Ticket:
    """Open a ticket for `customer` with their first message. Every channel comes here."""
    errors: dict[str, list[str]] = {}
    subject = (subject or "").strip()
    body = (body or "").strip()
    if not subject:
        errors["subject"] = ["Tell us in a few words what happened."]
    elif len(subject) > 200:
        errors["subject"] = ["Keep the subject under 200 characters."]
    if not body:
        errors["body"] = ["Describe the problem so the team can help."]
    if category not in Category.values:
        errors["category"] = [f"Unknown category. Choose one of: {', '.join(Category.values)}."]
    if channel not in Channel.values:
        errors["channel"] = [f"Unknown channel. Choose one of: {', '.join(Channel.values)}."]
    if priority is not None and priority not in Priority.values:
        errors["priority"] = [f"Choose one of: {', '.join(Priority.values)}."]
    if transferred_at is not None and transferred_at > timezone.now() + timedelta(minutes=5):
        errors["transferred_at"] = ["The time of the transfer cannot be in the future."]
    try:
        transfer = _clean_transfer_fields(
            uid=uid or customer.uid or "",
            asset=asset,
            chain=chain,
            txid=txid,
            address=address,
            memo=memo,
            amount=amount,
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
        transfer = {}
    try:
        uploads = check_uploads(list(attachments))
    except ValidationError as exc:
        errors["attachments"] = exc.messages
    if errors:
        raise ValidationError(errors)

    # Secrets are removed before anything is stored or logged.
    subject_shield = _shield(subject, [transfer["txid"]])
    body_shield = _shield(body, [transfer["txid"]])
    shielded_details = {
        str(key)[:50]: _shield(str(value)[:2000], [transfer["txid"]])
        for key, value in (details or {}).items()
        if value not in (None, "")
    }
    findings = tuple(
        dict.fromkeys(
            subject_shield.findings
            + body_shield.findings
            + tuple(f for result in shielded_details.values() for f in result.findings)
        )
    )

    if priority is None:
        priority = Priority.URGENT if category in URGENT_CATEGORIES or findings else Priority.NORMAL
    team = route_team(category)
    assignee = _assign_within_team(team)
    now = timezone.now()
    first_response_due, resolution_due = _sla_due(priority, now)

    ticket = Ticket(
        subject=subject_shield.text[:200],
        category=category,
        channel=channel,
        priority=priority,
        customer=customer,
        team=team,
        assignee=assignee,
        security_review=bool(findings),
        details={key: result.text for key, result in shielded_details.items()},
        first_response_due=first_response_due,
        resolution_due=resolution_due,
        transferred_at=transferred_at,
        **transfer,
    )
    # The reference is random; a collision is astronomically rare but must not lose the ticket.
    for attempt in range(5):
        try:
            with transaction.atomic():
                ticket.save()
            break
        except IntegrityError:
            if attempt == 4 or Ticket.objects.filter(reference=ticket.reference).count() == 0:
                raise
            ticket.reference = Ticket._meta.get_field("reference").default()
    if tags:
        ticket.tags.set(_tags(tags))
    _record(ticket, EventAction.CREATED, acting_user, after=ticket.reference)
    if assignee is not None:
        _record(ticket, EventAction.ASSIGNED, None, "assignee", None, assignee)

    message = Message.objects.create(
        ticket=ticket,
        author_kind=AuthorKind.CUSTOMER,
        author=customer.user,
        body=body_shield.text,
        channel=channel,
        email_message_id=email_message_id,
    )
    _store_attachments(message, uploads)
    if findings:
        _after_secret_found(ticket, findings)
    transaction.on_commit(lambda: notifications.ticket_received(ticket.pk))
    logger.info("ticket %s created via %s in %s", ticket.reference, channel, category)
    return ticket


def _after_secret_found(ticket: Ticket, findings: Sequence[str]) -> None:
    _record(ticket, EventAction.SECRET_REDACTED, None, after=list(findings))
    Message.objects.create(
        ticket=ticket,
        author_kind=AuthorKind.SYSTEM,
        body=_shield_notice(ticket.customer.language, findings),
        channel=ticket.channel,
    )
    if not ticket.security_review:
        ticket.security_review = True
        ticket.save(update_fields=["security_review", "updated_at"])


def _tags(names: Iterable[str]) -> list[Tag]:
    tags = []
    for raw in names:
        name = raw.strip().lower().replace(" ", "-")[:50]
        if name:
            tags.append(Tag.objects.get_or_create(name=name)[0])
    return tags


@transaction.atomic
def message_create(
    *,
    ticket: Ticket,
    body: str,
    author_kind: str,
    channel: str,
    acting_user: User | None = None,
    internal: bool = False,
    attachments: Sequence[File] = (),
    new_status: str | None = None,
    email_message_id: str = "",
) -> Message:
    """Add a message to a ticket's conversation.

    A customer writing again moves the ticket back to the agents (and reopens a resolved or
    recently closed one); an agent's first public reply stops the first-response clock and
    is emailed to the customer.
    """
    body = (body or "").strip()
    errors: dict[str, list[str]] = {}
    if not body:
        errors["body"] = ["Write a message."]
    if author_kind not in AuthorKind.values:
        errors["author_kind"] = ["Unknown author."]
    if internal and author_kind != AuthorKind.AGENT:
        errors["internal"] = ["Only agents write internal notes."]
    if new_status is not None and author_kind != AuthorKind.AGENT:
        errors["status"] = ["Only agents change a ticket's status."]
    try:
        uploads = check_uploads(list(attachments))
    except ValidationError as exc:
        errors["attachments"] = exc.messages
    if errors:
        raise ValidationError(errors)

    ticket = _locked(ticket)
    # Writing to a merged ticket continues the conversation on the one that survived.
    while ticket.merged_into_id is not None:
        ticket = Ticket.objects.select_for_update().get(pk=ticket.merged_into_id)

    now = timezone.now()
    if author_kind == AuthorKind.CUSTOMER:
        _customer_wrote(ticket, acting_user, now)

    # The shield guards what customers send in; agents' and system text is ours.
    if author_kind == AuthorKind.CUSTOMER:
        shield = _shield(body, [ticket.txid])
    else:
        shield = ShieldResult(text=body, findings=())
    message = Message.objects.create(
        ticket=ticket,
        author_kind=author_kind,
        author=acting_user if acting_user is not None and acting_user.is_authenticated else None,
        body=shield.text,
        internal=internal,
        channel=channel,
        email_message_id=email_message_id,
    )
    _store_attachments(message, uploads)
    _record(
        ticket,
        EventAction.NOTE_ADDED if internal else EventAction.MESSAGE_ADDED,
        acting_user,
        after={"message": message.pk, "author_kind": author_kind},
    )
    if shield.found:
        _after_secret_found(ticket, shield.findings)

    if author_kind == AuthorKind.AGENT and not internal:
        if ticket.first_responded_at is None:
            ticket.first_responded_at = now
            ticket.save(update_fields=["first_responded_at", "updated_at"])
        if new_status is None and ticket.status == Status.NEW:
            new_status = Status.OPEN
        transaction.on_commit(lambda: notifications.agent_replied(message.pk))
    if new_status is not None and new_status != ticket.status:
        _change_status(ticket, new_status, acting_user, now)
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)
    return message


def can_reopen(ticket: Ticket, now: datetime | None = None) -> bool:
    """Whether the customer writing again would reopen this closed ticket."""
    now = now or timezone.now()
    return ticket.closed_at is not None and now - ticket.closed_at <= settings.TICKET_REOPEN_WINDOW


def _customer_wrote(ticket: Ticket, acting_user: User | None, now: datetime) -> None:
    if ticket.status == Status.CLOSED:
        window = settings.TICKET_REOPEN_WINDOW
        if not can_reopen(ticket, now):
            raise ValidationError(
                {
                    "body": [
                        f"Ticket {ticket.reference} was closed more than {window.days} days "
                        "ago. Please open a new ticket."
                    ]
                },
                code="ticket_closed",
            )
    if ticket.status in (Status.CLOSED, Status.RESOLVED, Status.PENDING_CUSTOMER):
        before = ticket.status
        _apply_status(ticket, Status.OPEN, now)
        action = EventAction.REOPENED if before != Status.PENDING_CUSTOMER else EventAction.CHANGED
        _record(ticket, action, acting_user, "status", before, Status.OPEN)


def _apply_status(ticket: Ticket, status: str, now: datetime) -> None:
    """Set the status with the timestamps that go with it, and save.

    While a ticket waits for the customer the resolution clock stands still: entering
    "waiting for customer" notes the time, leaving it moves the resolution due time on by
    the time spent waiting. A team must not be escalated for a customer's silence.
    """
    fields = ["status", "updated_at"]
    if ticket.status == Status.PENDING_CUSTOMER and ticket.sla_paused_at is not None:
        if ticket.resolution_due is not None:
            ticket.resolution_due += now - ticket.sla_paused_at
            fields.append("resolution_due")
        ticket.sla_paused_at = None
        fields.append("sla_paused_at")
    if status == Status.PENDING_CUSTOMER:
        ticket.sla_paused_at = now
        fields.append("sla_paused_at")
    ticket.status = status
    if status == Status.RESOLVED:
        ticket.resolved_at = now
    elif status != Status.CLOSED:  # closing keeps the time it was resolved, if it was
        ticket.resolved_at = None
    ticket.closed_at = now if status == Status.CLOSED else None
    fields += ["resolved_at", "closed_at"]
    ticket.save(update_fields=list(dict.fromkeys(fields)))


def _change_status(ticket: Ticket, status: str, acting_user: User | None, now: datetime) -> None:
    if status not in Status.values:
        raise ValidationError(
            {"status": [f"Unknown status. Choose one of: {', '.join(Status.values)}."]}
        )
    if status not in STATUS_TRANSITIONS[ticket.status]:
        raise ValidationError(
            {
                "status": [
                    f"A {Status(ticket.status).label.lower()} ticket cannot be moved to "
                    f"{Status(status).label.lower()}."
                    + (
                        " It reopens when the customer writes again."
                        if ticket.status == Status.CLOSED
                        else ""
                    )
                ]
            },
            code="invalid_transition",
        )
    before = ticket.status
    _apply_status(ticket, status, now)
    _record(ticket, EventAction.CHANGED, acting_user, "status", before, status)
    if status == Status.RESOLVED:
        transaction.on_commit(lambda: notifications.ticket_resolved(ticket.pk))


_UNSET: Any = object()


@transaction.atomic
def ticket_update(
    *,
    ticket: Ticket,
    acting_user: User | None,
    status: str = _UNSET,
    priority: str = _UNSET,
    team: Team | None = _UNSET,
    assignee: User | None = _UNSET,
    tags: Iterable[str] = _UNSET,
) -> Ticket:
    """Change what agents may change, each change audited. Unnamed fields stay as they are."""
    ticket = _locked(ticket)
    now = timezone.now()
    if priority is not _UNSET and priority != ticket.priority:
        if priority not in Priority.values:
            raise ValidationError({"priority": [f"Choose one of: {', '.join(Priority.values)}."]})
        before = ticket.priority
        ticket.priority = priority
        # The promise follows the new priority, counted from when the customer asked.
        ticket.first_response_due, ticket.resolution_due = _sla_due(priority, ticket.created_at)
        ticket.save(
            update_fields=["priority", "first_response_due", "resolution_due", "updated_at"]
        )
        _record(ticket, EventAction.CHANGED, acting_user, "priority", before, priority)
    if team is not _UNSET and team != ticket.team:
        before_team = ticket.team
        ticket.team = team
        ticket.save(update_fields=["team", "updated_at"])
        _record(ticket, EventAction.CHANGED, acting_user, "team", before_team, team)
        stays = (
            ticket.assignee_id is not None
            and team is not None
            and AgentMembership.objects.filter(team=team, agent_id=ticket.assignee_id).exists()
        )
        if assignee is _UNSET and not stays:
            assignee = _assign_within_team(team)
    if assignee is not _UNSET and assignee != ticket.assignee:
        if assignee is not None and not (assignee.is_active and assignee.is_staff):
            raise ValidationError({"assignee": ["Tickets can be assigned to active agents only."]})
        before_assignee = ticket.assignee
        ticket.assignee = assignee
        ticket.save(update_fields=["assignee", "updated_at"])
        _record(ticket, EventAction.ASSIGNED, acting_user, "assignee", before_assignee, assignee)
    if status is not _UNSET and status != ticket.status:
        _change_status(ticket, status, acting_user, now)
    if tags is not _UNSET:
        new_tags = _tags(tags)
        before_names = sorted(t.name for t in ticket.tags.all())
        after_names = sorted(t.name for t in new_tags)
        if before_names != after_names:
            ticket.tags.set(new_tags)
            _record(ticket, EventAction.CHANGED, acting_user, "tags", before_names, after_names)
    return ticket


def ticket_assign(*, ticket: Ticket, agent: User | None, acting_user: User | None) -> Ticket:
    return ticket_update(ticket=ticket, acting_user=acting_user, assignee=agent)


def ticket_change_status(*, ticket: Ticket, status: str, acting_user: User | None) -> Ticket:
    return ticket_update(ticket=ticket, acting_user=acting_user, status=status)


@transaction.atomic
def ticket_merge(*, source: Ticket, target: Ticket, acting_user: User | None) -> Ticket:
    """Fold `source` into `target`: one conversation, one ticket the customer follows."""
    if source.pk == target.pk:
        raise ValidationError("A ticket cannot be merged into itself.", code="merge_self")
    # Lock in primary-key order so two merges of the same pair cannot deadlock.
    first, second = sorted([source.pk, target.pk])
    locked = {t.pk: t for t in Ticket.objects.select_for_update().filter(pk__in=[first, second])}
    source, target = locked[source.pk], locked[target.pk]
    if source.customer_id != target.customer_id:
        raise ValidationError(
            "Only tickets of the same customer can be merged.", code="merge_other_customer"
        )
    if source.merged_into_id is not None or target.merged_into_id is not None:
        raise ValidationError("One of these tickets was already merged.", code="merge_again")
    moved = Message.objects.filter(ticket=source).update(ticket=target)
    target.tags.add(*source.tags.all())
    source.merged_into = target
    before_status = source.status
    now = timezone.now()
    source.save(update_fields=["merged_into", "updated_at"])
    _apply_status(source, Status.CLOSED, now)
    _record(source, EventAction.CHANGED, acting_user, "status", before_status, Status.CLOSED)
    _record(source, EventAction.MERGED, acting_user, "merged_into", None, target)
    _record(
        target,
        EventAction.MERGED,
        acting_user,
        "merged_from",
        None,
        {"reference": source.reference, "messages": moved},
    )
    Message.objects.create(
        ticket=target,
        author_kind=AuthorKind.SYSTEM,
        body=f"Ticket {source.reference} was merged into this ticket.",
        channel=target.channel,
    )
    reopen_from = (Status.RESOLVED, Status.CLOSED, Status.PENDING_CUSTOMER)
    if target.status in reopen_from and before_status in ACTIVE_STATUSES:
        # The merged-in question is the customer's latest word: it is the team's turn.
        before = target.status
        _apply_status(target, Status.OPEN, now)
        _record(target, EventAction.REOPENED, acting_user, "status", before, Status.OPEN)
    return target


@transaction.atomic
def ticket_resolve_by_customer(*, ticket: Ticket, acting_user: User | None) -> Ticket:
    """The customer says the problem is solved."""
    ticket = _locked(ticket)
    if ticket.status not in ACTIVE_STATUSES:
        raise ValidationError({"status": ["This ticket is already resolved or closed."]})
    _change_status(ticket, Status.RESOLVED, acting_user, timezone.now())
    return ticket


@transaction.atomic
def ticket_rate(
    *, ticket: Ticket, score: int, comment: str = "", acting_user: User | None
) -> SatisfactionRating:
    """The customer's 1–5 rating of a resolved ticket; rating again replaces it."""
    ticket = _locked(ticket)
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        raise ValidationError({"score": ["You can rate a ticket once it is resolved."]})
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError({"score": ["Choose a rating from 1 to 5."]})
    rating, _ = SatisfactionRating.objects.update_or_create(
        ticket=ticket,
        defaults={
            "score": score,
            "comment": (comment or "").strip()[:2000],
            "agent": ticket.assignee,
            "team": ticket.team,
        },
    )
    _record(ticket, EventAction.RATED, acting_user, "rating", None, score)
    return rating


# --- SLA -------------------------------------------------------------------------------------


def _escalated(priority: str) -> str:
    index = PRIORITY_ORDER.index(Priority(priority))
    return PRIORITY_ORDER[min(index + 1, len(PRIORITY_ORDER) - 1)]


def sla_sweep(*, now: datetime | None = None) -> list[str]:
    """Mark active tickets whose promised times have passed and escalate them once.

    Escalation raises the priority one step (the due times are kept: the promise was
    already broken) and emails the team's supervisors. Returns the references escalated.
    """
    now = now or timezone.now()
    # Tickets waiting for the customer are not the team's delay (see `_apply_status`).
    running = [s for s in ACTIVE_STATUSES if s != Status.PENDING_CUSTOMER]
    overdue = Ticket.objects.filter(
        status__in=running, sla_breached_at__isnull=True, merged_into__isnull=True
    ).filter(
        Q(first_responded_at__isnull=True, first_response_due__lt=now) | Q(resolution_due__lt=now)
    )
    escalated = []
    for ticket_id in overdue.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
            # Re-check under the lock: an agent may have answered since the query ran.
            first_missed = ticket.first_responded_at is None and (
                ticket.first_response_due is not None and ticket.first_response_due < now
            )
            resolution_missed = ticket.resolution_due is not None and ticket.resolution_due < now
            if (
                ticket.sla_breached_at
                or ticket.status not in running
                or not (first_missed or resolution_missed)
            ):
                continue
            which = "first_response" if first_missed else "resolution"
            ticket.sla_breached_at = now
            before = ticket.priority
            ticket.priority = _escalated(ticket.priority)
            ticket.save(update_fields=["sla_breached_at", "priority", "updated_at"])
            _record(ticket, EventAction.SLA_BREACHED, None, "sla", None, which)
            if before != ticket.priority:
                _record(ticket, EventAction.CHANGED, None, "priority", before, ticket.priority)
            ticket_pk = ticket.pk
            transaction.on_commit(lambda pk=ticket_pk: notifications.sla_breached(pk))
            escalated.append(ticket.reference)
    if escalated:
        logger.warning("SLA breached on %d tickets: %s", len(escalated), ", ".join(escalated))
    return escalated


# --- set-up ----------------------------------------------------------------------------------


@transaction.atomic
def team_add_agent(*, team: Team, agent: User, role: str, acting_user: User | None) -> None:
    """Make `agent` a staff member of `team` with the role group `role`."""
    group = Group.objects.get(name=role)
    if not agent.is_staff:
        agent.is_staff = True
        agent.save(update_fields=["is_staff"])
    agent.groups.add(group)
    AgentMembership.objects.get_or_create(team=team, agent=agent)
