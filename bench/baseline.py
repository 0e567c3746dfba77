"""The raw-SQL baseline of `GET /api/v1/tickets/`: what the list costs without the ORM and DRF.

A token lookup that also reads what the user may see (as the API's authentication does), one
hand-written query (same joins, same visibility rule, same filters, same order, tags as a
correlated sub-select) plus a COUNT, rows turned into the same JSON as the API's page with
`json.dumps`. The benchmark checks once per mix that the result equals the API's.
"""

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Context, Decimal
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db import connection

from config.api import CappedCountPaginator
from tickets.filters import REFERENCE_RE
from tickets.models import AgentMembership, Customer, Tag, Team, Ticket

PAGE_SIZE, MAX_PAGE_SIZE = 25, 100  # config.api.Pagination
AMOUNT_QUANTUM = Decimal(1).scaleb(-18)  # Ticket.amount: decimal_places=18
AMOUNT_CONTEXT = Context(prec=38)  # max_digits=38
SQLITE_FLOAT = Context(prec=15)  # how Django's SQLite backend reads a decimal column

T = Ticket._meta.db_table
C = Customer._meta.db_table
TEAM = Team._meta.db_table
U = get_user_model()._meta.db_table
TAG = Tag._meta.db_table
TT = Ticket.tags.through._meta.db_table
AM = AgentMembership._meta.db_table

SELECT = f"""
SELECT t.reference, t.subject, t.category, t.status, t.priority, t.channel,
       tm.slug,
       a.id, a.username, a.first_name, a.last_name,
       c.id, c.email, c.name, c.uid,
       t.uid, t.asset, t.chain, t.txid, t.address, t.memo, t.amount, t.transferred_at,
       t.created_at, t.updated_at, t.first_response_due, t.resolution_due,
       {{tags}} AS tags,
       t.security_review, t.first_responded_at, t.sla_breached_at, m.reference
FROM {T} t
INNER JOIN {C} c ON c.id = t.customer_id
LEFT OUTER JOIN {TEAM} tm ON tm.id = t.team_id
LEFT OUTER JOIN {U} a ON a.id = t.assignee_id
LEFT OUTER JOIN {T} m ON m.id = t.merged_into_id
WHERE {{where}}
ORDER BY t.created_at DESC, t.id DESC
LIMIT %s OFFSET %s
"""
# Counted up to the API's cap (config.api.CappedCountPaginator), as the API does.
COUNT_CAP = CappedCountPaginator.COUNT_CAP
COUNT = f"SELECT COUNT(*) FROM (SELECT 1 FROM {T} t {{joins}} WHERE {{where}} LIMIT %s) capped"

TAGS_SQL = {
    "postgresql": f"""(SELECT COALESCE(array_agg(tg.name ORDER BY tg.name), '{{}}')
        FROM {TT} tt INNER JOIN {TAG} tg ON tg.id = tt.tag_id WHERE tt.ticket_id = t.id)""",
    "sqlite": f"""(SELECT json_group_array(name) FROM (SELECT tg.name
        FROM {TT} tt INNER JOIN {TAG} tg ON tg.id = tt.tag_id WHERE tt.ticket_id = t.id
        ORDER BY tg.name))""",
}


def _holds(codename: str) -> str:
    """True when the token's user (tk.user_id) holds tickets.<codename>, directly or by a
    group."""
    return f"""EXISTS (SELECT 1 FROM auth_permission p
            INNER JOIN django_content_type ct ON ct.id = p.content_type_id
            WHERE ct.app_label = 'tickets' AND p.codename = '{codename}'
              AND (p.id IN (SELECT gp.permission_id FROM auth_group_permissions gp
                            INNER JOIN auth_user_groups ug ON ug.group_id = gp.group_id
                            WHERE ug.user_id = tk.user_id)
                   OR p.id IN (SELECT up.permission_id FROM auth_user_user_permissions up
                               WHERE up.user_id = tk.user_id)))"""


# The token lookup also reads what the user may see (as the API's authentication does):
# staff need tickets.view_ticket at all; holders of view_all_tickets see everything; others
# what their teams handle, what is assigned to them and what is not routed yet.
_TEAM_IDS = {
    "postgresql": f"(SELECT STRING_AGG(am.team_id::text, ',') FROM {AM} am"
    " WHERE am.agent_id = tk.user_id)",
    "sqlite": f"(SELECT GROUP_CONCAT(am.team_id) FROM {AM} am WHERE am.agent_id = tk.user_id)",
}


def token_scope(key: str) -> tuple[int, bool, bool, list[int]] | None:
    """(user id, may view tickets, may view all, team ids) of an API token, one query."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tk.user_id, {_holds('view_ticket')}, {_holds('view_all_tickets')}, "
            f"{_TEAM_IDS[connection.vendor]} FROM authtoken_token tk WHERE tk.key = %s",
            [key],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    user_id, view, view_all, team_ids = row
    return user_id, bool(view), bool(view_all), [int(i) for i in (team_ids or "").split(",") if i]


def _visibility(scope: tuple[int, bool, bool, list[int]]) -> tuple[str, list[object]]:
    user_id, view, view_all, team_ids = scope
    if not view:
        return "1 = 0", []
    if view_all:
        return "1 = 1", []
    teams = f" OR t.team_id IN ({', '.join(['%s'] * len(team_ids))})" if team_ids else ""
    return f"(t.assignee_id = %s OR t.team_id IS NULL{teams})", [user_id, *team_ids]


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _values(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _where(
    scope: tuple[int, bool, bool, list[int]], params: Mapping
) -> tuple[list[str], list[object], list[str]]:
    """SQL conditions, their parameters and the extra joins the COUNT needs."""
    user_id = scope[0]
    visibility, args = _visibility(scope)
    where, joins = [visibility], []
    for field in ("status", "category", "priority", "channel"):
        if field in params:
            values = _values(params[field])
            where.append(f"t.{field} IN ({', '.join(['%s'] * len(values))})")
            args.extend(values)
    if params.get("team"):
        joins.append(f"LEFT OUTER JOIN {TEAM} tm ON tm.id = t.team_id")
        where.append("tm.slug = %s")
        args.append(params["team"])
    if params.get("assignee"):
        assignee = params["assignee"].strip().lower()
        if assignee == "me":
            where.append("t.assignee_id = %s")
            args.append(user_id)
        elif assignee in ("none", "unassigned"):
            where.append("t.assignee_id IS NULL")
        else:
            where.append("t.assignee_id = %s")
            args.append(int(assignee))
    q = (params.get("q") or "").strip()
    if q:
        # The same dispatch as tickets.filters.TicketFilter.filter_q: identifiers exactly.
        if " " not in q and REFERENCE_RE.fullmatch(q):
            where.append("t.reference = %s")
            args.append(q.upper())
        elif " " not in q and "@" in q:
            joins.append(f"INNER JOIN {C} c ON c.id = t.customer_id")
            where.append("c.email = %s")
            args.append(q.lower())
        elif " " not in q and q.isdigit():
            where.append("t.uid = %s")
            args.append(q)
        elif " " not in q and ((len(q) >= 40 and q.isalnum()) or q.lower().startswith("0x")):
            where.append("t.txid IN (%s, %s)")
            args.extend([q, q.lower()])
        elif connection.vendor == "postgresql":
            where.append("UPPER(t.subject) LIKE UPPER(%s)")
            args.append(f"%{_like_escape(q)}%")
        else:  # SQLite's LIKE is case-insensitive for ASCII, which is what Django relies on
            where.append("t.subject LIKE %s ESCAPE '\\'")
            args.append(f"%{_like_escape(q)}%")
    return where, args, joins


def _datetime(value: datetime | None) -> str | None:
    """DRF's DateTimeField output: ISO 8601 in UTC with a Z."""
    if value is None:
        return None
    text = value.isoformat()
    if value.tzinfo is None:  # SQLite: Django stores naive UTC
        return text + "Z"
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _amount(value: Decimal | float | int | None) -> str | None:
    """DRF's DecimalField output: quantized to 18 places, as a string."""
    if value is None:
        return None
    if isinstance(value, float):
        value = SQLITE_FLOAT.create_decimal_from_float(value)
    elif not isinstance(value, Decimal):
        value = Decimal(value)
    return f"{value.quantize(AMOUNT_QUANTUM, context=AMOUNT_CONTEXT):f}"


def _row(row: Sequence) -> dict:
    (
        reference,
        subject,
        category,
        status,
        priority,
        channel,
        team_slug,
        agent_id,
        agent_username,
        agent_first,
        agent_last,
        customer_id,
        customer_email,
        customer_name,
        customer_uid,
        uid,
        asset,
        chain,
        txid,
        address,
        memo,
        amount,
        transferred_at,
        created_at,
        updated_at,
        first_response_due,
        resolution_due,
        tags,
        security_review,
        first_responded_at,
        sla_breached_at,
        merged_into,
    ) = row
    assignee = None
    if agent_id is not None:
        full_name = f"{agent_first} {agent_last}".strip()
        assignee = {"id": agent_id, "username": agent_username, "name": full_name or agent_username}
    return {
        "reference": reference,
        "subject": subject,
        "category": category,
        "status": status,
        "priority": priority,
        "channel": channel,
        "team": team_slug,
        "assignee": assignee,
        "customer": {
            "id": customer_id,
            "email": customer_email,
            "name": customer_name,
            "uid": customer_uid,
        },
        "uid": uid,
        "asset": asset,
        "chain": chain,
        "txid": txid,
        "address": address,
        "memo": memo,
        "amount": _amount(amount),
        "transferred_at": _datetime(transferred_at),
        "created_at": _datetime(created_at),
        "updated_at": _datetime(updated_at),
        "first_response_due": _datetime(first_response_due),
        "resolution_due": _datetime(resolution_due),
        "tags": json.loads(tags) if isinstance(tags, str) else list(tags),
        "security_review": bool(security_review),
        "first_responded_at": _datetime(first_responded_at),
        "sla_breached_at": _datetime(sla_breached_at),
        "merged_into": merged_into,
    }


def _page_link(params: Mapping, page: int) -> str:
    query = {k: v for k, v in params.items() if k != "page"}
    if page > 1:
        query["page"] = str(page)
    encoded = urlencode(query, doseq=True)
    return "http://testserver/api/v1/tickets/" + (f"?{encoded}" if encoded else "")


def ticket_list_json(key: str, params: Mapping) -> bytes | None:
    """The body of `GET /api/v1/tickets/?<params>` for the API token `key`, straight from
    SQL (None for an unknown token)."""
    scope = token_scope(key)
    if scope is None:
        return None
    page = int(params.get("page", 1))
    page_size = min(int(params.get("page_size", PAGE_SIZE)), MAX_PAGE_SIZE)
    where, args, joins = _where(scope, params)
    conditions = " AND ".join(where)
    with connection.cursor() as cursor:
        cursor.execute(
            COUNT.format(joins=" ".join(joins), where=conditions), [*args, COUNT_CAP + 1]
        )
        (count,) = cursor.fetchone()
        capped = count > COUNT_CAP
        # Past the cap the count says nothing of the last page: one row more tells whether
        # another page follows (as config.api.CappedCountPaginator does).
        sql = SELECT.format(tags=TAGS_SQL[connection.vendor], where=conditions)
        cursor.execute(sql, [*args, page_size + capped, (page - 1) * page_size])
        rows = cursor.fetchall()
        more = len(rows) > page_size if capped else page * page_size < count
        results = [_row(row) for row in rows[:page_size]]
    body = {
        "count": min(count, COUNT_CAP),
        "count_is_capped": capped,
        "next": _page_link(params, page + 1) if more else None,
        "previous": _page_link(params, page - 1) if page > 1 else None,
        "results": results,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def raw_view(request):
    """The same JSON served through Django's request path without the ORM or DRF: token
    lookup and ticket list in hand-written SQL. Requested through the same client and
    middleware as the API, so the comparison isolates what the ORM and DRF cost."""
    from django.http import HttpResponse

    key = request.headers.get("Authorization", "").removeprefix("Token ").strip()
    body = ticket_list_json(key, request.GET)
    if body is None:
        return HttpResponse(status=401)
    return HttpResponse(body, content_type="application/json")
