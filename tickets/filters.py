"""Filters for the ticket list, shared by the REST API (django-filter)."""

import re

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from config.api import FilterSet
from tickets.models import Category, Channel, Priority, Status, Ticket

REFERENCE_RE = re.compile(r"TKT-[0-9A-Z]{8}", re.IGNORECASE)


class TicketFilter(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, distinct=False)
    category = django_filters.MultipleChoiceFilter(choices=Category.choices, distinct=False)
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, distinct=False)
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices, distinct=False)
    team = django_filters.CharFilter(field_name="team__slug")
    assignee = django_filters.CharFilter(
        method="filter_assignee", help_text='An agent id, "me" or "none".'
    )
    # ?sla_breached=true keeps tickets whose breach time is set (exclude the null ones).
    sla_breached = django_filters.BooleanFilter(
        field_name="sla_breached_at", lookup_expr="isnull", exclude=True
    )
    q = django_filters.CharFilter(
        method="filter_q", help_text="Reference, exchange UID, TXID, email or words of the subject."
    )

    class Meta:
        model = Ticket
        fields = ["status", "category", "priority", "channel", "team", "assignee", "q"]

    def filter_assignee(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet:
        value = value.strip().lower()
        if value == "me":
            return queryset.filter(assignee=self.request.user)
        if value in ("none", "unassigned"):
            return queryset.filter(assignee__isnull=True)
        if value.isdigit():
            return queryset.filter(assignee_id=int(value))
        raise ValidationError({"assignee": ['Give an agent id, "me" or "none".']})

    def filter_q(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet:
        """Identifiers are matched exactly (indexed); anything else searches subjects.

        An OR of exact lookups with a substring scan makes the database scan every ticket,
        so a value that looks like a reference, TXID, email or UID never takes that path.
        """
        value = value.strip()
        if not value:
            return queryset
        if " " not in value:
            if REFERENCE_RE.fullmatch(value):
                return queryset.filter(reference=value.upper())
            if "@" in value:
                return queryset.filter(customer__email=value.lower())
            if value.isdigit():
                return queryset.filter(uid=value)
            if (len(value) >= 40 and value.isalnum()) or value.lower().startswith("0x"):
                # TXIDs are stored canonical: hex in lower case, base58 as written.
                return queryset.filter(txid__in={value, value.lower()})
        return queryset.filter(subject__icontains=value)
