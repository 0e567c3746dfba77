"""Getting into the portal: exchange sign-on, emailed ticket links, rate limits."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests import factories
from tickets import access, sso
from tickets.models import Customer, Status, Ticket

pytestmark = pytest.mark.django_db

SECRET = "exchange-and-desk-shared-secret-for-tests"


@pytest.fixture
def sso_secret(settings):
    settings.SSO_SHARED_SECRET = SECRET
    settings.SSO_MAX_AGE = 300
    return SECRET


def _token(**overrides) -> str:
    claims = {"uid": "58213907", "email": "wang.lei@example.com", "name": "王磊"}
    claims.update(overrides)
    return sso.make_token(secret=SECRET, **claims)


# --- single sign-on --------------------------------------------------------------------------


def test_valid_token_signs_the_customer_in_with_their_uid(sso_secret, desk):
    client = Client()

    response = client.get("/sso/", {"token": _token(), "next": "/tickets/new/deposit/"})

    assert response.status_code == 302
    assert response["Location"] == "/tickets/new/deposit/"
    customer = Customer.objects.get(uid="58213907")
    assert customer.email == "wang.lei@example.com"
    assert customer.user is not None and not customer.user.has_usable_password()
    assert int(client.session["_auth_user_id"]) == customer.user_id


def test_expired_token_is_refused_with_a_clear_message(sso_secret, desk):
    old = _token(issued_at=int(time.time()) - 301)

    response = Client().get("/sso/", {"token": old})

    assert response.status_code == 403
    assert "expired" in response.content.decode()
    assert not Customer.objects.exists()


def test_tampered_token_is_refused(sso_secret, desk):
    payload, _, signature = _token().partition(".")
    forged_payload = sso._b64encode(
        b'{"uid":"1","email":"attacker@example.com","name":"","iat":%d}' % int(time.time())
    )

    for token in (f"{forged_payload}.{signature}", f"{payload}.{'0' * 64}", payload):
        response = Client().get("/sso/", {"token": token})
        assert response.status_code == 403

    assert not Customer.objects.exists()


def test_replayed_token_is_refused(sso_secret, desk):
    token = _token()
    assert Client().get("/sso/", {"token": token}).status_code == 302

    replay = Client().get("/sso/", {"token": token})

    assert replay.status_code == 403
    assert "already used" in replay.content.decode()


def test_token_from_the_future_is_refused(sso_secret):
    with pytest.raises(sso.SignOnError) as excinfo:
        sso.verify(_token(issued_at=int(time.time()) + 600))

    assert excinfo.value.code == "expired"


def test_sign_on_is_off_without_a_shared_secret(settings, desk):
    settings.SSO_SHARED_SECRET = ""

    response = Client().get("/sso/", {"token": _token()})

    assert response.status_code == 403
    assert "not enabled" in response.content.decode()


def test_open_redirects_are_not_followed(sso_secret, desk):
    response = Client().get("/sso/", {"token": _token(), "next": "https://evil.example/"})

    assert response["Location"] == "/tickets/"


def test_uid_from_sign_on_fills_the_ticket_and_cannot_be_edited(sso_secret, desk):
    client = Client()
    client.get("/sso/", {"token": _token()})

    form = client.get("/tickets/new/deposit/")
    client.post(
        "/tickets/new/deposit/",
        {
            "subject": "USDT missing",
            "body": "Sent 100 USDT",
            "uid": "99999999",
            "chain": "",
            "txid": "",
        },
    )

    assert 'name="uid"' not in form.content.decode()
    assert "58213907" in form.content.decode()
    assert Ticket.objects.get().uid == "58213907"


# --- emailed links for customers without an account ----------------------------------------------


@pytest.fixture
def anonymous_ticket(desk):
    customer = factories.CustomerFactory(user=None, email="guest@example.com")
    return factories.make_ticket(customer=customer)


def test_link_opens_the_ticket_for_this_browser_only(anonymous_ticket):
    browser, stranger = Client(), Client()

    response = browser.get(access.link_path(anonymous_ticket))

    assert response.status_code == 302
    assert browser.get(f"/tickets/{anonymous_ticket.reference}/").status_code == 200
    assert stranger.get(f"/tickets/{anonymous_ticket.reference}/").status_code == 404


def test_expired_link_is_refused(anonymous_ticket, settings):
    path = access.link_path(anonymous_ticket)
    settings.TICKET_LINK_MAX_AGE = -1

    response = Client().get(path)

    assert response.status_code == 403
    assert "expired" in response.content.decode()


def test_link_of_another_ticket_does_not_open_this_one(anonymous_ticket, desk):
    other = factories.make_ticket(customer=anonymous_ticket.customer, subject="Second")
    other_token = access.link_token(other)

    response = Client().get(f"/tickets/{anonymous_ticket.reference}/access/{other_token}/")

    assert response.status_code == 403


def test_link_stops_working_once_the_ticket_is_closed(anonymous_ticket):
    path = access.link_path(anonymous_ticket)
    Ticket.objects.filter(pk=anonymous_ticket.pk).update(
        status=Status.CLOSED, closed_at=timezone.now() - timedelta(days=1)
    )

    response = Client().get(path)

    assert response.status_code == 403
    assert "closed" in response.content.decode()


def test_there_is_no_reference_and_email_lookup(anonymous_ticket):
    response = Client().get(
        f"/tickets/{anonymous_ticket.reference}/", {"email": "guest@example.com"}
    )

    assert response.status_code == 404


def test_anonymous_ticket_email_carries_the_link(desk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/tickets/new/withdrawal/",
            {
                "email": "guest@example.com",
                "subject": "BTC withdrawal pending",
                "body": "Pending for 6 hours",
                "chain": "",
                "txid": "",
            },
        )

    assert response.status_code == 302, response.content.decode()[:2000]
    ticket = Ticket.objects.get()
    body = mail.outbox[0].body
    assert f"/tickets/{ticket.reference}/access/" in body
    link = body.split("http://127.0.0.1:8000", 1)[1].split()[0]
    fresh_browser = Client()
    assert fresh_browser.get(link).status_code == 302
    assert fresh_browser.get(f"/tickets/{ticket.reference}/").status_code == 200


def test_anonymous_ticket_creation_is_rate_limited(desk, settings):
    settings.ANONYMOUS_TICKETS_PER_HOUR = 2
    client = Client()

    def submit(n: int) -> int:
        return client.post(
            "/tickets/new/other/",
            {"email": f"guest{n}@example.com", "subject": f"Question {n}", "body": "Hello"},
        ).status_code

    codes = [submit(n) for n in range(3)]

    assert codes == [302, 302, 200]
    assert Ticket.objects.count() == 2
