"""How customers without an account reach their ticket: a signed, expiring link by email.

The link names the ticket and carries a signature over its id; it is the only way in for an
anonymous customer (there is no "reference + email" lookup to guess at). It stops working
when it expires or once the ticket is closed. Opening it remembers the ticket in the
visitor's session.
"""

from django.conf import settings
from django.core import signing
from django.http import HttpRequest

from tickets.models import Status, Ticket

_SALT = "tickets.access-link"
_RATING_SALT = "tickets.rating-link"
_SESSION_KEY = "ticket_access"


class AccessRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def link_token(ticket: Ticket) -> str:
    return signing.dumps({"t": ticket.pk}, salt=_SALT, compress=True)


def link_path(ticket: Ticket) -> str:
    return f"/tickets/{ticket.reference}/access/{link_token(ticket)}/"


def check(ticket: Ticket, token: str) -> None:
    """Raise AccessRefused unless `token` is a live link to exactly this ticket."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=settings.TICKET_LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise AccessRefused(
            "This link has expired. Reply to any email about your ticket to get a new one."
        ) from exc
    except signing.BadSignature as exc:
        raise AccessRefused("This link is not valid.") from exc
    if not isinstance(data, dict) or data.get("t") != ticket.pk:
        raise AccessRefused("This link is not valid.")
    if ticket.status == Status.CLOSED:
        raise AccessRefused("This ticket is closed, so its link no longer opens it.")


def grant(request: HttpRequest, ticket: Ticket) -> None:
    granted = set(request.session.get(_SESSION_KEY, []))
    granted.add(ticket.pk)
    request.session[_SESSION_KEY] = sorted(granted)


def granted_ticket_ids(request: HttpRequest) -> list[int]:
    return list(request.session.get(_SESSION_KEY, []))


def rating_token(ticket: Ticket) -> str:
    """For the stars in the "resolved" email: lets the customer rate without logging in."""
    return signing.dumps({"t": ticket.pk}, salt=_RATING_SALT, compress=True)


def rating_token_valid(ticket: Ticket, token: str) -> bool:
    try:
        data = signing.loads(token, salt=_RATING_SALT, max_age=settings.TICKET_LINK_MAX_AGE)
    except signing.BadSignature:
        return False
    return isinstance(data, dict) and data.get("t") == ticket.pk
