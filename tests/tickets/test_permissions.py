"""Who may reach which ticket, message and attachment, through the API and the site.

Everything a caller may not see answers 404, exactly like something that does not exist,
so a reference or attachment id can't be confirmed by probing.
"""

import pytest
from django.test import Client

from tests import factories
from tests.conftest import api_client_for
from tickets import services
from tickets.models import AuthorKind, Channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(desk, customer, agent, screenshot, pdf_file):
    """A deposit ticket of `customer` with a public attachment and an internal note's one."""
    ticket = factories.make_ticket(customer=customer, attachments=[screenshot])
    note = services.message_create(
        ticket=ticket,
        body="Compliance hold: see the attached statement.",
        author_kind=AuthorKind.AGENT,
        channel=Channel.AGENT,
        acting_user=agent,
        internal=True,
        attachments=[pdf_file],
    )
    return {
        "ticket": ticket,
        "public_attachment": ticket.messages.first().attachments.get(),
        "internal_attachment": note.attachments.get(),
    }


@pytest.fixture
def personas(customer, other_customer, agent, other_agent, supervisor, kb_editor):
    return {
        "owner": customer.user,
        "other_customer": other_customer.user,
        "team_agent": agent,
        "other_team_agent": other_agent,
        "supervisor": supervisor,
        "kb_editor": kb_editor,
    }


# (persona, sees the ticket, may change it, sees internal notes)
MATRIX = [
    ("owner", True, False, False),
    ("other_customer", False, False, False),
    ("team_agent", True, True, True),
    ("other_team_agent", False, False, False),
    ("supervisor", True, True, True),
    ("kb_editor", False, False, False),
]


@pytest.mark.parametrize(("persona", "sees", "changes", "sees_internal"), MATRIX)
def test_ticket_detail(case, personas, persona, sees, changes, sees_internal):
    response = api_client_for(personas[persona]).get(f"/api/v1/tickets/{case['ticket'].reference}/")

    assert response.status_code == (200 if sees else 404)


@pytest.mark.parametrize(("persona", "sees", "changes", "sees_internal"), MATRIX)
def test_ticket_in_list(case, personas, persona, sees, changes, sees_internal):
    response = api_client_for(personas[persona]).get("/api/v1/tickets/")

    references = [t["reference"] for t in response.json()["results"]]
    assert (case["ticket"].reference in references) is sees


@pytest.mark.parametrize(("persona", "sees", "changes", "sees_internal"), MATRIX)
def test_ticket_patch(case, personas, persona, sees, changes, sees_internal):
    response = api_client_for(personas[persona]).patch(
        f"/api/v1/tickets/{case['ticket'].reference}/", {"priority": "high"}, format="json"
    )

    expected = 200 if changes else (403 if sees else 404)
    assert response.status_code == expected
    case["ticket"].refresh_from_db()
    assert (case["ticket"].priority == "high") is changes


@pytest.mark.parametrize(("persona", "sees", "changes", "sees_internal"), MATRIX)
def test_message_list(case, personas, persona, sees, changes, sees_internal):
    response = api_client_for(personas[persona]).get(
        f"/api/v1/tickets/{case['ticket'].reference}/messages/"
    )

    assert response.status_code == (200 if sees else 404)
    if sees:
        bodies = [m["body"] for m in response.json()["results"]]
        assert any("Compliance hold" in b for b in bodies) is sees_internal


@pytest.mark.parametrize(("persona", "sees", "changes", "sees_internal"), MATRIX)
def test_message_post(case, personas, persona, sees, changes, sees_internal):
    count = case["ticket"].messages.count()

    response = api_client_for(personas[persona]).post(
        f"/api/v1/tickets/{case['ticket'].reference}/messages/",
        {"body": "Any update?"},
        format="json",
    )

    assert response.status_code == (201 if sees else 404)
    assert case["ticket"].messages.count() == count + (1 if sees else 0)


def _site_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("persona", "sees", "changes", "sees_internal"), MATRIX)
def test_public_attachment_download(case, personas, persona, sees, changes, sees_internal):
    attachment = case["public_attachment"]

    response = _site_client(personas[persona]).get(f"/attachments/{attachment.pk}/")

    assert response.status_code == (200 if sees else 404)


@pytest.mark.parametrize(("persona", "sees", "changes", "sees_internal"), MATRIX)
def test_internal_attachment_download(case, personas, persona, sees, changes, sees_internal):
    attachment = case["internal_attachment"]

    response = _site_client(personas[persona]).get(f"/attachments/{attachment.pk}/")

    assert response.status_code == (200 if sees_internal else 404)


def test_attachment_is_served_as_a_download_that_browsers_will_not_sniff(case, customer):
    attachment = case["public_attachment"]

    response = _site_client(customer.user).get(f"/attachments/{attachment.pk}/")

    assert response["Content-Disposition"].startswith('attachment; filename="screenshot.png"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_anonymous_callers_get_401_from_the_api_and_404_from_the_site(case):
    reference = case["ticket"].reference

    assert api_client_for().get(f"/api/v1/tickets/{reference}/").status_code == 401
    assert api_client_for().get("/api/v1/tickets/").status_code == 401
    attachment = case["public_attachment"]
    assert Client().get(f"/attachments/{attachment.pk}/").status_code == 404


def test_unknown_reference_and_attachment_look_like_forbidden_ones(case, customer):
    client = api_client_for(customer.user)

    assert client.get("/api/v1/tickets/TKT-00000000/").status_code == 404
    response = _site_client(customer.user).get("/attachments/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404


def test_customers_and_teams_endpoints_are_for_agents_only(case, customer, agent):
    assert api_client_for(customer.user).get("/api/v1/customers/").status_code == 403
    assert api_client_for(customer.user).get("/api/v1/teams/").status_code == 403
    assert api_client_for(agent).get("/api/v1/customers/").status_code == 200
    teams = api_client_for(agent).get("/api/v1/teams/").json()
    assert "deposits-withdrawals" in [t["slug"] for t in teams]


def test_customer_view_of_a_ticket_hides_internal_fields(case, customer):
    data = api_client_for(customer.user).get(f"/api/v1/tickets/{case['ticket'].reference}/").json()

    assert "security_review" not in data
    assert "tags" not in data
    assert set(data["assignee"]) == {"name"}


def test_admin_change_page_of_another_teams_ticket_is_not_shown(case, other_agent):
    ticket = case["ticket"]

    response = _site_client(other_agent).get(f"/admin/tickets/ticket/{ticket.pk}/change/")

    assert response.status_code == 302
    assert ticket.subject not in response.content.decode()


def test_admin_reply_to_another_teams_ticket_is_404(case, other_agent):
    ticket = case["ticket"]
    count = ticket.messages.count()

    response = _site_client(other_agent).post(
        f"/admin/tickets/ticket/{ticket.pk}/reply/", {"body": "hello"}
    )

    assert response.status_code == 404
    assert ticket.messages.count() == count
