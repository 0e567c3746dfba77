import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.prepared import PreparedQuery, PreparedRows

pytestmark = pytest.mark.django_db


def _by_username(name: str):
    return (
        get_user_model()
        .objects.filter(username=name, is_active=True)
        .order_by("pk")
        .values("pk", "username", "is_staff", "date_joined")
    )


def test_runs_the_orm_query_with_each_new_value():
    user_model = get_user_model()
    user_model.objects.create_user("alice", is_staff=True)
    user_model.objects.create_user("bob")
    built = []

    def build(name: str):
        built.append(name)
        return _by_username(name)

    prepared = PreparedQuery(build, "name")

    for username in ("alice", "bob", "nobody", "alice"):
        with CaptureQueriesContext(connection) as captured:
            rows = prepared.rows(connection.alias, name=username)
        # The same rows, converted alike (booleans and aware datetimes on SQLite too).
        assert rows == list(_by_username(username))
        assert len(captured.captured_queries) == 1
    assert len(built) == 1  # compiled once
    assert prepared.rows(name="alice")[0]["is_staff"] is True


def test_a_value_the_orm_would_rewrite_is_refused_at_compile_time():
    prepared = PreparedQuery(
        lambda name: get_user_model().objects.filter(username__icontains=name).values("pk"),
        "name",
    )

    with pytest.raises(ImproperlyConfigured, match="exactly one SQL parameter"):
        prepared.rows(name="alice")


def test_only_values_querysets_are_prepared():
    prepared = PreparedQuery(lambda name: get_user_model().objects.filter(username=name), "name")

    with pytest.raises(ImproperlyConfigured, match="values"):
        prepared.rows(name="alice")


def test_values_must_match_the_declared_names():
    prepared = PreparedQuery(_by_username, "name")

    with pytest.raises(TypeError):
        prepared.rows(username="alice")


# --- PreparedRows ----------------------------------------------------------------------------


@pytest.fixture
def tickets(desk, customer, other_customer, agent):
    """Tickets that differ in every column the rows carry: teams, assignees, amounts, times,
    tags, a merge."""
    from datetime import UTC, datetime
    from decimal import Decimal

    from tests import factories
    from tickets import services

    made = [
        factories.make_ticket(
            customer=customer,
            chain="TRX",
            txid="a" * 64,
            asset="USDT",
            amount=Decimal("250.000000000000000001"),
            transferred_at=datetime(2026, 11, 1, 8, 30, tzinfo=UTC),
            tags=["vip"],
        ),
        factories.make_ticket(customer=other_customer, category="withdrawal", subject="Stuck"),
        factories.make_ticket(customer=customer, category="security", subject="Odd login"),
        factories.make_ticket(customer=other_customer, category="kyc", subject="KYC"),
        factories.make_ticket(customer=customer, category="other", subject="Hello"),
    ]
    services.ticket_assign(ticket=made[1], agent=agent, acting_user=agent)
    services.ticket_merge(source=made[4], target=made[2], acting_user=agent)
    return made


def _rows():
    from tickets.models import Ticket
    from tickets.selectors import TICKET_ROW_FIELDS

    return PreparedRows(Ticket, TICKET_ROW_FIELDS), TICKET_ROW_FIELDS


@pytest.mark.parametrize(
    "ordering", [None, ("priority", "-id"), ("-updated_at",), ("customer__email", "id")]
)
@pytest.mark.parametrize(("start", "stop"), [(0, 2), (2, 4), (0, 100), (4, 9), (9, 12)])
def test_rows_are_the_pages_values_in_its_order(tickets, ordering, start, stop):
    from tickets.models import Ticket

    prepared, fields = _rows()
    listed = Ticket.objects.all() if ordering is None else Ticket.objects.order_by(*ordering)

    page = listed[start:stop]

    assert prepared.rows(page) == list(page.values(*fields))


def test_rows_follow_the_filters_and_their_joins(tickets, desk, agent):
    from django.db.models import Q

    from tickets.models import Ticket

    prepared, fields = _rows()
    for filtered in (
        Ticket.objects.filter(team__slug=desk.deposits.slug),
        Ticket.objects.filter(Q(assignee=agent) | Q(customer__email="bob@example.com")),
        Ticket.objects.filter(pk__in=[]),  # matches nothing without asking the database
        Ticket.objects.filter(subject__icontains="zzz"),
    ):
        page = filtered[:25]
        assert prepared.rows(page) == list(page.values(*fields))


def test_the_wide_query_is_compiled_once_per_connection_and_order(tickets, monkeypatch):
    from tickets.models import Ticket

    prepared, _ = _rows()
    compiled = []
    compile_ = prepared._compile
    monkeypatch.setattr(
        prepared,
        "_compile",
        lambda conn, ordering: compiled.append(ordering) or compile_(conn, ordering),
    )

    for start in (0, 1, 2):
        with CaptureQueriesContext(connection) as captured:
            prepared.rows(Ticket.objects.all()[start : start + 2])
        assert len(captured.captured_queries) == 1
    prepared.rows(Ticket.objects.order_by("priority")[:2])
    prepared.rows(Ticket.objects.order_by("priority")[2:4])

    assert compiled == [("-created_at", "-id"), ("priority",)]


def test_pages_it_cannot_follow_are_refused(tickets):
    from django.db.models import F

    from tickets.models import Customer, Ticket

    prepared, _ = _rows()

    with pytest.raises(TypeError):
        prepared.rows(Customer.objects.all()[:2])
    with pytest.raises(ValueError, match="reversed"):
        prepared.rows(Ticket.objects.reverse()[:2])
    with pytest.raises(ValueError, match="field names"):
        prepared.rows(Ticket.objects.order_by(F("priority").desc())[:2])


@pytest.mark.django_db(transaction=True)
def test_a_compiled_query_outlives_the_connection_that_compiled_it():
    """Under ASGI each request may get a connection of its own: the compiled query is
    shared by the database's connections and keeps none of them alive."""
    import gc
    import threading
    import weakref

    from django.db import connections

    from tickets.models import Ticket

    prepared, _ = _rows()
    compiled = []
    compile_ = prepared._compile
    prepared._compile = lambda conn, ordering: compiled.append(ordering) or compile_(conn, ordering)
    other_connection = []

    def in_another_thread():
        prepared.rows(Ticket.objects.all()[:5])
        other_connection.append(weakref.ref(connections["default"]))
        connections.close_all()

    thread = threading.Thread(target=in_another_thread)
    thread.start()
    thread.join()
    gc.collect()

    assert prepared.rows(Ticket.objects.all()[:5]) == []
    assert len(compiled) == 1
    assert other_connection and other_connection[0]() is None


def test_orders_chosen_by_clients_cannot_grow_the_cache_without_end(tickets):
    from tickets.models import Ticket

    prepared, fields = _rows()
    orders = [("priority",) * n + ("-id",) for n in range(1, 200)]

    for ordering in orders:
        page = Ticket.objects.order_by(*ordering)[:2]
        assert prepared.rows(page) == list(page.values(*fields))

    assert len(prepared._compiled._entries) <= 64


def test_querysets_whose_order_the_full_query_could_not_follow_are_refused(tickets):
    from tickets.models import Ticket

    prepared, _ = _rows()

    with pytest.raises(ValueError, match="orders by field names"):
        prepared.rows(Ticket.objects.order_by("?")[:2])
    with pytest.raises(ValueError, match="plain"):
        prepared.rows(Ticket.objects.distinct().order_by("priority")[:2])
