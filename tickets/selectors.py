"""Reads of the ticket desk: who may see what, and the querysets the interfaces render."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Permission
from django.db.models import Exists, Prefetch, Q, QuerySet

from tickets.models import AgentMembership, Attachment, Customer, Message, Team, Ticket
from tickets.roles import is_agent


def _holds(user: AbstractBaseUser, codename: str) -> Exists:
    """SQL that is true when `user` holds the ticket permission `codename`.

    Kept inside the ticket query (rather than `user.has_perm`, which costs two queries) so a
    paginated list stays at a fixed, small number of queries whoever asks.
    """
    return Exists(
        Permission.objects.filter(content_type__app_label="tickets", codename=codename).filter(
            Q(group__user=user) | Q(user=user)
        )
    )


def ticket_visibility(user: AbstractBaseUser | AnonymousUser) -> Q:
    """Which tickets `user` may see: a customer their own; an agent those of their teams,
    those assigned to them and the not-yet-routed; a supervisor all of them. Staff without
    the ticket view permission (a KB editor) see none."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if is_agent(user):
        if user.is_superuser:
            return Q()
        my_teams = AgentMembership.objects.filter(agent=user).values("team_id")
        return Q(_holds(user, "view_ticket")) & (
            Q(_holds(user, "view_all_tickets"))
            | Q(assignee=user)
            | Q(team__isnull=True)
            | Q(team_id__in=my_teams)
        )
    return Q(customer__user=user)


def ticket_list(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Ticket]:
    return (
        Ticket.objects.filter(ticket_visibility(user))
        .select_related("customer", "team", "assignee", "merged_into")
        .prefetch_related("tags")
    )


def ticket_get(*, user: AbstractBaseUser | AnonymousUser, reference: str) -> Ticket | None:
    return ticket_list(user=user).filter(reference=reference.upper()).first()


def ticket_messages(
    *, ticket: Ticket, user: AbstractBaseUser | AnonymousUser, public_only: bool = False
) -> QuerySet[Message]:
    messages = (
        Message.objects.filter(ticket=ticket)
        .select_related("author")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("created_at"))
        )
    )
    if public_only or not is_agent(user):
        messages = messages.filter(internal=False)
    return messages


def _customer_scope(user: AbstractBaseUser | AnonymousUser, granted_ids: list[int]) -> Q:
    """A customer's own tickets, plus those this browser opened through an emailed link."""
    scope = Q(pk__in=granted_ids)
    if user.is_authenticated and user.is_active and not is_agent(user):
        scope |= Q(customer__user=user)
    return scope


def ticket_for_customer(
    *, user: AbstractBaseUser | AnonymousUser, reference: str, granted_ids: list[int]
) -> Ticket | None:
    return (
        Ticket.objects.filter(_customer_scope(user, granted_ids), reference=reference.upper())
        .select_related("customer", "team", "assignee")
        .first()
    )


def customer_tickets(
    *, user: AbstractBaseUser | AnonymousUser, granted_ids: list[int]
) -> QuerySet[Ticket]:
    return Ticket.objects.filter(_customer_scope(user, granted_ids)).order_by("-updated_at")


def attachment_get(
    *,
    user: AbstractBaseUser | AnonymousUser,
    attachment_id: str,
    granted_ids: list[int] | tuple[int, ...] = (),
) -> Attachment | None:
    """The attachment if `user` (or this browser, through an emailed link) may download it:
    a visible ticket, and never an internal note's attachment for a customer."""
    visible = Q(message__ticket__in=Ticket.objects.filter(ticket_visibility(user)))
    if granted_ids:
        visible |= Q(message__ticket_id__in=list(granted_ids))
    attachments = Attachment.objects.select_related("message__ticket").filter(
        visible, pk=attachment_id
    )
    if not is_agent(user):
        attachments = attachments.filter(message__internal=False)
    return attachments.first()


def customer_list() -> QuerySet[Customer]:
    return Customer.objects.select_related("user")


def team_list() -> QuerySet[Team]:
    return Team.objects.all()
