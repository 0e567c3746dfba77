"""REST shapes. Input serializers validate what a client may send; output serializers present.
Neither writes: the API views hand validated data to `tickets.services`."""

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from tickets.crypto import Chain
from tickets.models import (
    Attachment,
    AuthorKind,
    Category,
    Customer,
    Language,
    Message,
    Priority,
    Status,
    Team,
    Ticket,
)

# --- output ----------------------------------------------------------------------------------


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "slug", "name", "description"]


class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = [
            "id",
            "email",
            "name",
            "uid",
            "language",
            "social_handles",
            "anti_phishing_code",
            "created_at",
        ]


class CustomerBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "email", "name", "uid"]


class AgentBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.username


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "url"]

    def get_url(self, attachment: Attachment) -> str:
        return reverse("attachment-download", args=[attachment.pk])


class MessageSerializer(serializers.ModelSerializer):
    attachments = AttachmentSerializer(many=True, read_only=True)
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = [
            "id",
            "author_kind",
            "author_name",
            "body",
            "internal",
            "attachments",
            "created_at",
        ]

    def get_author_name(self, message: Message) -> str:
        if message.author_kind == AuthorKind.SYSTEM or message.author is None:
            return ""
        return message.author.first_name or message.author.get_username()


class CustomerMessageSerializer(MessageSerializer):
    class Meta(MessageSerializer.Meta):
        fields = [f for f in MessageSerializer.Meta.fields if f != "internal"]


_TICKET_FIELDS = [
    "reference",
    "subject",
    "category",
    "status",
    "priority",
    "channel",
    "team",
    "assignee",
    "customer",
    "uid",
    "asset",
    "chain",
    "txid",
    "address",
    "memo",
    "amount",
    "transferred_at",
    "created_at",
    "updated_at",
    "first_response_due",
    "resolution_due",
]


# Ticket lists are the hottest read of the desk. They are rendered from plain rows
# (`selectors.ticket_page`: one dict per ticket, related columns under `customer__email` and
# the like), not model instances: building five model instances per ticket and rendering them
# field by field costs several times the SQL. The declared fields stay for the OpenAPI schema,
# and a test pins the output to DRF's generic rendering of the model.
_AMOUNT = serializers.DecimalField(max_digits=38, decimal_places=18)


def _when(value: datetime | None, tz: tzinfo) -> str | None:
    """DRF's DateTimeField output (ISO 8601 in the current time zone, "Z" for UTC), with the
    time zone looked up once per ticket rather than once per value."""
    if value is None:
        return None
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _ticket_fields(row: Mapping[str, Any], tz: tzinfo) -> dict:
    return {
        "reference": row["reference"],
        "subject": row["subject"],
        "category": row["category"],
        "status": row["status"],
        "priority": row["priority"],
        "channel": row["channel"],
        "team": row["team__slug"],
        "assignee": None,
        "customer": {
            "id": row["customer_id"],
            "email": row["customer__email"],
            "name": row["customer__name"],
            "uid": row["customer__uid"],
        },
        "uid": row["uid"],
        "asset": row["asset"],
        "chain": row["chain"],
        "txid": row["txid"],
        "address": row["address"],
        "memo": row["memo"],
        "amount": None if row["amount"] is None else _AMOUNT.to_representation(row["amount"]),
        "transferred_at": _when(row["transferred_at"], tz),
        "created_at": _when(row["created_at"], tz),
        "updated_at": _when(row["updated_at"], tz),
        "first_response_due": _when(row["first_response_due"], tz),
        "resolution_due": _when(row["resolution_due"], tz),
    }


class AgentTicketSerializer(serializers.ModelSerializer):
    """An agent's view of a ticket; renders a `selectors.ticket_page` row."""

    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    assignee = AgentBriefSerializer(read_only=True)
    customer = CustomerBriefSerializer(read_only=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    merged_into = serializers.SlugRelatedField(slug_field="reference", read_only=True)

    class Meta:
        model = Ticket
        fields = [
            *_TICKET_FIELDS,
            "tags",
            "security_review",
            "first_responded_at",
            "sla_breached_at",
            "merged_into",
        ]

    def to_representation(self, row: Mapping[str, Any]) -> dict:
        tz = timezone.get_current_timezone()
        data = _ticket_fields(row, tz)
        if row["assignee_id"] is not None:
            username = row["assignee__username"]
            # User.get_full_name(), from the row.
            full_name = f"{row['assignee__first_name']} {row['assignee__last_name']}".strip()
            data["assignee"] = {
                "id": row["assignee_id"],
                "username": username,
                "name": full_name or username,
            }
        data["tags"] = row["tags"]
        data["security_review"] = row["security_review"]
        data["first_responded_at"] = _when(row["first_responded_at"], tz)
        data["sla_breached_at"] = _when(row["sla_breached_at"], tz)
        data["merged_into"] = row["merged_into__reference"]
        return data


class CustomerTicketSerializer(serializers.ModelSerializer):
    """What a customer sees of their ticket: no internal flags, the agent by first name only.
    Renders a `selectors.ticket_page` row."""

    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    assignee = serializers.SerializerMethodField()
    customer = CustomerBriefSerializer(read_only=True)
    merged_into = serializers.SlugRelatedField(slug_field="reference", read_only=True)

    class Meta:
        model = Ticket
        fields = [*_TICKET_FIELDS, "merged_into"]

    def get_assignee(self, ticket: Ticket) -> dict | None:
        if ticket.assignee is None:
            return None
        return {"name": ticket.assignee.first_name or "Support"}

    def to_representation(self, row: Mapping[str, Any]) -> dict:
        data = _ticket_fields(row, timezone.get_current_timezone())
        if row["assignee_id"] is not None:
            data["assignee"] = {"name": row["assignee__first_name"] or "Support"}
        data["merged_into"] = row["merged_into__reference"]
        return data


# --- input -----------------------------------------------------------------------------------


class TicketCreateInput(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=20000)
    category = serializers.ChoiceField(choices=Category.choices)
    uid = serializers.CharField(max_length=32, required=False, allow_blank=True)
    asset = serializers.CharField(max_length=15, required=False, allow_blank=True)
    chain = serializers.ChoiceField(choices=Chain.choices, required=False, allow_blank=True)
    txid = serializers.CharField(max_length=100, required=False, allow_blank=True)
    address = serializers.CharField(max_length=100, required=False, allow_blank=True)
    memo = serializers.CharField(max_length=128, required=False, allow_blank=True)
    amount = serializers.DecimalField(
        max_digits=38, decimal_places=18, required=False, allow_null=True
    )
    transferred_at = serializers.DateTimeField(required=False, allow_null=True)
    attachments = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False), required=False, default=list
    )
    # Agents only: open a ticket on a customer's behalf (phone, walk-in).
    customer_email = serializers.EmailField(required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)


class TicketUpdateInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    team = serializers.SlugRelatedField(
        slug_field="slug", queryset=Team.objects.all(), required=False, allow_null=True
    )
    assignee = serializers.IntegerField(required=False, allow_null=True)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=20
    )


class MessageCreateInput(serializers.Serializer):
    body = serializers.CharField(max_length=20000)
    internal = serializers.BooleanField(required=False, default=False)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    attachments = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False), required=False, default=list
    )


class TokenInput(serializers.Serializer):
    username = serializers.CharField(max_length=254, help_text="Username or email address.")
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


class RegisterInput(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(max_length=128, style={"input_type": "password"})
    name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(
        choices=Language.choices, required=False, default=Language.ENGLISH
    )
