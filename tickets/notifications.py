"""Emails to customers and supervisors.

Services call the `enqueue` functions from `transaction.on_commit`, so nothing is sent for a
change that rolled back; the Celery tasks call the `send_*` functions, which load fresh rows.
Every customer email carries the customer's anti-phishing code and RFC 5322 threading headers
(Message-ID, In-Reply-To, References) so that replies land on the same ticket.
"""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string

from tickets import access
from tickets.models import AuthorKind, Language, Message, Ticket
from tickets.roles import SUPERVISOR

logger = logging.getLogger(__name__)


# --- enqueue (called by services after commit) ------------------------------------------------


def ticket_received(ticket_id: int) -> None:
    from tickets import tasks

    tasks.send_ticket_received.delay(ticket_id)


def agent_replied(message_id: int) -> None:
    from tickets import tasks

    tasks.send_agent_reply.delay(message_id)


def ticket_resolved(ticket_id: int) -> None:
    from tickets import tasks

    tasks.send_ticket_resolved.delay(ticket_id)


def sla_breached(ticket_id: int) -> None:
    from tickets import tasks

    tasks.send_sla_breached.delay(ticket_id)


# --- threading -------------------------------------------------------------------------------


def _mail_domain() -> str:
    return settings.SUPPORT_REPLY_TO.rsplit("@", 1)[-1].strip(">") or "localhost"


def thread_root_id(ticket: Ticket) -> str:
    """A stable Message-ID for the ticket itself: every email about it refers to this."""
    return f"<{ticket.reference.lower()}@{_mail_domain()}>"


def new_message_id(ticket: Ticket) -> str:
    return f"<{ticket.reference.lower()}.{secrets.token_hex(8)}@{_mail_domain()}>"


def _threading_headers(ticket: Ticket, message_id: str) -> dict[str, str]:
    root = thread_root_id(ticket)
    last_inbound = (
        Message.objects.filter(ticket=ticket, author_kind=AuthorKind.CUSTOMER)
        .exclude(email_message_id="")
        .order_by("-created_at", "-id")
        .values_list("email_message_id", flat=True)
        .first()
    )
    references = [root] + ([last_inbound] if last_inbound else [])
    return {
        "Message-ID": message_id,
        "In-Reply-To": last_inbound or root,
        "References": " ".join(references),
    }


# --- sending (called by tasks) ---------------------------------------------------------------


def _ticket_url(ticket: Ticket) -> str:
    """Where the customer follows the ticket: the portal page with an account, else a
    signed link that opens it (the only way in without an account)."""
    base = settings.SITE_URL.rstrip("/")
    if ticket.customer.user_id is None:
        return base + access.link_path(ticket)
    return f"{base}/tickets/{ticket.reference}/"


def _rating_urls(ticket: Ticket) -> list[tuple[int, str]]:
    base = f"{settings.SITE_URL.rstrip('/')}/tickets/{ticket.reference}/rate/"
    token = access.rating_token(ticket)
    return [(score, f"{base}{token}/?score={score}") for score in range(1, 6)]


def _send_to_customer(
    ticket: Ticket, template: str, context: dict, message: Message | None = None
) -> str:
    customer = ticket.customer
    language = customer.language if customer.language in Language.values else Language.ENGLISH
    context = {
        **context,
        "ticket": ticket,
        "customer": customer,
        "ticket_url": _ticket_url(ticket),
        "anti_phishing_code": customer.anti_phishing_code,
    }
    subject = render_to_string(f"tickets/email/{template}.{language}.subject.txt", context)
    body = render_to_string(f"tickets/email/{template}.{language}.txt", context)
    body += render_to_string(f"tickets/email/footer.{language}.txt", context)
    message_id = new_message_id(ticket)
    email = EmailMessage(
        subject=f"[{ticket.reference}] " + " ".join(subject.split()),
        body=body,
        to=[customer.email],
        reply_to=[settings.SUPPORT_REPLY_TO],
        headers=_threading_headers(ticket, message_id),
    )
    email.send()
    if message is not None:
        Message.objects.filter(pk=message.pk).update(email_message_id=message_id)
    return message_id


def send_ticket_received(ticket_id: int) -> None:
    ticket = Ticket.objects.select_related("customer").get(pk=ticket_id)
    _send_to_customer(ticket, "received", {})


def send_agent_reply(message_id: int) -> None:
    message = Message.objects.select_related("ticket__customer", "author").get(pk=message_id)
    if message.internal:  # never mail an internal note, whatever called us
        logger.error("refusing to email internal note %s", message_id)
        return
    _send_to_customer(
        message.ticket,
        "agent_reply",
        {"message": message, "agent_name": message.author.first_name if message.author else ""},
        message=message,
    )


def send_ticket_resolved(ticket_id: int) -> None:
    ticket = Ticket.objects.select_related("customer").get(pk=ticket_id)
    _send_to_customer(ticket, "resolved", {"rating_urls": _rating_urls(ticket)})


def send_sla_breached(ticket_id: int) -> None:
    ticket = Ticket.objects.select_related("team", "assignee", "customer").get(pk=ticket_id)
    supervisors = get_user_model().objects.filter(
        is_active=True, is_staff=True, groups__name=SUPERVISOR
    )
    if ticket.team_id is not None:
        in_team = supervisors.filter(Q(support_teams=ticket.team_id))
        if in_team.exists():
            supervisors = in_team
    recipients = sorted({u.email for u in supervisors if u.email})
    if not recipients:
        logger.warning("SLA breached on %s but no supervisor has an email", ticket.reference)
        return
    body = render_to_string(
        "tickets/email/sla_breached.txt",
        {
            "ticket": ticket,
            "admin_url": f"{settings.SITE_URL.rstrip('/')}/admin/tickets/ticket/"
            f"{ticket.pk}/change/",
        },
    )
    EmailMessage(
        subject=f"SLA breached: {ticket.reference} ({ticket.get_priority_display()})",
        body=body,
        to=recipients,
    ).send()
