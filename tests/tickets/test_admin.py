"""The agent console: working a ticket end to end in the Django admin."""

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests import factories
from tickets.models import Category, EventAction, Message, RoutingRule, Status, Ticket

pytestmark = pytest.mark.django_db


def _console(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_ticket_page_shows_the_timeline_and_the_sla(agent, deposit_ticket):
    response = _console(agent).get(f"/admin/tickets/ticket/{deposit_ticket.pk}/change/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "I sent 250 USDT over TRC-20" in html
    assert "Timeline" in html
    assert "response due in" in html
    assert 'id="reply-form"' in html


def test_agent_reply_from_the_console_reaches_the_customer_by_email(
    agent, deposit_ticket, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _console(agent).post(
            f"/admin/tickets/ticket/{deposit_ticket.pk}/reply/",
            {
                "body": "Your deposit needed 20 confirmations; it is credited now.",
                "status": "resolved",
            },
        )

    assert response.status_code == 302
    deposit_ticket.refresh_from_db()
    assert deposit_ticket.status == Status.RESOLVED
    bodies = [m.body for m in mail.outbox]
    assert any("20 confirmations" in body for body in bodies)
    assert all("BLUE-OWL-42" in body for body in bodies)


def test_internal_note_from_the_console_is_not_emailed(
    agent, deposit_ticket, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _console(agent).post(
            f"/admin/tickets/ticket/{deposit_ticket.pk}/reply/",
            {"body": "Asked the wallet team on Slack.", "internal": "1"},
        )

    assert Message.objects.get(body="Asked the wallet team on Slack.").internal is True
    assert mail.outbox == []


def test_empty_reply_shows_an_error_and_saves_nothing(agent, deposit_ticket):
    count = deposit_ticket.messages.count()

    response = _console(agent).post(
        f"/admin/tickets/ticket/{deposit_ticket.pk}/reply/", {"body": "  "}, follow=True
    )

    assert "Write a message." in response.content.decode()
    assert deposit_ticket.messages.count() == count


def test_changing_fields_in_the_console_goes_through_the_audit_trail(
    agent, supervisor, deposit_ticket
):
    response = _console(agent).post(
        f"/admin/tickets/ticket/{deposit_ticket.pk}/change/",
        {
            "status": "investigating",
            "priority": "high",
            "team": deposit_ticket.team_id,
            "assignee": supervisor.pk,
            "tag_names": "chain-congestion, vip",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    deposit_ticket.refresh_from_db()
    assert deposit_ticket.status == Status.INVESTIGATING
    assert deposit_ticket.assignee == supervisor
    assert sorted(t.name for t in deposit_ticket.tags.all()) == ["chain-congestion", "vip"]
    fields = set(
        deposit_ticket.events.filter(
            actor=agent, action__in=[EventAction.CHANGED, EventAction.ASSIGNED]
        ).values_list("field", flat=True)
    )
    assert fields == {"status", "priority", "assignee", "tags"}


def test_console_offers_only_allowed_status_transitions(agent, deposit_ticket):
    Ticket.objects.filter(pk=deposit_ticket.pk).update(status=Status.RESOLVED)

    response = _console(agent).post(
        f"/admin/tickets/ticket/{deposit_ticket.pk}/change/",
        {
            "status": "investigating",
            "priority": "normal",
            "team": deposit_ticket.team_id,
            "assignee": agent.pk,
            "tag_names": "",
        },
    )

    assert response.status_code == 200  # the form comes back with an error
    assert "Select a valid choice" in response.content.decode()
    deposit_ticket.refresh_from_db()
    assert deposit_ticket.status == Status.RESOLVED


def test_ticket_list_filters_mine_and_sla_without_n_plus_one(desk, agent, customer):
    for _ in range(3):
        factories.make_ticket(customer=customer)
    client = _console(agent)
    client.get("/admin/tickets/ticket/")  # warm caches (content types, sessions)

    with CaptureQueriesContext(connection) as few:
        client.get("/admin/tickets/ticket/?assignee=mine")
    for _ in range(12):
        factories.make_ticket(customer=factories.CustomerFactory())
    with CaptureQueriesContext(connection) as many:
        response = client.get("/admin/tickets/ticket/?assignee=mine")

    assert response.status_code == 200
    assert response.context["cl"].result_count == 15
    assert len(many) == len(few)


@pytest.mark.parametrize(
    ("search", "found"),
    [("TKT", False), ("{reference}", True), ("alice@example.com", True), ("{uid}", True)],
)
def test_search_by_reference_email_and_uid(agent, deposit_ticket, search, found):
    term = search.format(reference=deposit_ticket.reference, uid=deposit_ticket.uid)

    response = _console(agent).get("/admin/tickets/ticket/", {"q": term})

    assert (response.context["cl"].result_count == 1) is found


def test_bulk_assign_to_me_and_resolve(agent, supervisor, desk, customer):
    tickets = [factories.make_ticket(customer=customer) for _ in range(3)]
    ids = [t.pk for t in tickets]
    client = _console(supervisor)

    client.post("/admin/tickets/ticket/", {"action": "assign_to_me", "_selected_action": ids})
    client.post("/admin/tickets/ticket/", {"action": "mark_resolved", "_selected_action": ids})

    assert set(Ticket.objects.values_list("assignee", "status")) == {
        (supervisor.pk, Status.RESOLVED)
    }


def test_bulk_merge_folds_tickets_into_the_oldest(agent, desk, customer):
    first, second = (factories.make_ticket(customer=customer) for _ in range(2))

    _console(agent).post(
        "/admin/tickets/ticket/",
        {"action": "merge_selected", "_selected_action": [first.pk, second.pk]},
    )

    second.refresh_from_db()
    assert second.merged_into == first


def test_agents_cannot_delete_tickets_but_supervisors_can(agent, supervisor, deposit_ticket):
    url = f"/admin/tickets/ticket/{deposit_ticket.pk}/delete/"

    assert _console(agent).post(url, {"post": "yes"}).status_code == 403
    assert Ticket.objects.filter(pk=deposit_ticket.pk).exists()
    _console(supervisor).post(url, {"post": "yes"})
    assert not Ticket.objects.filter(pk=deposit_ticket.pk).exists()


def test_agents_cannot_change_routing_rules_but_supervisors_can(agent, supervisor, desk):
    rule = RoutingRule.objects.get(category=Category.KYC)
    url = f"/admin/tickets/routingrule/{rule.pk}/change/"
    data = {"category": Category.KYC, "team": desk.general.pk}

    _console(agent).post(url, data)
    rule.refresh_from_db()
    assert rule.team == desk.kyc

    response = _console(supervisor).post(url, data)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.team == desk.general


def test_tickets_cannot_be_added_bypassing_the_services(supervisor):
    assert _console(supervisor).get("/admin/tickets/ticket/add/").status_code == 403


def test_timeline_tells_who_changed_what_in_plain_words(agent, supervisor, deposit_ticket):
    from tickets import services

    services.ticket_update(
        ticket=deposit_ticket,
        acting_user=supervisor,
        status=Status.INVESTIGATING,
        assignee=supervisor,
    )

    html = _console(supervisor).get(f"/admin/tickets/ticket/{deposit_ticket.pk}/change/")
    text = html.content.decode()
    assert "Susan changed status from new to investigating" in text
    assert "Susan changed assignee from dana to susan" in text


def test_ratings_show_per_agent_and_team(agent, supervisor, desk, customer):
    from tickets import services

    for score in (5, 3):
        ticket = factories.make_ticket(customer=customer)
        services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, acting_user=agent)
        services.ticket_rate(ticket=ticket, score=score, acting_user=customer.user)

    response = _console(supervisor).get("/admin/tickets/satisfactionrating/")

    by_agent = list(response.context["by_agent"])
    assert (by_agent[0]["agent__username"], by_agent[0]["count"]) == ("dana", 2)
    assert by_agent[0]["average"] == 4
    assert next(iter(response.context["by_team"]))["team__name"] == "Deposits & Withdrawals"
