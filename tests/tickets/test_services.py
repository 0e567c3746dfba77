from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from mnemonic import Mnemonic

from tests import factories
from tickets import services
from tickets.models import (
    AuthorKind,
    Category,
    Channel,
    EventAction,
    Message,
    Priority,
    Status,
    Ticket,
    TicketEvent,
)
from tickets.roles import SUPERVISOR

pytestmark = pytest.mark.django_db

TRON_TXID = "7c2d4206c03a883dd9066d6c839d1deaef32dc5a0d9b15f6d06e9a3a3e1e0b9a"
TRON_ADDRESS = "TDrQesvcQWpZmBJuVQfo8hBrApkQyyxgdz"


def _agent_reply(ticket, agent, body="We are checking the blockchain.", **kwargs):
    return services.message_create(
        ticket=ticket,
        body=body,
        author_kind=AuthorKind.AGENT,
        channel=Channel.AGENT,
        acting_user=agent,
        **kwargs,
    )


def _customer_reply(ticket, body="Any news?"):
    return services.message_create(
        ticket=ticket,
        body=body,
        author_kind=AuthorKind.CUSTOMER,
        channel=Channel.WEB,
        acting_user=ticket.customer.user,
    )


# --- creation, routing, SLA ------------------------------------------------------------------


def test_deposit_ticket_is_routed_to_deposits_team_and_its_least_loaded_agent(desk, customer):
    busy = factories.make_agent("busy", team=desk.deposits, role="Agent")
    idle = factories.make_agent("idle", team=desk.deposits, role="Agent")
    factories.make_ticket(customer=customer)  # goes to the first (oldest) agent
    assert Ticket.objects.get().assignee == busy

    ticket = factories.make_ticket(customer=customer)

    assert ticket.team == desk.deposits
    assert ticket.assignee == idle


def test_unavailable_agents_are_skipped_by_routing(desk, customer):
    away = factories.make_agent("away", team=desk.deposits, role="Agent")
    on_shift = factories.make_agent("onshift", team=desk.deposits, role="Agent")
    away.agentmembership_set.update(is_available=False)

    ticket = factories.make_ticket(customer=customer)

    assert ticket.assignee == on_shift


def test_ticket_keeps_the_transfer_details_in_canonical_form(desk, customer):
    ticket = factories.make_ticket(
        customer=customer,
        asset="usdt",
        chain="trx",
        txid=f"  {TRON_TXID.upper()} ",
        address=TRON_ADDRESS,
        amount="250.5",
    )

    ticket.refresh_from_db()
    assert (ticket.asset, ticket.chain, ticket.txid) == ("USDT", "TRX", TRON_TXID)
    assert ticket.amount == Decimal("250.5")
    assert ticket.uid == customer.uid


def test_security_case_becomes_urgent_with_the_urgent_sla(desk, customer):
    before = timezone.now()

    ticket = factories.make_ticket(
        customer=customer,
        category=Category.SECURITY,
        subject="Login from a device I do not know",
        body="I got a login alert from Lagos, it was not me.",
    )

    assert ticket.priority == Priority.URGENT
    assert ticket.team == desk.security
    assert before + timedelta(minutes=15) <= ticket.first_response_due
    assert ticket.first_response_due <= timezone.now() + timedelta(minutes=15)


def test_creation_writes_the_first_message_an_audit_event_and_an_acknowledgement(
    desk, customer, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = factories.make_ticket(customer=customer)

    message = ticket.messages.get()
    assert message.author_kind == AuthorKind.CUSTOMER
    assert message.author == customer.user
    actions = list(ticket.events.values_list("action", flat=True))
    assert actions == [EventAction.CREATED, EventAction.ASSIGNED]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [customer.email]
    assert ticket.reference in mail.outbox[0].subject


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"chain": "TRX", "txid": "0x" + "a" * 64}, "txid"),
        ({"chain": "ETH", "txid": "a" * 63}, "txid"),
        ({"chain": "BTC", "address": "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"}, "address"),
        ({"txid": TRON_TXID}, "chain"),
        ({"chain": "DOGE"}, "chain"),
        ({"amount": "-5"}, "amount"),
        ({"uid": "abc"}, "uid"),
        ({"category": "refunds"}, "category"),
        ({"subject": ""}, "subject"),
        ({"body": "   "}, "body"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(
    desk, customer, fields, bad_field
):
    with pytest.raises(ValidationError) as excinfo:
        factories.make_ticket(customer=customer, **fields)

    assert bad_field in excinfo.value.message_dict
    assert Ticket.objects.count() == 0
    assert Message.objects.count() == 0


def test_attachment_is_stored_privately_with_its_sniffed_type(desk, customer, screenshot):
    ticket = factories.make_ticket(customer=customer, attachments=[screenshot])

    attachment = ticket.messages.get().attachments.get()
    assert attachment.content_type == "image/png"
    assert attachment.original_name == "screenshot.png"
    assert "screenshot" not in attachment.file.name  # stored under a random name
    with attachment.file.open("rb") as stored:
        assert stored.read(8) == b"\x89PNG\r\n\x1a\n"


def test_disguised_attachment_is_refused_and_nothing_saved(desk, customer, disguised_file):
    with pytest.raises(ValidationError) as excinfo:
        factories.make_ticket(customer=customer, attachments=[disguised_file])

    assert "attachments" in excinfo.value.message_dict
    assert "content was checked" in excinfo.value.message_dict["attachments"][0]
    assert Ticket.objects.count() == 0


def test_oversized_attachment_is_refused(desk, customer, screenshot, settings):
    settings.ATTACHMENT_MAX_BYTES = 10

    with pytest.raises(ValidationError) as excinfo:
        factories.make_ticket(customer=customer, attachments=[screenshot])

    assert "at most 10" in excinfo.value.message_dict["attachments"][0]
    assert Ticket.objects.count() == 0


# --- secret shield ---------------------------------------------------------------------------


def test_recovery_phrase_is_never_stored_and_the_customer_is_warned(
    desk, customer, caplog, django_capture_on_commit_callbacks
):
    phrase = Mnemonic("english").generate(strength=128)
    body = f"Support asked me to verify my wallet, here it is: {phrase}. Please unlock it."

    with django_capture_on_commit_callbacks(execute=True):
        ticket = factories.make_ticket(customer=customer, category=Category.ACCOUNT, body=body)

    first, notice = ticket.messages.order_by("id")
    assert phrase not in first.body
    assert "[removed: recovery phrase]" in first.body
    assert "Support asked me to verify my wallet" in first.body
    assert notice.author_kind == AuthorKind.SYSTEM
    assert "Never share your recovery phrase" in notice.body
    ticket.refresh_from_db()
    assert ticket.security_review is True
    assert ticket.priority == Priority.URGENT
    assert ticket.events.filter(action=EventAction.SECRET_REDACTED).exists()
    # Nowhere else either: not in any event, not in the acknowledgement email, not in logs.
    for event in TicketEvent.objects.all():
        assert phrase not in f"{event.before} {event.after}"
    assert len(mail.outbox) == 1
    assert phrase not in mail.outbox[0].body
    assert phrase not in caplog.text


def test_secret_in_a_follow_up_message_is_redacted_and_flags_the_ticket(
    desk, customer, deposit_ticket
):
    key = "e9873d79c6d87dc0fb6a5778633389f4453213303da61f20bd67fc233aa33262"

    message = _customer_reply(deposit_ticket, f"my private key is {key} if you need it")

    assert key not in message.body
    deposit_ticket.refresh_from_db()
    assert deposit_ticket.security_review is True
    chinese_customer_notice = deposit_ticket.messages.filter(author_kind=AuthorKind.SYSTEM)
    assert chinese_customer_notice.count() == 1


def test_shield_notice_speaks_the_customers_language(desk):
    customer = factories.CustomerFactory(language="zh-hans")
    phrase = Mnemonic("english").generate(strength=128)

    ticket = factories.make_ticket(customer=customer, body=f"我的助记词是 {phrase}")

    notice = ticket.messages.get(author_kind=AuthorKind.SYSTEM)
    assert "请勿向任何人" in notice.body
    assert "助记词" in notice.body


def test_the_tickets_own_txid_in_the_message_is_not_taken_for_a_key(desk, customer):
    ticket = factories.make_ticket(
        customer=customer, chain="TRX", txid=TRON_TXID, body=f"Deposit {TRON_TXID} is missing"
    )

    assert TRON_TXID in ticket.messages.get().body
    assert ticket.security_review is False


# --- status workflow -------------------------------------------------------------------------


def test_agents_first_public_reply_stops_the_response_clock_and_opens_the_ticket(
    agent, deposit_ticket
):
    _agent_reply(deposit_ticket, agent)

    deposit_ticket.refresh_from_db()
    assert deposit_ticket.first_responded_at is not None
    assert deposit_ticket.status == Status.OPEN


def test_internal_note_neither_answers_the_customer_nor_emails_them(
    agent, deposit_ticket, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _agent_reply(
            deposit_ticket, agent, body="Checked TronScan: 19 confirmations.", internal=True
        )

    deposit_ticket.refresh_from_db()
    assert deposit_ticket.first_responded_at is None
    assert deposit_ticket.status == Status.NEW
    assert callbacks == []
    assert mail.outbox == []


def test_agent_reply_email_carries_anti_phishing_code_and_threading_headers(
    agent, deposit_ticket, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = _agent_reply(deposit_ticket, agent, body="Your deposit is credited now.")

    email = mail.outbox[0]
    assert email.to == [deposit_ticket.customer.email]
    assert "Your deposit is credited now." in email.body
    assert "Anti-phishing code: BLUE-OWL-42" in email.body
    root = f"<{deposit_ticket.reference.lower()}@"
    assert email.extra_headers["References"].startswith(root)
    assert email.extra_headers["In-Reply-To"].startswith(root)
    message.refresh_from_db()
    assert message.email_message_id == email.extra_headers["Message-ID"]


def test_chinese_customer_gets_chinese_email(desk, agent, django_capture_on_commit_callbacks):
    customer = factories.CustomerFactory(language="zh-hans", anti_phishing_code="LUNA88")
    ticket = factories.make_ticket(customer=customer, subject="充币未到账", body="USDT 充值没到账")

    with django_capture_on_commit_callbacks(execute=True):
        _agent_reply(ticket, agent, body="您好，已为您入账。")

    assert "防钓鱼码：LUNA88" in mail.outbox[0].body
    assert "您的工单有新回复" in mail.outbox[0].subject


def test_reply_can_ask_the_customer_for_information(agent, deposit_ticket):
    _agent_reply(deposit_ticket, agent, new_status=Status.PENDING_CUSTOMER)

    deposit_ticket.refresh_from_db()
    assert deposit_ticket.status == Status.PENDING_CUSTOMER


def test_customer_answer_hands_the_ticket_back_to_the_agents(agent, deposit_ticket):
    _agent_reply(deposit_ticket, agent, new_status=Status.PENDING_CUSTOMER)

    _customer_reply(deposit_ticket, "Here is the screenshot of my wallet.")

    deposit_ticket.refresh_from_db()
    assert deposit_ticket.status == Status.OPEN


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (Status.RESOLVED, Status.INVESTIGATING),
        (Status.CLOSED, Status.OPEN),
        (Status.OPEN, Status.NEW),
    ],
)
def test_invalid_status_transition_is_refused(agent, deposit_ticket, start, target):
    Ticket.objects.filter(pk=deposit_ticket.pk).update(status=start)

    with pytest.raises(ValidationError) as excinfo:
        services.ticket_change_status(ticket=deposit_ticket, status=target, acting_user=agent)

    assert "status" in excinfo.value.message_dict
    deposit_ticket.refresh_from_db()
    assert deposit_ticket.status == start


def test_every_change_is_audited_with_actor_before_and_after(agent, supervisor, deposit_ticket):
    services.ticket_update(
        ticket=deposit_ticket,
        acting_user=supervisor,
        priority=Priority.HIGH,
        status=Status.INVESTIGATING,
        assignee=supervisor,
    )

    changes = {
        e.field: (e.actor, e.before, e.after)
        for e in deposit_ticket.events.filter(actor=supervisor)
    }
    assert changes["priority"] == (supervisor, "normal", "high")
    assert changes["status"] == (supervisor, "new", "investigating")
    assert changes["assignee"][2]["id"] == supervisor.pk


def test_raising_priority_tightens_the_sla_from_creation_time(agent, deposit_ticket):
    services.ticket_update(ticket=deposit_ticket, acting_user=agent, priority=Priority.URGENT)

    deposit_ticket.refresh_from_db()
    assert deposit_ticket.first_response_due == deposit_ticket.created_at + timedelta(minutes=15)


def test_resolving_emails_the_customer(agent, deposit_ticket, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_change_status(
            ticket=deposit_ticket, status=Status.RESOLVED, acting_user=agent
        )

    assert "resolved" in mail.outbox[0].subject.lower()
    deposit_ticket.refresh_from_db()
    assert deposit_ticket.resolved_at is not None


def test_customer_message_reopens_a_recently_closed_ticket(agent, deposit_ticket):
    services.ticket_change_status(ticket=deposit_ticket, status=Status.CLOSED, acting_user=agent)

    _customer_reply(deposit_ticket, "It happened again today.")

    deposit_ticket.refresh_from_db()
    assert deposit_ticket.status == Status.OPEN
    assert deposit_ticket.events.filter(action=EventAction.REOPENED).exists()


def test_customer_message_after_the_reopen_window_is_refused(agent, deposit_ticket, settings):
    services.ticket_change_status(ticket=deposit_ticket, status=Status.CLOSED, acting_user=agent)
    Ticket.objects.filter(pk=deposit_ticket.pk).update(
        closed_at=timezone.now() - settings.TICKET_REOPEN_WINDOW - timedelta(minutes=1)
    )
    messages_before = deposit_ticket.messages.count()

    with pytest.raises(ValidationError) as excinfo:
        _customer_reply(deposit_ticket, "Still broken")

    assert "open a new ticket" in excinfo.value.message_dict["body"][0]
    assert deposit_ticket.messages.count() == messages_before


def test_customers_cannot_write_internal_notes(deposit_ticket):
    with pytest.raises(ValidationError):
        services.message_create(
            ticket=deposit_ticket,
            body="hi",
            author_kind=AuthorKind.CUSTOMER,
            channel=Channel.WEB,
            internal=True,
        )


# --- merge -----------------------------------------------------------------------------------


def test_merge_moves_the_conversation_and_points_to_the_survivor(agent, customer, desk):
    first = factories.make_ticket(customer=customer, subject="Deposit missing")
    second = factories.make_ticket(customer=customer, subject="Deposit still missing!!")

    survivor = services.ticket_merge(source=second, target=first, acting_user=agent)

    second.refresh_from_db()
    assert survivor == first
    assert second.merged_into == first
    assert second.status == Status.CLOSED
    bodies = list(first.messages.values_list("body", flat=True))
    assert len([b for b in bodies if "TRC-20" in b]) == 2
    assert any(second.reference in b for b in bodies)


def test_customer_writing_to_a_merged_ticket_lands_on_the_survivor(agent, customer, desk):
    first = factories.make_ticket(customer=customer)
    second = factories.make_ticket(customer=customer)
    services.ticket_merge(source=second, target=first, acting_user=agent)

    message = _customer_reply(second, "Adding the TXID here")

    assert message.ticket == first


def test_tickets_of_different_customers_do_not_merge(agent, customer, other_customer, desk):
    first = factories.make_ticket(customer=customer)
    second = factories.make_ticket(customer=other_customer)

    with pytest.raises(ValidationError):
        services.ticket_merge(source=second, target=first, acting_user=agent)

    second.refresh_from_db()
    assert second.merged_into is None


# --- SLA sweep -------------------------------------------------------------------------------


def test_sla_sweep_marks_overdue_tickets_escalates_and_alerts_the_supervisor(
    agent, supervisor, deposit_ticket, django_capture_on_commit_callbacks
):
    supervisor.email = "susan@example.com"
    supervisor.save()
    later = deposit_ticket.first_response_due + timedelta(minutes=1)

    with django_capture_on_commit_callbacks(execute=True):
        escalated = services.sla_sweep(now=later)

    deposit_ticket.refresh_from_db()
    assert escalated == [deposit_ticket.reference]
    assert deposit_ticket.sla_breached_at == later
    assert deposit_ticket.priority == Priority.HIGH
    assert deposit_ticket.events.filter(action=EventAction.SLA_BREACHED).exists()
    assert mail.outbox[0].to == ["susan@example.com"]
    assert deposit_ticket.reference in mail.outbox[0].subject


def test_sla_sweep_escalates_a_ticket_only_once(agent, supervisor, deposit_ticket):
    later = deposit_ticket.first_response_due + timedelta(minutes=1)
    services.sla_sweep(now=later)

    assert services.sla_sweep(now=later + timedelta(hours=1)) == []


def test_answered_ticket_within_resolution_time_is_not_breached(agent, deposit_ticket):
    _agent_reply(deposit_ticket, agent)
    after_first_due = deposit_ticket.first_response_due + timedelta(minutes=1)

    assert services.sla_sweep(now=after_first_due) == []


def test_sla_sweep_task_runs_the_sweep(agent, deposit_ticket):
    from tickets.tasks import sla_sweep

    Ticket.objects.filter(pk=deposit_ticket.pk).update(
        first_response_due=timezone.now() - timedelta(minutes=1)
    )

    assert sla_sweep.delay().get() == 1


# --- customers -------------------------------------------------------------------------------


def test_registration_adopts_the_history_of_an_earlier_emailer(desk):
    emailer = services.customer_get_or_create(email="Carol@Example.com", name="Carol")

    registered = services.customer_register(
        email="carol@example.com", password=factories.PASSWORD, name="Carol"
    )

    assert registered.pk == emailer.pk
    assert registered.user.email == "carol@example.com"


def test_registration_refuses_a_weak_password_and_a_taken_email(customer):
    with pytest.raises(ValidationError) as excinfo:
        services.customer_register(email=customer.email, password="123")

    assert set(excinfo.value.message_dict) == {"email", "password"}


def test_supervisor_role_group_holds_view_all(supervisor):
    assert supervisor.groups.filter(name=SUPERVISOR).exists()
    assert supervisor.has_perm("tickets.view_all_tickets")


def test_waiting_for_the_customer_stops_the_resolution_clock(agent, deposit_ticket):
    from unittest import mock

    due_before = deposit_ticket.resolution_due
    asked_at = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=asked_at):
        _agent_reply(deposit_ticket, agent, new_status=Status.PENDING_CUSTOMER)
    with mock.patch("django.utils.timezone.now", return_value=asked_at + timedelta(hours=30)):
        _customer_reply(deposit_ticket, "Sorry, I was travelling. Here is the TXID.")

    deposit_ticket.refresh_from_db()
    assert deposit_ticket.status == Status.OPEN
    assert deposit_ticket.resolution_due == due_before + timedelta(hours=30)
    assert deposit_ticket.sla_paused_at is None


def test_ticket_waiting_for_the_customer_is_not_escalated(agent, deposit_ticket):
    _agent_reply(deposit_ticket, agent, new_status=Status.PENDING_CUSTOMER)

    assert services.sla_sweep(now=deposit_ticket.resolution_due + timedelta(days=1)) == []


def test_merging_into_a_ticket_waiting_for_the_customer_hands_it_back_to_the_team(
    agent, customer, desk
):
    waiting = factories.make_ticket(customer=customer)
    _agent_reply(waiting, agent, new_status=Status.PENDING_CUSTOMER)
    duplicate = factories.make_ticket(customer=customer, subject="Also, my deposit")

    services.ticket_merge(source=duplicate, target=waiting, acting_user=agent)

    waiting.refresh_from_db()
    assert waiting.status == Status.OPEN


def test_agents_text_is_not_run_through_the_shield(agent, deposit_ticket):
    reply = "您好，重置谷歌验证器需要完成身份核验。 Key 0x" + "ab" * 32

    message = _agent_reply(deposit_ticket, agent, body=reply)

    assert message.body == reply
