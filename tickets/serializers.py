"""REST shapes. Input serializers validate what a client may send; output serializers present.
Neither writes: the API views hand validated data to `tickets.services`."""

from django.urls import reverse
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


# Ticket lists are the hottest read of the desk. DRF's generic field-by-field rendering
# costs ~3 ms per ticket; the serializers below build the same dict directly (declared fields
# stay for the OpenAPI schema, and a test pins the output to DRF's generic rendering).
_DATETIME = serializers.DateTimeField()
_AMOUNT = serializers.DecimalField(max_digits=38, decimal_places=18)


def _when(value: object) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)


def _ticket_fields(ticket: Ticket) -> dict:
    customer = ticket.customer
    return {
        "reference": ticket.reference,
        "subject": ticket.subject,
        "category": ticket.category,
        "status": ticket.status,
        "priority": ticket.priority,
        "channel": ticket.channel,
        "team": ticket.team.slug if ticket.team_id else None,
        "assignee": None,
        "customer": {
            "id": customer.pk,
            "email": customer.email,
            "name": customer.name,
            "uid": customer.uid,
        },
        "uid": ticket.uid,
        "asset": ticket.asset,
        "chain": ticket.chain,
        "txid": ticket.txid,
        "address": ticket.address,
        "memo": ticket.memo,
        "amount": None if ticket.amount is None else _AMOUNT.to_representation(ticket.amount),
        "transferred_at": _when(ticket.transferred_at),
        "created_at": _when(ticket.created_at),
        "updated_at": _when(ticket.updated_at),
        "first_response_due": _when(ticket.first_response_due),
        "resolution_due": _when(ticket.resolution_due),
    }


class AgentTicketSerializer(serializers.ModelSerializer):
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

    def to_representation(self, ticket: Ticket) -> dict:
        data = _ticket_fields(ticket)
        agent = ticket.assignee
        if agent is not None:
            data["assignee"] = {
                "id": agent.pk,
                "username": agent.username,
                "name": agent.get_full_name() or agent.username,
            }
        data["tags"] = [tag.name for tag in ticket.tags.all()]
        data["security_review"] = ticket.security_review
        data["first_responded_at"] = _when(ticket.first_responded_at)
        data["sla_breached_at"] = _when(ticket.sla_breached_at)
        data["merged_into"] = ticket.merged_into.reference if ticket.merged_into_id else None
        return data


class CustomerTicketSerializer(serializers.ModelSerializer):
    """What a customer sees of their ticket: no internal flags, the agent by first name only."""

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

    def to_representation(self, ticket: Ticket) -> dict:
        data = _ticket_fields(ticket)
        data["assignee"] = self.get_assignee(ticket)
        data["merged_into"] = ticket.merged_into.reference if ticket.merged_into_id else None
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
