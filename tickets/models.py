"""The ticket desk's data. Lean models: workflows live in `services.py`, reads in `selectors.py`."""

import secrets
import uuid
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.languages import Language
from tickets.crypto import Chain

# Crockford's base32 without I, L, O, U: nothing a customer can misread when quoting it.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 8  # 32**8 ≈ 1.1e12 references: not guessable, short enough to read out


def new_reference() -> str:
    return "TKT-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


class Category(models.TextChoices):
    ACCOUNT = "account", _("Account")
    KYC = "kyc", _("Identity verification (KYC)")
    DEPOSIT = "deposit", _("Deposit not credited")
    WITHDRAWAL = "withdrawal", _("Withdrawal delayed")
    SECURITY = "security", _("Account security")
    API = "api", _("API")
    TRADING = "trading", _("Trading")
    PROMOTIONS = "promotions", _("Promotions and campaigns")
    SUGGESTION = "suggestion", _("Suggestion")
    DISPUTE = "dispute", _("Dispute")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING_CUSTOMER = "pending_customer", _("Waiting for customer")
    INVESTIGATING = "investigating", _("Investigating")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


ACTIVE_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING_CUSTOMER, Status.INVESTIGATING)


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_ORDER = [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    API = "api", _("API")
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Live chat")
    SOCIAL = "social", _("Social media")
    AGENT = "agent", _("Agent console")


def _choices_check(field: str, choices: type[models.TextChoices]) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": choices.values}), name=f"%(class)s_{field}_valid"
    )


class Customer(models.Model):
    """Someone the exchange supports. May exist without a login (an emailer, a chat guest)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customer",
    )
    uid = models.CharField(
        "exchange UID",
        max_length=32,
        null=True,
        blank=True,
        unique=True,
        help_text="The customer's account ID on the exchange.",
    )
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150, blank=True)
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)
    social_handles = models.JSONField(
        default=dict, blank=True, help_text='e.g. {"telegram": "@alice", "x": "@alice"}'
    )
    anti_phishing_code = models.CharField(
        max_length=20,
        blank=True,
        help_text="Shown in every email we send, so the customer can tell us from phishers.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["email"]
        constraints = [_choices_check("language", Language)]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=50, unique=True)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="AgentMembership", related_name="support_teams"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AgentMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    # Off shift or on leave: routing skips the agent, existing tickets stay assigned.
    is_available = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "agent"], name="agentmembership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agent} in {self.team}"


class RoutingRule(models.Model):
    """Which team handles a category. Supervisors edit these in the admin."""

    category = models.CharField(max_length=20, choices=Category.choices, unique=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="routing_rules")

    class Meta:
        ordering = ["category"]
        constraints = [_choices_check("category", Category)]

    def __str__(self) -> str:
        return f"{self.get_category_display()} → {self.team}"


class SLAPolicy(models.Model):
    """Promised response and resolution times per priority (the desk runs 24/7)."""

    priority = models.CharField(max_length=10, choices=Priority.choices, unique=True)
    first_response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()

    class Meta:
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        constraints = [
            _choices_check("priority", Priority),
            models.CheckConstraint(
                condition=Q(first_response_minutes__gt=0)
                & Q(resolution_minutes__gte=models.F("first_response_minutes")),
                name="slapolicy_times_sane",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_priority_display()}: {self.first_response_minutes} min / "
            f"{self.resolution_minutes} min"
        )


class Tag(models.Model):
    name = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    reference = models.CharField(max_length=16, unique=True, default=new_reference, editable=False)
    subject = models.CharField(max_length=200)
    category = models.CharField(max_length=20, choices=Category.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="tickets")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")

    # What the specialist team needs for a transfer that went wrong.
    uid = models.CharField("exchange UID", max_length=32, blank=True)
    asset = models.CharField(max_length=15, blank=True)
    chain = models.CharField(max_length=10, choices=Chain.choices, blank=True)
    txid = models.CharField("TXID", max_length=100, blank=True)
    address = models.CharField(max_length=100, blank=True)
    memo = models.CharField("memo / tag", max_length=128, blank=True)
    amount = models.DecimalField(max_digits=38, decimal_places=18, null=True, blank=True)
    transferred_at = models.DateTimeField("time of the transfer", null=True, blank=True)

    # What the category's form asked for beyond the transfer fields (e.g. for a security
    # case: what happened, when, the last login the customer trusts). Shielded like text.
    details = models.JSONField(default=dict, blank=True)

    # Raised when the secret shield removed a recovery phrase, key or API secret.
    security_review = models.BooleanField(default=False)

    first_response_due = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    sla_breached_at = models.DateTimeField("SLA breached", null=True, blank=True)
    # Set while the ticket waits for the customer: the resolution clock is stopped.
    sla_paused_at = models.DateTimeField("SLA paused since", null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_tickets"
    )

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("view_all_tickets", "Can see every team's tickets"),
            ("merge_ticket", "Can merge tickets"),
        ]
        constraints = [
            _choices_check("status", Status),
            _choices_check("priority", Priority),
            _choices_check("category", Category),
            _choices_check("channel", Channel),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0), name="ticket_amount_positive"
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("id")), name="ticket_not_merged_into_itself"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="ticket_status_created"),
            models.Index(fields=["team", "status"], name="ticket_team_status"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
            models.Index(fields=["assignee", "-created_at"], name="ticket_assignee_created"),
            models.Index(fields=["team", "-created_at"], name="ticket_team_created"),
            models.Index(fields=["customer", "-created_at"], name="ticket_customer_created"),
            # Triage queues ("open, deposit, high") and "mine in this team": their counts
            # are read from the index alone instead of visiting every open or assigned row.
            models.Index(
                fields=["status", "category", "priority", "-created_at"],
                name="ticket_triage_created",
            ),
            models.Index(fields=["assignee", "team", "-created_at"], name="ticket_mine_in_team"),
            models.Index(fields=["txid"], name="ticket_txid"),
            models.Index(fields=["uid"], name="ticket_uid"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class AuthorKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    SYSTEM = "system", _("System")


class Message(models.Model):
    """One entry of a ticket's conversation: public, or an agents-only internal note."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(max_length=10, choices=AuthorKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ticket_messages",
    )
    body = models.TextField()
    internal = models.BooleanField(default=False)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # RFC 5322 Message-ID of the email this message arrived in or was sent as: threading.
    email_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            _choices_check("author_kind", AuthorKind),
            # Customers cannot write internal notes, whatever the caller does.
            models.CheckConstraint(
                condition=Q(internal=False) | ~Q(author_kind=AuthorKind.CUSTOMER),
                name="message_customer_never_internal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_author_kind_display()} on {self.ticket_id}: {self.body[:40]}"


def private_storage() -> Storage:
    return storages["private"]


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name never reuses the customer's filename: no path tricks, no guessing.
    return f"attachments/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=private_storage, upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.original_name


class EventAction(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    MESSAGE_ADDED = "message_added", _("Message added")
    NOTE_ADDED = "note_added", _("Internal note added")
    ASSIGNED = "assigned", _("Assigned")
    SECRET_REDACTED = "secret_redacted", _("Secret removed")
    SLA_BREACHED = "sla_breached", _("SLA breached")
    MERGED = "merged", _("Merged")
    REOPENED = "reopened", _("Reopened")
    RATED = "rated", _("Rated by the customer")


class TicketEvent(models.Model):
    """Audit trail: who changed what on a ticket, from which value to which, and when."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(max_length=20, choices=EventAction.choices)
    field = models.CharField(max_length=50, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        if self.actor is not None:
            who = str(self.actor.get_full_name() or self.actor)
        elif isinstance(self.after, dict) and self.after.get("author_kind") == "customer":
            who = "customer"
        else:
            who = "system"
        if self.field:
            before, after = self.display_value(self.before), self.display_value(self.after)
            return f"{who} changed {self.field.replace('_', ' ')} from {before} to {after}"
        return f"{who}: {self.get_action_display()}"

    @staticmethod
    def display_value(value: Any) -> str:
        if value is None or value == "" or value == []:
            return "(none)"
        if isinstance(value, dict):
            return str(value.get("label") or value.get("reference") or value)
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        return str(value)

    @classmethod
    def as_value(cls, value: Any) -> Any:
        """JSON-safe form of a field value for before/after."""
        if value is None or isinstance(value, bool | int | str):
            return value
        if hasattr(value, "pk"):
            return {"id": value.pk, "label": str(value)}
        return str(value)


class SatisfactionRating(models.Model):
    """How the customer rated a resolved ticket; kept per agent and team for reporting."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True, max_length=2000)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ratings",
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="ratings"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5), name="rating_score_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.score}/5"


class UsedSignOnToken(models.Model):
    """Exchange sign-on tokens already spent: a token works once (replay protection)."""

    digest = models.CharField(max_length=64, primary_key=True)
    used_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.digest
