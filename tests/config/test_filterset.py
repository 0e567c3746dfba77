"""config.api.FilterSet: each instance works on copies of its own, however shallow."""

import pytest
from django.http import QueryDict
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from tests import factories
from tickets.filters import TicketFilter
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _filterset(query: str, user) -> TicketFilter:
    request = Request(APIRequestFactory().get(f"/?{query}"))
    request.user = user
    return TicketFilter(QueryDict(query), queryset=Ticket.objects.all(), request=request)


def test_method_filters_answer_for_their_own_request(desk, customer, agent, other_agent):
    """`assignee=me` reads the user from the FilterSet the filter belongs to: two instances
    alive at once must not share that."""
    mine = factories.make_ticket(customer=customer)
    theirs = factories.make_ticket(customer=customer, category="security")
    Ticket.objects.filter(pk=mine.pk).update(assignee=agent)
    Ticket.objects.filter(pk=theirs.pk).update(assignee=other_agent)

    for_agent = _filterset("assignee=me", agent)
    for_other = _filterset("assignee=me", other_agent)

    assert list(for_other.qs) == [theirs]
    assert list(for_agent.qs) == [mine]
    assert for_agent.filters["assignee"] is not for_other.filters["assignee"]
    assert for_agent.filters["assignee"] is not TicketFilter.base_filters["assignee"]


def test_forms_validate_apart_and_leave_the_declared_fields_alone(agent):
    bad = _filterset("status=nonsense", agent)
    good = _filterset("status=open&status=new", agent)

    assert not bad.is_valid() and "status" in bad.errors
    assert good.is_valid(), good.errors
    assert good.form.cleaned_data["status"] == ["open", "new"]
    assert bad.form.fields["status"] is not good.form.fields["status"]
    assert TicketFilter._form_class() is TicketFilter._form_class()  # built once


def test_filters_whose_field_depends_on_the_request_are_refused():
    import django_filters
    from django.core.exceptions import ImproperlyConfigured

    from config.api import FilterSet
    from tickets.models import Team

    with pytest.raises(ImproperlyConfigured, match="team"):

        class TeamFilter(FilterSet):
            team = django_filters.ModelChoiceFilter(queryset=Team.objects.all())

            class Meta:
                model = Ticket
                fields = ["team"]
