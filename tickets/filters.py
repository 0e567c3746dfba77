"""Filters for the ticket list, shared by the REST API (django-filter)."""

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from tickets.models import Category, Channel, Priority, Status, Ticket


class TicketFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    category = django_filters.MultipleChoiceFilter(choices=Category.choices)
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices)
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices)
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
        value = value.strip()
        if not value:
            return queryset
        exact = (
            Q(reference__iexact=value)
            | Q(uid=value)
            | Q(txid__iexact=value)
            | Q(customer__email__iexact=value)
        )
        return queryset.filter(exact | Q(subject__icontains=value))
