"""A customer's whole journey in a real browser, in English and in Chinese."""

import re

import pytest
from django.core import mail

from tests import factories
from tests.conftest import png_bytes
from tickets.models import Status, Ticket

pytestmark = pytest.mark.services

TRON_TXID = "7c2d4206c03a883dd9066d6c839d1deaef32dc5a0d9b15f6d06e9a3a3e1e0b9a"

TEXT = {
    "en": {
        "query": "deposit not credited",
        "article": "Deposit not credited",
        "submit_ticket": "Submit a ticket",
        "subject": "USDT deposit has not arrived",
        "body": "I sent 250 USDT over TRC-20 three hours ago; the explorer shows it confirmed.",
        "reply": "Your deposit needed 20 confirmations. It is credited now.",
        "solved": "My problem is solved",
        "network": "Network",
        "txid": "Transaction ID (TXID)",
        "coin": "Coin",
        "amount": "Amount",
        "subject_label": "Subject",
        "body_label": "Describe what happened",
        "attachments": "Screenshots or documents",
    },
    "zh-hans": {
        "query": "充币未到账",
        "article": "充币未到账",
        "submit_ticket": "提交工单",
        "subject": "USDT 充币三小时未到账",
        "body": "我三小时前通过 TRC-20 充值了 250 USDT，区块浏览器显示已确认。",
        "reply": "您的充值需要 20 个区块确认，现已到账。",
        "solved": "问题已解决",
        "network": "网络",
        "txid": "交易哈希（TXID）",
        "coin": "币种",
        "amount": "数量",
        "subject_label": "主题",
        "body_label": "问题描述",
        "attachments": "截图或文件",
    },
}


def _login_customer(page, url: str, email: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(factories.PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_url(re.compile(r".*/tickets/.*"))


def _agent_replies(page, url: str, ticket: Ticket, text: str) -> None:
    page.goto(f"{url}/admin/login/")
    page.fill("#id_username", "agent1")
    page.fill("#id_password", factories.PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{url}/admin/tickets/ticket/{ticket.pk}/change/")
    page.fill("#reply-body", text)
    page.click("#reply-form input[type=submit]")
    page.wait_for_selector("text=Reply sent to the customer.")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_customer_files_a_deposit_ticket_and_follows_it_to_a_rating(
    site, new_page, shoot, tmp_path, language
):
    text = TEXT[language]
    url = site["url"]
    customer = factories.CustomerFactory(
        with_user=True, email=f"trader-{language}@example.com", language=language
    )
    screenshot = tmp_path / "wallet.png"
    screenshot.write_bytes(png_bytes(40, 30))
    page = new_page("zh-CN" if language == "zh-hans" else "en-US")
    _login_customer(page, url, customer.email)
    if language == "zh-hans":
        page.goto(f"{url}/")
        page.get_by_role("button", name="简体中文").first.click()

    # Search the help center and open the article.
    page.goto(f"{url}/")
    page.locator("main input[name=q]").fill(text["query"])
    page.locator("main input[name=q]").press("Enter")
    page.wait_for_url(re.compile(r".*/search/.*"))
    shoot(page, "search-results")
    page.locator("main").get_by_role("link", name=re.compile(text["article"])).first.click()
    page.wait_for_url(re.compile(r".*/articles/deposit-not-credited/.*"))
    shoot(page, "article")

    # The article's "Submit a ticket" opens the form of its category, pre-selected.
    page.locator("main a[href*='category=deposit']", has_text=text["submit_ticket"]).first.click()
    page.wait_for_url(re.compile(r".*/tickets/new/deposit/.*"))
    page.get_by_label(text["subject_label"], exact=True).fill(text["subject"])
    page.get_by_label(text["coin"]).fill("USDT")
    page.get_by_label(text["network"]).select_option("TRX")
    page.get_by_label(text["txid"]).fill(TRON_TXID)
    page.get_by_label(text["amount"]).fill("250")
    page.get_by_label(text["body_label"]).fill(text["body"])
    page.get_by_label(text["attachments"]).set_input_files(str(screenshot))
    shoot(page, "deposit-form")
    page.locator("form[enctype] button[type=submit]").last.click()
    page.wait_for_url(re.compile(r".*/submitted/"))
    shoot(page, "submitted")

    ticket = Ticket.objects.get(customer=customer)
    assert ticket.reference in page.content()
    assert (ticket.chain, ticket.txid, ticket.category) == ("TRX", TRON_TXID, "deposit")
    assert ticket.messages.get().attachments.get().content_type == "image/png"

    # An agent replies in the console.
    agent_page = new_page()
    _agent_replies(agent_page, url, ticket, text["reply"])
    shoot(agent_page, "agent-replied")

    # The customer sees the reply, marks the ticket solved and rates it.
    page.goto(f"{url}/tickets/{ticket.reference}/")
    assert text["reply"] in page.content()
    shoot(page, "reply-visible")
    page.get_by_role("button", name=text["solved"]).click()
    page.wait_for_selector("#rating")
    page.locator("#rating label[for='rating-score-5']").click()
    assert page.locator("#rating input[name=score][value='5']").is_checked()
    page.locator("#rating button[type=submit]").click()
    page.wait_for_load_state()
    shoot(page, "rated")

    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert ticket.rating.score == 5
    assert any(text["reply"] in m.body for m in mail.outbox)


def test_anonymous_customer_follows_the_emailed_link(site, new_page, shoot):
    url = site["url"]
    page = new_page()
    page.goto(f"{url}/tickets/new/withdrawal/")
    page.get_by_label("Your email address").fill("guest@example.com")
    page.get_by_label("Subject", exact=True).fill("BTC withdrawal pending for 6 hours")
    page.get_by_label("Describe what happened").fill("Status is still pending review.")
    shoot(page, "anonymous-form")
    page.locator("form[enctype] button[type=submit]").last.click()
    page.wait_for_url(re.compile(r".*/submitted/"))
    shoot(page, "anonymous-submitted")

    ticket = Ticket.objects.get(customer__email="guest@example.com")
    link = re.search(r"(/tickets/\S+/access/\S+/)", mail.outbox[0].body).group(1)

    other_browser = new_page()
    assert other_browser.goto(f"{url}/tickets/{ticket.reference}/").status == 404
    other_browser.goto(f"{url}{link}")
    other_browser.wait_for_url(re.compile(rf".*/tickets/{ticket.reference}/$"))
    shoot(other_browser, "opened-from-email")
    assert "BTC withdrawal pending for 6 hours" in other_browser.content()
