import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.conftest import api_client_for, png_bytes
from tickets.models import Message, Status, Ticket

pytestmark = pytest.mark.django_db

TRON_TXID = "7c2d4206c03a883dd9066d6c839d1deaef32dc5a0d9b15f6d06e9a3a3e1e0b9a"

DEPOSIT = {
    "subject": "USDT deposit not credited",
    "body": "I sent 250 USDT on TRC-20 two hours ago, the explorer shows it confirmed.",
    "category": "deposit",
    "asset": "USDT",
    "chain": "TRX",
    "txid": TRON_TXID,
    "amount": "250",
}


# --- the journey of an API client ------------------------------------------------------------


def test_client_registers_files_a_deposit_ticket_and_follows_the_reply(desk, agent):
    anonymous = api_client_for()
    registered = anonymous.post(
        "/api/v1/auth/register/",
        {
            "email": "Wei@Example.com",
            "password": "a-long-unique-pass-42",
            "name": "Wei",
            "language": "zh-hans",
        },
        format="json",
    )
    assert registered.status_code == 201
    token = anonymous.post(
        "/api/v1/auth/token/",
        {"username": "wei@example.com", "password": "a-long-unique-pass-42"},
        format="json",
    )
    assert token.status_code == 200
    client = api_client_for()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")

    created = client.post("/api/v1/tickets/", DEPOSIT, format="json")
    assert created.status_code == 201
    ticket = created.json()
    assert ticket["reference"].startswith("TKT-")
    assert (ticket["status"], ticket["team"], ticket["txid"]) == (
        "new",
        "deposits-withdrawals",
        TRON_TXID,
    )
    assert ticket["first_response_due"] is not None

    agent_reply = api_client_for(agent).post(
        f"/api/v1/tickets/{ticket['reference']}/messages/",
        {"body": "Credited now, sorry for the wait.", "status": "resolved"},
        format="json",
    )
    assert agent_reply.status_code == 201

    followed = client.get(f"/api/v1/tickets/{ticket['reference']}/").json()
    conversation = client.get(f"/api/v1/tickets/{ticket['reference']}/messages/").json()
    assert followed["status"] == "resolved"
    assert [m["author_kind"] for m in conversation["results"]] == ["customer", "agent"]
    assert conversation["results"][1]["body"] == "Credited now, sorry for the wait."


def test_customer_uploads_a_screenshot_with_the_ticket(desk, customer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("wallet.png", png_bytes(), content_type="image/png")

    response = api_client_for(customer.user).post(
        "/api/v1/tickets/", {**DEPOSIT, "attachments": [upload]}, format="multipart"
    )

    assert response.status_code == 201
    messages = (
        api_client_for(customer.user)
        .get(f"/api/v1/tickets/{response.json()['reference']}/messages/")
        .json()["results"]
    )
    attachment = messages[0]["attachments"][0]
    assert attachment["name"] == "wallet.png"
    assert attachment["content_type"] == "image/png"
    browser = Client()
    browser.force_login(customer.user)
    download = browser.get(attachment["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == png_bytes()


def test_customer_cannot_choose_priority(desk, customer):
    response = api_client_for(customer.user).post(
        "/api/v1/tickets/", {**DEPOSIT, "priority": "urgent"}, format="json"
    )

    assert response.json()["priority"] == "normal"


def test_agent_opens_a_ticket_on_behalf_of_a_customer(desk, agent):
    response = api_client_for(agent).post(
        "/api/v1/tickets/", {**DEPOSIT, "customer_email": "caller@example.com"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["channel"] == "agent"
    assert response.json()["customer"]["email"] == "caller@example.com"


def test_token_with_wrong_password_is_a_clear_400(customer):
    response = api_client_for().post(
        "/api/v1/auth/token/",
        {"username": customer.email, "password": "wrong"},
        format="json",
    )

    assert response.status_code == 400
    assert "Unable to log in" in response.json()["detail"]


# --- bad input: a clear 400 and nothing saved --------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"txid": "0x" + "1" * 64}, "txid"),  # an Ethereum-style hash on TRON
        ({"txid": "not-a-hash"}, "txid"),
        ({"chain": "DOGE"}, "chain"),
        ({"category": "refund"}, "category"),
        ({"subject": ""}, "subject"),
        ({"amount": "lots"}, "amount"),
        ({"address": "0x52908400098527886E0F7030069857D2E4169EE7"}, "address"),
    ],
)
def test_bad_ticket_input_is_a_400_on_the_field(desk, customer, change, field):
    response = api_client_for(customer.user).post(
        "/api/v1/tickets/", {**DEPOSIT, **change}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    assert isinstance(response.json()[field][0], str)
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("missing", ["subject", "body", "category"])
def test_missing_required_field_is_a_400(desk, customer, missing):
    data = {k: v for k, v in DEPOSIT.items() if k != missing}

    response = api_client_for(customer.user).post("/api/v1/tickets/", data, format="json")

    assert response.status_code == 400
    assert response.json()[missing] == ["This field is required."]


def test_disguised_attachment_is_a_400_and_nothing_saved(desk, customer, disguised_file):
    response = api_client_for(customer.user).post(
        "/api/v1/tickets/", {**DEPOSIT, "attachments": [disguised_file]}, format="multipart"
    )

    assert response.status_code == 400
    assert "attachments" in response.json()
    assert Ticket.objects.count() == 0


def test_oversized_attachment_is_a_400(desk, customer, screenshot, settings):
    settings.ATTACHMENT_MAX_BYTES = 16

    response = api_client_for(customer.user).post(
        "/api/v1/tickets/", {**DEPOSIT, "attachments": [screenshot]}, format="multipart"
    )

    assert response.status_code == 400
    assert "at most 16" in response.json()["attachments"][0]


def test_invalid_status_transition_is_a_400(agent, deposit_ticket):
    Ticket.objects.filter(pk=deposit_ticket.pk).update(status=Status.CLOSED)

    response = api_client_for(agent).patch(
        f"/api/v1/tickets/{deposit_ticket.reference}/", {"status": "investigating"}, format="json"
    )

    assert response.status_code == 400
    assert "cannot be moved" in response.json()["status"][0]
    deposit_ticket.refresh_from_db()
    assert deposit_ticket.status == Status.CLOSED


@pytest.mark.parametrize(
    "payload",
    [
        b"{not json",
        b"[]",
        b'"just a string"',
        b'{"subject": ["a"], "body": {"x": 1}, "category": 5}',
        b'{"subject": "x", "body": "y", "category": "deposit", "amount": "1e999999"}',
        b'{"subject": "x", "body": "y", "category": "deposit", "transferred_at": "yesterday"}',
        b'{"subject": "x", "body": "y", "category": "deposit", "chain": "ETH", "txid": null}',
    ],
)
def test_garbage_never_yields_a_500(desk, customer, payload):
    response = api_client_for(customer.user).post(
        "/api/v1/tickets/", payload, content_type="application/json"
    )

    assert 400 <= response.status_code < 500
    assert Ticket.objects.count() == 0


def test_unknown_filter_value_is_a_400(agent):
    response = api_client_for(agent).get("/api/v1/tickets/?status=lost")

    assert response.status_code == 400
    assert "status" in response.json()


def test_customer_posting_an_internal_note_is_refused(customer, deposit_ticket):
    response = api_client_for(customer.user).post(
        f"/api/v1/tickets/{deposit_ticket.reference}/messages/",
        {"body": "psst", "internal": True},
        format="json",
    )

    assert response.status_code == 403
    assert not Message.objects.filter(body="psst").exists()


def test_message_to_a_long_closed_ticket_is_a_400(customer, deposit_ticket, settings):
    from datetime import timedelta

    from django.utils import timezone

    Ticket.objects.filter(pk=deposit_ticket.pk).update(
        status=Status.CLOSED, closed_at=timezone.now() - timedelta(days=365)
    )

    response = api_client_for(customer.user).post(
        f"/api/v1/tickets/{deposit_ticket.reference}/messages/", {"body": "hi"}, format="json"
    )

    assert response.status_code == 400
    assert "open a new ticket" in response.json()["body"][0]


def test_registration_with_a_taken_email_is_a_400(customer):
    response = api_client_for().post(
        "/api/v1/auth/register/",
        {"email": customer.email, "password": "a-long-unique-pass-42"},
        format="json",
    )

    assert response.status_code == 400
    assert "already exists" in response.json()["email"][0]


# --- agents' list: filters, search, query count ------------------------------------------------


@pytest.fixture
def queue(desk, customer, other_customer, agent):
    tickets = [
        factories.make_ticket(
            customer=customer, subject="USDT missing", chain="TRX", txid=TRON_TXID
        ),
        factories.make_ticket(
            customer=other_customer, category="withdrawal", subject="Withdrawal pending"
        ),
        factories.make_ticket(
            customer=other_customer, category="security", subject="Unknown login"
        ),
        factories.make_ticket(customer=customer, category="kyc", subject="KYC rejected"),
    ]
    return tickets


@pytest.mark.parametrize(
    ("query", "expected_subjects"),
    [
        ("category=withdrawal", {"Withdrawal pending"}),
        ("priority=urgent", {"Unknown login"}),
        ("team=kyc-compliance", {"KYC rejected"}),
        (f"q={TRON_TXID}", {"USDT missing"}),
        ("q=bob@example.com", {"Withdrawal pending", "Unknown login"}),
        ("q=pending", {"Withdrawal pending"}),
        ("assignee=none", {"Unknown login", "KYC rejected"}),
        ("assignee=me", {"USDT missing", "Withdrawal pending"}),
        ("channel=email", set()),
        ("status=new&category=deposit", {"USDT missing"}),
    ],
)
def test_supervisor_filters_the_queue(queue, supervisor, agent, query, expected_subjects):
    client = api_client_for(agent if "assignee=me" in query else supervisor)

    response = client.get(f"/api/v1/tickets/?{query}")

    assert response.status_code == 200
    assert {t["subject"] for t in response.json()["results"]} == expected_subjects


def test_search_by_reference(queue, supervisor):
    reference = queue[2].reference

    response = api_client_for(supervisor).get(f"/api/v1/tickets/?q={reference.lower()}")

    assert [t["reference"] for t in response.json()["results"]] == [reference]


def test_agent_patches_status_priority_team_and_assignee(queue, agent, supervisor, desk):
    ticket = queue[0]

    response = api_client_for(supervisor).patch(
        f"/api/v1/tickets/{ticket.reference}/",
        {
            "status": "investigating",
            "priority": "high",
            "team": "general",
            "assignee": supervisor.pk,
        },
        format="json",
    )

    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["priority"], data["team"]) == ("investigating", "high", "general")
    assert data["assignee"]["id"] == supervisor.pk


def test_patch_with_unknown_team_or_assignee_is_a_400(queue, supervisor, customer):
    ticket = queue[0]
    client = api_client_for(supervisor)

    unknown_team = client.patch(
        f"/api/v1/tickets/{ticket.reference}/", {"team": "nope"}, format="json"
    )
    customer_as_assignee = client.patch(
        f"/api/v1/tickets/{ticket.reference}/", {"assignee": customer.user.pk}, format="json"
    )

    assert unknown_team.status_code == 400 and "team" in unknown_team.json()
    assert customer_as_assignee.status_code == 400 and "assignee" in customer_as_assignee.json()


@pytest.mark.parametrize("page_size", [5, 100])
def test_list_uses_a_fixed_number_of_queries_whatever_the_page_size(desk, supervisor, page_size):
    customers = [factories.CustomerFactory() for _ in range(5)]
    for index in range(30):
        ticket = factories.make_ticket(customer=customers[index % 5], tags=["vip", f"t{index}"])
        assert ticket.pk
    client = api_client_for(supervisor)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/tickets/?page_size={page_size}&status=new")

    assert response.status_code == 200
    assert len(response.json()["results"]) == min(page_size, 30)
    # token+user, count, page with its joins, tags
    assert len(queries) <= 4, [q["sql"] for q in queries]


def test_a_short_first_page_is_its_own_count(desk, supervisor, customer):
    found = factories.make_ticket(customer=customer, chain="TRX", txid=TRON_TXID)
    for _ in range(6):
        factories.make_ticket(customer=customer)
    client = api_client_for(supervisor)

    # Copied at once: `captured_queries` reads the log, which the next request empties.
    with CaptureQueriesContext(connection) as captured:
        by_txid = client.get(f"/api/v1/tickets/?q={TRON_TXID}").json()
    lookup_sql = [q["sql"].upper() for q in captured.captured_queries]
    with CaptureQueriesContext(connection) as captured:
        first = client.get("/api/v1/tickets/?page_size=5").json()
    paged_sql = [q["sql"].upper() for q in captured.captured_queries]
    second = client.get("/api/v1/tickets/?page_size=5&page=2").json()
    nothing = client.get("/api/v1/tickets/?q=nobody@example.com").json()

    assert by_txid["count"] == 1 and by_txid["results"][0]["reference"] == found.reference
    assert by_txid["next"] is None
    assert lookup_sql and not any("COUNT(" in sql for sql in lookup_sql)
    assert first["count"] == 7 and len(first["results"]) == 5 and first["next"]
    assert any("COUNT(" in sql for sql in paged_sql)
    assert second["count"] == 7 and len(second["results"]) == 2 and second["previous"]
    assert nothing["count"] == 0 and nothing["results"] == []
    assert client.get("/api/v1/tickets/?page=3&page_size=5").status_code == 404


def test_following_next_links_lists_every_ticket_past_the_count_cap(
    desk, supervisor, customer, monkeypatch
):
    """Past the cap the count is a floor, not the number of pages: `next` links keep going
    while tickets remain, so a client that follows them gets the whole list."""
    from config.api import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "COUNT_CAP", 5)
    made = {factories.make_ticket(customer=customer).reference for _ in range(13)}
    client = api_client_for(supervisor)

    listed, pages, url = [], [], "/api/v1/tickets/?page_size=4"
    while url:
        page = client.get(url).json()
        pages.append(page)
        listed += [t["reference"] for t in page["results"]]
        url = page["next"]

    assert sorted(listed) == sorted(made) and len(listed) == 13
    assert [len(p["results"]) for p in pages] == [4, 4, 4, 1]
    assert all(p["count"] == 5 and p["count_is_capped"] for p in pages)
    assert pages[-1]["previous"] and pages[1]["previous"]
    assert client.get("/api/v1/tickets/?page_size=4&page=5").status_code == 404
    assert client.get("/api/v1/tickets/?page_size=4&page=0").status_code == 404


@pytest.mark.parametrize("page", ["26", "9" * 40])
def test_pages_past_the_count_cap_stop_at_a_depth_with_a_clear_404(
    desk, supervisor, customer, monkeypatch, page
):
    """Past the cap pages stay reachable, but not without end: an OFFSET reads every row it
    skips, and a page number too large for the database must not become a 500."""
    from config.api import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "COUNT_CAP", 5)
    monkeypatch.setattr(CappedCountPaginator, "MAX_DEPTH", 100)
    for _ in range(7):
        factories.make_ticket(customer=customer)
    client = api_client_for(supervisor)

    deepest = client.get("/api/v1/tickets/?page_size=4&page=25")  # rows 97-100: none left
    too_deep = client.get(f"/api/v1/tickets/?page_size=4&page={page}")

    assert deepest.status_code == 404 and "narrow" not in deepest.json()["detail"]
    assert too_deep.status_code == 404
    assert "narrow it with filters" in too_deep.json()["detail"]


def test_the_deepest_page_links_on_to_a_404_that_says_why(desk, supervisor, customer, monkeypatch):
    """Following `next` past the deepest page served ends in an error, not in silence."""
    from config.api import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "COUNT_CAP", 5)
    monkeypatch.setattr(CappedCountPaginator, "MAX_DEPTH", 8)
    for _ in range(13):
        factories.make_ticket(customer=customer)
    client = api_client_for(supervisor)

    deepest = client.get("/api/v1/tickets/?page_size=4&page=2")
    beyond = client.get(deepest.json()["next"])

    assert deepest.status_code == 200 and len(deepest.json()["results"]) == 4
    assert beyond.status_code == 404 and "narrow it with filters" in beyond.json()["detail"]


def test_an_ordering_with_ties_pages_through_every_ticket_once(desk, supervisor, customer):
    """Tickets that share a priority still come in one order: the newest first among equals."""
    made = [factories.make_ticket(customer=customer).reference for _ in range(7)]
    client = api_client_for(supervisor)

    listed, url = [], "/api/v1/tickets/?ordering=priority&page_size=3"
    while url:
        page = client.get(url).json()
        listed += [t["reference"] for t in page["results"]]
        url = page["next"]

    assert listed == made[::-1]


def test_plain_agents_list_costs_four_queries_too(desk, agent, customer):
    """A plain agent's visibility (their teams, their own, the unrouted) is read with the
    token, not with one more query."""
    for category in ("deposit", "deposit", "deposit", "security", "other"):
        factories.make_ticket(customer=customer, category=category, tags=["vip"])
    client = api_client_for(agent)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/tickets/?page_size=2")

    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert {t["category"] for t in response.json()["results"]} == {"deposit"}
    assert len(queries) <= 4, [q["sql"] for q in queries]
    # The count reads ticket ids alone: the page's joins would make it visit every row's
    # customer, team and assignee too.
    (count,) = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert "JOIN" not in count.upper(), count


def test_team_and_role_changes_apply_from_the_next_request(desk, agent, customer):
    from django.contrib.auth.models import Group

    from tickets.models import AgentMembership
    from tickets.roles import AGENT, SUPERVISOR

    security_case = factories.make_ticket(customer=customer, category="security")
    client = api_client_for(agent)
    url = f"/api/v1/tickets/{security_case.reference}/"
    assert client.get(url).status_code == 404

    AgentMembership.objects.create(team=desk.security, agent=agent)
    assert client.get(url).status_code == 200

    AgentMembership.objects.filter(team=desk.security, agent=agent).delete()
    assert client.get(url).status_code == 404

    agent.groups.add(Group.objects.get(name=SUPERVISOR))
    assert client.get(url).status_code == 200

    agent.groups.remove(Group.objects.get(name=SUPERVISOR), Group.objects.get(name=AGENT))
    # Without the Agent role's view permission, not even their own team's tickets.
    deposit_case = factories.make_ticket(customer=customer, category="deposit")
    assert client.get(f"/api/v1/tickets/{deposit_case.reference}/").status_code == 404
    assert client.get("/api/v1/tickets/").json()["count"] == 0


def test_message_list_query_count_does_not_grow_with_messages(agent, deposit_ticket, screenshot):
    from tickets import services
    from tickets.models import AuthorKind, Channel

    client = api_client_for(agent)
    url = f"/api/v1/tickets/{deposit_ticket.reference}/messages/"
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for index in range(10):
        services.message_create(
            ticket=deposit_ticket,
            body=f"update {index}",
            author_kind=AuthorKind.AGENT,
            channel=Channel.AGENT,
            acting_user=agent,
        )

    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(few)


# --- schema, docs, throttling -------------------------------------------------------------------


def test_openapi_schema_and_local_swagger_ui(db):
    schema = api_client_for().get("/api/v1/schema/")
    docs = api_client_for().get("/api/v1/docs/")

    assert schema.status_code == 200
    assert b"/api/v1/tickets/{reference}/messages/" in schema.content
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()


def test_login_attempts_are_throttled(customer, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"auth": "3/min", "register": "3/min"},
    }
    from rest_framework.throttling import ScopedRateThrottle

    ScopedRateThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    cache.clear()
    try:
        codes = [
            api_client_for()
            .post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json")
            .status_code
            for _ in range(4)
        ]
    finally:
        from rest_framework.settings import api_settings

        ScopedRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
        cache.clear()

    assert codes == [400, 400, 400, 429]


@pytest.mark.parametrize("serializer_name", ["AgentTicketSerializer", "CustomerTicketSerializer"])
def test_fast_ticket_rendering_equals_drfs_generic_rendering(
    desk, customer, agent, serializer_name
):
    from rest_framework import serializers as drf

    from tickets import selectors, serializers, services

    first = factories.make_ticket(
        customer=customer,
        chain="TRX",
        txid=TRON_TXID,
        amount="250.5",
        tags=["vip", "chain-congestion"],
    )
    second = factories.make_ticket(customer=customer)
    services.ticket_merge(source=second, target=first, acting_user=agent)
    services.sla_sweep(now=first.resolution_due)
    serializer_class = getattr(serializers, serializer_name)
    for ticket in Ticket.objects.filter(pk__in=[first.pk, second.pk]):
        row = selectors.ticket_row(user=agent, reference=ticket.reference)
        fast = serializer_class(row).data
        generic = drf.ModelSerializer.to_representation(serializer_class(), ticket)
        assert dict(fast) == dict(generic)


# --- token authentication --------------------------------------------------------------------


def test_unknown_or_revoked_token_is_a_401(agent):
    from rest_framework.authtoken.models import Token

    client = api_client_for(agent)
    assert client.get("/api/v1/tickets/").status_code == 200

    Token.objects.filter(user=agent).delete()
    assert client.get("/api/v1/tickets/").status_code == 401

    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/v1/tickets/").status_code == 401


def test_deactivated_users_token_is_a_401(agent):
    client = api_client_for(agent)
    agent.is_active = False
    agent.save(update_fields=["is_active"])

    response = client.get("/api/v1/tickets/")

    assert response.status_code == 401
    assert "inactive" in response.json()["detail"]


def test_token_authentication_returns_the_user_and_token_as_stored(agent):
    from rest_framework.authtoken.models import Token

    from tickets.authentication import DeskTokenAuthentication

    stored = Token.objects.create(user=agent)

    user, token = DeskTokenAuthentication().authenticate_credentials(stored.key)

    assert user == agent and user.get_username() == "dana" and user.is_staff
    assert user.date_joined == agent.date_joined  # converted as the ORM converts it
    assert token.key == stored.key and token.user is user
    assert token.created == stored.created


def test_a_parameter_that_is_not_a_filter_lists_as_without_it(queue, supervisor):
    client = api_client_for(supervisor)

    plain = client.get("/api/v1/tickets/").json()
    with_unrelated = client.get("/api/v1/tickets/?page=1&ordering=-created_at").json()
    filtered = client.get("/api/v1/tickets/?category=kyc").json()

    assert with_unrelated["count"] == plain["count"] == 4
    assert [t["subject"] for t in filtered["results"]] == ["KYC rejected"]
