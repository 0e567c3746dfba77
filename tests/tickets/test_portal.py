"""The customer portal, page by page (the browser tests cover the whole journey)."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from helpcenter.models import Deflection
from tests import factories
from tests.conftest import png_bytes
from tickets import services
from tickets.models import AuthorKind, Channel, Customer, SatisfactionRating, Status, Ticket

pytestmark = pytest.mark.django_db

TRON_TXID = "7c2d4206c03a883dd9066d6c839d1deaef32dc5a0d9b15f6d06e9a3a3e1e0b9a"


def _browser(customer=None) -> Client:
    client = Client()
    if customer is not None:
        client.force_login(customer.user)
    return client


DEPOSIT = {
    "subject": "USDT deposit not credited",
    "asset": "usdt",
    "chain": "TRX",
    "txid": TRON_TXID,
    "amount": "250",
    "body": "Sent three hours ago.",
}


# --- forms -------------------------------------------------------------------------------------


def test_category_chooser_lists_every_category_and_passes_the_article_on(customer, desk):
    response = _browser(customer).get("/tickets/new/")
    html = response.content.decode()

    assert response.status_code == 200
    for category in ("deposit", "withdrawal", "security", "kyc", "api", "dispute"):
        assert f"/tickets/new/{category}/" in html
    prefilled = _browser(customer).get(
        "/tickets/new/?category=deposit&article=deposit-not-credited"
    )
    assert prefilled["Location"].startswith("/tickets/new/deposit/?")


@pytest.mark.parametrize(
    ("category", "fields"),
    [
        ("deposit", ["asset", "chain", "txid", "address", "memo", "amount", "transferred_at"]),
        ("withdrawal", ["asset", "chain", "withdrawal_id", "txid", "amount", "address"]),
        ("security", ["what_happened", "happened_at", "last_good_login"]),
        ("kyc", ["kyc_level", "document_type"]),
        ("api", ["api_key_label", "endpoint", "error_code"]),
    ],
)
def test_each_category_asks_what_its_team_needs(customer, desk, category, fields):
    html = _browser(customer).get(f"/tickets/new/{category}/").content.decode()

    for field in fields:
        assert f'name="{field}"' in html


def test_deposit_form_files_the_ticket_with_its_screenshot(customer, desk, agent):
    upload = SimpleUploadedFile("wallet.png", png_bytes(), content_type="image/png")

    response = _browser(customer).post("/tickets/new/deposit/", {**DEPOSIT, "attachments": upload})

    ticket = Ticket.objects.get()
    assert response["Location"] == f"/tickets/{ticket.reference}/submitted/"
    assert (ticket.asset, ticket.chain, ticket.txid, ticket.channel) == (
        "USDT",
        "TRX",
        TRON_TXID,
        Channel.WEB,
    )
    assert ticket.team == desk.deposits
    assert ticket.messages.get().attachments.count() == 1
    confirmation = _browser(customer).get(response["Location"]).content.decode()
    assert ticket.reference in confirmation


def test_txid_that_does_not_fit_the_network_is_an_inline_error(customer, desk):
    response = _browser(customer).post(
        "/tickets/new/deposit/", {**DEPOSIT, "txid": "0x" + TRON_TXID}
    )

    assert response.status_code == 200
    assert "TRON (TRC-20) transaction ID" in response.content.decode()
    assert not Ticket.objects.exists()


def test_disguised_screenshot_is_refused_on_the_form(customer, desk, disguised_file):
    response = _browser(customer).post(
        "/tickets/new/deposit/", {**DEPOSIT, "attachments": disguised_file}
    )

    assert response.status_code == 200
    assert "content was checked" in response.content.decode()
    assert not Ticket.objects.exists()


def test_security_details_are_kept_and_the_case_is_urgent(customer, desk):
    _browser(customer).post(
        "/tickets/new/security/",
        {
            "subject": "Login from Lagos",
            "body": "Not me!",
            "what_happened": "unknown_login",
            "last_good_login": "Yesterday, iPhone, Singapore",
        },
    )

    ticket = Ticket.objects.get()
    assert ticket.priority == "urgent"
    assert ticket.details == {
        "what_happened": "unknown_login",
        "last_good_login": "Yesterday, iPhone, Singapore",
    }


def test_submitting_after_a_suggestion_counts_as_not_deflected(customer, desk):
    deflection = Deflection.objects.create(token="t" * 32, query="deposit", language="en")

    _browser(customer).post("/tickets/new/deposit/", {**DEPOSIT, "deflection_token": "t" * 32})

    deflection.refresh_from_db()
    assert deflection.outcome == "submitted"


def test_chinese_form_speaks_chinese(customer, desk):
    html = _browser(customer).get("/tickets/new/deposit/?lang=zh-hans").content.decode()

    assert "交易哈希（TXID）" in html
    assert "币种" in html


def test_transfer_check_endpoint_for_inline_validation(db):
    answer = (
        Client()
        .get("/api/v1/tickets/validate/", {"chain": "ETH", "txid": TRON_TXID, "address": "0x1"})
        .json()
    )

    assert "Ethereum" in answer["txid"]
    assert answer["address"] != "ok"
    ok = Client().get("/api/v1/tickets/validate/", {"chain": "TRX", "txid": TRON_TXID}).json()
    assert ok == {"txid": "ok"}


# --- following a ticket ------------------------------------------------------------------------


def test_my_tickets_lists_only_mine(customer, other_customer, desk):
    mine = factories.make_ticket(customer=customer, subject="Mine")
    factories.make_ticket(customer=other_customer, subject="Not mine")

    html = _browser(customer).get("/tickets/").content.decode()

    assert mine.reference in html
    assert "Not mine" not in html


def test_ticket_page_shows_progress_the_promise_and_the_public_conversation(customer, agent, desk):
    ticket = factories.make_ticket(customer=customer)
    services.message_create(
        ticket=ticket,
        body="Checking the chain now.",
        author_kind=AuthorKind.AGENT,
        channel=Channel.AGENT,
        acting_user=agent,
        new_status=Status.INVESTIGATING,
    )
    services.message_create(
        ticket=ticket,
        body="INTERNAL: wallet team says node lagging",
        author_kind=AuthorKind.AGENT,
        channel=Channel.AGENT,
        acting_user=agent,
        internal=True,
    )

    html = _browser(customer).get(f"/tickets/{ticket.reference}/").content.decode()

    assert "Checking the chain now." in html
    assert "INTERNAL" not in html and "wallet team" not in html
    assert 'aria-current="step"' in html
    assert "Investigating" in html
    assert "security_review" not in html


def test_another_customers_ticket_is_404(customer, other_customer, desk):
    ticket = factories.make_ticket(customer=other_customer)

    assert _browser(customer).get(f"/tickets/{ticket.reference}/").status_code == 404
    assert (
        _browser(customer).post(f"/tickets/{ticket.reference}/reply/", {"body": "hi"}).status_code
        == 404
    )


def test_customer_replies_with_an_attachment(customer, desk, agent, screenshot):
    ticket = factories.make_ticket(customer=customer)

    _browser(customer).post(
        f"/tickets/{ticket.reference}/reply/",
        {"body": "Here is the wallet screenshot.", "attachments": screenshot},
    )

    message = ticket.messages.order_by("-id").first()
    assert message.body == "Here is the wallet screenshot."
    assert message.attachments.count() == 1


def test_customer_resolves_and_rates_from_the_page(customer, desk, agent):
    ticket = factories.make_ticket(customer=customer)
    browser = _browser(customer)

    browser.post(f"/tickets/{ticket.reference}/resolve/")
    browser.post(f"/tickets/{ticket.reference}/rate/", {"score": "4", "comment": "Quick"})

    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert (ticket.rating.score, ticket.rating.agent) == (4, agent)


def test_rating_link_from_the_email_shows_a_form_and_saves_on_post(
    customer, desk, agent, django_capture_on_commit_callbacks
):
    ticket = factories.make_ticket(customer=customer)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, acting_user=agent)
    email = mail.outbox[-1]
    link = re.search(r"http://127\.0\.0\.1:8000(/tickets/\S+/rate/\S+/\?score=5)", email.body)
    assert "BLUE-OWL-42" in email.body

    browser = Client()  # from the mailbox: not logged in
    shown = browser.get(link.group(1))
    assert shown.status_code == 200
    assert not SatisfactionRating.objects.exists()  # showing the form saves nothing
    browser.post(link.group(1).split("?")[0], {"score": "5"})

    ticket.refresh_from_db()
    assert ticket.rating.score == 5


def test_forged_rating_link_is_404(customer, desk):
    ticket = factories.make_ticket(customer=customer)

    assert Client().get(f"/tickets/{ticket.reference}/rate/forged/").status_code == 404


# --- accounts and emails -------------------------------------------------------------------------


def test_sign_up_then_log_in_with_the_email(desk):
    browser = Client()
    response = browser.post(
        "/accounts/signup/",
        {
            "email": "new@example.com",
            "name": "New",
            "password": "a-long-unique-pass-42",
            "language": "zh-hans",
        },
    )

    assert response.status_code == 302
    assert Customer.objects.get(email="new@example.com").language == "zh-hans"
    assert response.cookies["django_language"].value == "zh-hans"
    fresh = Client()
    assert (
        fresh.post(
            "/accounts/login/", {"username": "new@example.com", "password": "a-long-unique-pass-42"}
        ).status_code
        == 302
    )


def test_password_reset_email_reaches_the_customer(customer):
    Client().post("/accounts/password-reset/", {"email": customer.email})

    assert mail.outbox[0].to == [customer.email]
    assert "/accounts/password-reset/" in mail.outbox[0].body


def test_profile_sets_the_anti_phishing_code_used_in_every_email(
    customer, desk, agent, django_capture_on_commit_callbacks
):
    browser = _browser(customer)
    response = browser.post(
        "/accounts/profile/", {"name": "Alice", "language": "en", "anti_phishing_code": "MOON-7"}
    )
    assert response.status_code == 302

    with django_capture_on_commit_callbacks(execute=True):
        ticket = factories.make_ticket(customer=Customer.objects.get(pk=customer.pk))
        services.message_create(
            ticket=ticket,
            body="We are on it.",
            author_kind=AuthorKind.AGENT,
            channel=Channel.AGENT,
            acting_user=agent,
            new_status=Status.PENDING_CUSTOMER,
        )
        services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, acting_user=agent)

    kinds = [m.subject for m in mail.outbox]
    assert len(kinds) == 3  # received, reply (asks for information), resolved
    for email in mail.outbox:
        assert "Anti-phishing code: MOON-7" in email.body
        assert email.extra_headers["Message-ID"].startswith("<")
        assert email.extra_headers["References"].startswith(f"<{ticket.reference.lower()}@")
        assert f"/tickets/{ticket.reference}/" in email.body


def test_bad_anti_phishing_code_is_refused(customer):
    response = _browser(customer).post(
        "/accounts/profile/", {"name": "", "language": "en", "anti_phishing_code": "a b"}
    )

    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.anti_phishing_code == "BLUE-OWL-42"


def test_contact_page_guides_to_each_channel(db):
    html = Client().get("/contact/").content.decode()

    assert "support@example.com" in html
    assert "/tickets/new/" in html
    assert "https://x.com/ExchangeSupport" in html
