"""Reads of the ticket desk: who may see what, and the querysets the interfaces render."""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Permission
from django.db import connections, router
from django.db.models import (
    Aggregate,
    CharField,
    Exists,
    Expression,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)

from config.prepared import PreparedRows
from tickets.models import AgentMembership, Attachment, Customer, Message, Tag, Team, Ticket
from tickets.roles import is_agent


@dataclass(frozen=True)
class DeskScope:
    """What a staff user may see of the desk: read once per request and kept on the user.

    Resolving it up front turns the visibility rule into plain column tests (assignee, team
    ids) that the ticket indexes serve, instead of permission subqueries the database would
    evaluate against every candidate row.
    """

    view: bool  # holds tickets.view_ticket at all (a KB editor does not)
    view_all: bool  # holds tickets.view_all_tickets (supervisors)
    team_ids: tuple[int, ...]


_SCOPE_ATTR = "_desk_scope"


class _IdList(Aggregate):
    """Ids joined by commas. Django 5.2 has no portable string aggregate: GROUP_CONCAT on
    SQLite, STRING_AGG on PostgreSQL."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        return self.as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s(%(expressions)s::text, ',')",
            **extra_context,
        )


def _holds(user_ref: OuterRef, codename: str) -> Exists:
    """SQL that is true when the referenced user holds the ticket permission `codename`,
    directly or through a group (what `user.has_perm` answers with two more queries)."""
    return Exists(
        Permission.objects.filter(content_type__app_label="tickets", codename=codename).filter(
            Q(group__user=user_ref) | Q(user=user_ref)
        )
    )


def desk_scope_annotations(user_field: str) -> dict[str, Expression]:
    """Annotations that read a user's DeskScope inside another query on `user_field` (the
    API's token lookup uses them, so the scope costs no query of its own)."""
    user_ref = OuterRef(user_field)
    return {
        "scope_view": _holds(user_ref, "view_ticket"),
        "scope_view_all": _holds(user_ref, "view_all_tickets"),
        "scope_team_ids": Subquery(
            AgentMembership.objects.filter(agent=user_ref)
            .values("agent")
            .annotate(ids=_IdList("team_id"))
            .values("ids")
        ),
    }


def remember_desk_scope(user: AbstractBaseUser, row: Mapping[str, Any]) -> None:
    """Keep on `user` the scope that `desk_scope_annotations` read into `row` (its values)."""
    team_ids = row["scope_team_ids"] or ""
    setattr(
        user,
        _SCOPE_ATTR,
        DeskScope(
            view=bool(row["scope_view"]),
            view_all=bool(row["scope_view_all"]),
            team_ids=tuple(sorted(int(i) for i in team_ids.split(",") if i)),
        ),
    )


def desk_scope(user: AbstractBaseUser) -> DeskScope:
    """The user's DeskScope: one query the first time in a request, then kept on the user."""
    if not hasattr(user, _SCOPE_ATTR):
        annotations = desk_scope_annotations("pk")
        row = (
            get_user_model()
            .objects.filter(pk=user.pk)
            .annotate(**annotations)
            .values(*annotations)
            .first()
        )
        if row is None:
            setattr(user, _SCOPE_ATTR, DeskScope(view=False, view_all=False, team_ids=()))
        else:
            remember_desk_scope(user, row)
    return getattr(user, _SCOPE_ATTR)


@dataclass(frozen=True)
class _Visibility:
    """Everything the visibility rule reads of a user."""

    everything: bool = False  # supervisors, superusers
    nothing: bool = False  # anonymous, inactive, staff without tickets.view_ticket
    agent_id: int | None = None  # an agent: their teams', their own and the unrouted
    team_ids: tuple[int, ...] = ()
    customer_user_id: int | None = None  # a customer: their own


def _visibility(user: AbstractBaseUser | AnonymousUser) -> _Visibility:
    if not user.is_authenticated or not user.is_active:
        return _Visibility(nothing=True)
    if is_agent(user):
        if user.is_superuser:
            return _Visibility(everything=True)
        scope = desk_scope(user)
        if not scope.view:
            return _Visibility(nothing=True)
        if scope.view_all:
            return _Visibility(everything=True)
        return _Visibility(agent_id=user.pk, team_ids=scope.team_ids)
    return _Visibility(customer_user_id=user.pk)


def _visibility_q(visibility: _Visibility) -> Q:
    if visibility.nothing:
        return Q(pk__in=[])
    if visibility.everything:
        return Q()
    if visibility.agent_id is not None:
        return (
            Q(assignee_id=visibility.agent_id)
            | Q(team__isnull=True)
            | Q(team_id__in=visibility.team_ids)
        )
    return Q(customer__user_id=visibility.customer_user_id)


def ticket_visibility(user: AbstractBaseUser | AnonymousUser) -> Q:
    """Which tickets `user` may see: a customer their own; an agent those of their teams,
    those assigned to them and the not-yet-routed; a supervisor all of them. Staff without
    the ticket view permission (a KB editor) see none."""
    return _visibility_q(_visibility(user))


@lru_cache(maxsize=1024)
def _visible_tickets_for(visibility: _Visibility) -> QuerySet[Ticket]:
    # Never evaluated, only cloned: see _visible_tickets.
    return Ticket.objects.filter(_visibility_q(visibility))


def _visible_tickets(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Ticket]:
    """`Ticket.objects.filter(ticket_visibility(user))`, built once per distinct visibility.

    Building the filter (resolving three lookups for an agent) costs the ORM about 0.2 ms,
    on every API request, more than SQLite takes to find a ticket by TXID. The queryset
    depends on nothing but the `_Visibility` it is cached under, which is read afresh for
    every request, so a change of team or role applies at once. Callers get a clone
    (`.all()`), never the cached queryset itself.
    """
    return _visible_tickets_for(_visibility(user)).all()


def ticket_list(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Ticket]:
    """The tickets `user` may see, to filter and order; render a page of them through
    `ticket_page`."""
    return _visible_tickets(user)


def ticket_get(*, user: AbstractBaseUser | AnonymousUser, reference: str) -> Ticket | None:
    """The ticket (a model instance, for the services) if `user` may see it."""
    return (
        _visible_tickets(user)
        .select_related("customer", "team", "assignee", "merged_into")
        .filter(reference=reference.upper())
        .first()
    )


# What the ticket serializers render (tickets.serializers), as `.values()` keys.
TICKET_ROW_FIELDS = (
    "id",
    "reference",
    "subject",
    "category",
    "status",
    "priority",
    "channel",
    "uid",
    "asset",
    "chain",
    "txid",
    "address",
    "memo",
    "amount",
    "transferred_at",
    "created_at",
    "updated_at",
    "first_response_due",
    "resolution_due",
    "first_responded_at",
    "sla_breached_at",
    "security_review",
    "customer_id",
    "customer__email",
    "customer__name",
    "customer__uid",
    "team__slug",
    "assignee_id",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
    "merged_into__reference",
)


_TICKET_PAGE_ROWS = PreparedRows(Ticket, TICKET_ROW_FIELDS)


def ticket_page(page: QuerySet[Ticket]) -> list[dict[str, Any]]:
    """A page of tickets (`tickets[start:stop]`, filtered and ordered) as plain rows of what
    the serializers render, `TICKET_ROW_FIELDS` plus `tags`, in the page's order.

    Lists are the desk's hottest read. A page of 100 tickets as rows takes about 2 ms of
    Python; as model instances (five per ticket: the ticket, its customer, team, assignee and
    merged-into ticket) and DRF field-by-field rendering, about 12 ms. The page's own
    filters, order and slice are compiled per request, the wide SELECT of the rows only once
    (config.prepared.PreparedRows).
    """
    return _with_tags(_TICKET_PAGE_ROWS.rows(page))


def _tag_names_sql(vendor_quote: Any, count: int) -> str:
    """SELECT (ticket id, tag name) of `count` tickets, by name: the through table joined to
    the tags, with the names Django gave them."""
    link = Ticket.tags.through._meta
    ticket_column = link.get_field("ticket").column
    tag_column = link.get_field("tag").column
    name_column = Tag._meta.get_field("name").column
    q = vendor_quote
    # Identifiers come from the models and every value is a parameter.
    return (
        f"SELECT l.{q(ticket_column)}, t.{q(name_column)} "  # noqa: S608
        f"FROM {q(link.db_table)} l JOIN {q(Tag._meta.db_table)} t "
        f"ON t.{q(Tag._meta.pk.column)} = l.{q(tag_column)} "
        f"WHERE l.{q(ticket_column)} IN ({', '.join(['%s'] * count)}) "
        f"ORDER BY t.{q(name_column)}"
    )


def _with_tags(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add each row's tag names (sorted), in one query for the whole page.

    Written in SQL: through the ORM this query cost about 0.3 ms of Python per page, as
    much as the rest of the page's SQL; run as written it costs 0.03 ms.
    """
    names: dict[int, list[str]] = {row["id"]: [] for row in rows}
    if names:
        connection = connections[router.db_for_read(Tag)]
        with connection.cursor() as cursor:
            cursor.execute(_tag_names_sql(connection.ops.quote_name, len(names)), list(names))
            for ticket_id, name in cursor.fetchall():
                names[ticket_id].append(name)
    for row in rows:
        row["tags"] = names[row["id"]]
    return rows


def ticket_row(*, user: AbstractBaseUser | AnonymousUser, reference: str) -> dict | None:
    """One ticket as a row with its tags, if `user` may see it."""
    rows = ticket_page(_visible_tickets(user).filter(reference=reference.upper())[:1])
    return rows[0] if rows else None


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
