"""ORM queries compiled to SQL once, then run again with new values.

Turning a queryset into SQL costs the ORM far more Python than a small indexed query costs
the database: the API's token lookup with the agent's desk scope takes about 0.4 ms to
compile and 0.05 ms to run on SQLite. For the few hot reads whose shape never changes, a
`PreparedQuery` compiles once per database and afterwards only swaps parameter values.
`PreparedRows` does the same for the wide part of a list page (its columns and joins),
while the page's filters, order and slice are still compiled per request.

The SQL still comes from the ORM, so it follows the models and the database backend; rows
come back as `.values()` gives them, through the same converters (dates on SQLite,
decimals, booleans). Nothing of the connection that compiled a query is kept: under ASGI
every request may run on a connection of its own.
"""

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet
from django.db.models.expressions import RawSQL


@dataclass(frozen=True)
class _Compiled:
    """A compiled `.values()` query; it keeps nothing of the connection that compiled it."""

    sql: str
    params: tuple[Any, ...]
    names: tuple[str, ...]  # the `.values()` keys, in column order
    # Per converted column (dates on SQLite, decimals, booleans): its index, its expression
    # and its converters. A converter that is a method of the backend's operations is kept
    # unbound and bound to the running connection's on each run: kept bound, it would keep
    # the connection that compiled the query alive.
    converters: tuple[tuple[int, Any, tuple[tuple[Callable[..., Any], bool], ...]], ...]

    def rows(
        self, connection: BaseDatabaseWrapper, fetched: Iterable[Sequence[Any]]
    ) -> list[dict[str, Any]]:
        ops = connection.ops
        converters = [
            (index, expression, [f.__get__(ops) if unbound else f for f, unbound in functions])
            for index, expression, functions in self.converters
        ]
        names = self.names
        rows = []
        for fetched_row in fetched:
            row = list(fetched_row)
            for index, expression, functions in converters:
                value = row[index]
                for convert in functions:
                    value = convert(value, expression, connection)
                row[index] = value
            rows.append(dict(zip(names, row, strict=True)))
        return rows


def _compile_values(queryset: QuerySet[Any], connection: BaseDatabaseWrapper) -> _Compiled:
    query = queryset.query
    if not query.values_select and not query.annotation_select:
        raise ImproperlyConfigured("a prepared query must be a .values() queryset")
    compiler = query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
    ops = connection.ops
    return _Compiled(
        sql=sql,
        params=tuple(params),
        # As Django's ValuesIterable names them.
        names=(*query.extra_select, *query.values_select, *query.annotation_select),
        converters=tuple(
            (
                index,
                expression,
                tuple(
                    (f.__func__, True) if getattr(f, "__self__", None) is ops else (f, False)
                    for f in functions
                ),
            )
            for index, (functions, expression) in compiler.get_converters(columns).items()
        ),
    )


class _Cache:
    """Compiled queries by database alias (and whatever else shapes their SQL), at most
    `size` of them: a key can come from a request (the order of a list), and a client must
    not be able to grow it without end."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compile_: Callable[[], Any]) -> Any:
        compiled = self._entries.get(key)
        if compiled is None:
            compiled = compile_()
            with self._lock:
                self._entries[key] = compiled
                while len(self._entries) > self._size:
                    self._entries.popitem(last=False)
        return compiled


class PreparedQuery:
    """A `.values()` queryset built by `build(**markers)` and compiled once per database.

    Each name in `names` is passed to `build` as a unique marker string, which must reach
    the SQL unchanged as exactly one parameter: use it in an exact lookup on a text column
    (`filter(key=key)`), not in `icontains` (which wraps it in `%`) or in `__in`.
    """

    def __init__(self, build: Callable[..., QuerySet[Any]], *names: str) -> None:
        self._build = build
        self._names = names
        self._compiled = _Cache()

    def rows(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[dict[str, Any]]:
        """Run the query with `values` in place of the markers: its rows, as `.values()`."""
        if set(values) != set(self._names):
            raise TypeError(f"expected values for {sorted(self._names)}, got {sorted(values)}")
        connection = connections[using]
        compiled, slots = self._compiled.get(using, lambda: self._compile(connection))
        params = list(compiled.params)
        for name, index in slots.items():
            params[index] = values[name]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            return compiled.rows(connection, cursor.fetchall())

    def _compile(self, connection: BaseDatabaseWrapper) -> tuple[_Compiled, dict[str, int]]:
        markers = {name: f"\x00{name}:{secrets.token_hex(8)}\x00" for name in self._names}
        compiled = _compile_values(self._build(**markers), connection)
        slots = {}
        for name, marker in markers.items():
            positions = [i for i, param in enumerate(compiled.params) if param == marker]
            if len(positions) != 1:
                raise ImproperlyConfigured(
                    f"PreparedQuery: {name!r} must become exactly one SQL parameter, "
                    f"found {len(positions)}"
                )
            slots[name] = positions[0]
        return compiled, slots


class PreparedRows:
    """`.values()` rows of many columns for the page of a queryset, without compiling them
    per request.

    A list page selects many columns across several joins, but its filters, order and slice
    touch only a few. The ORM compiles the full page query on every request, and that costs
    more than running it: 0.5 ms of Python for the ticket list's 32 columns and 4 joins,
    against 0.1 ms on SQLite for a page found by index. So the request's queryset (its
    filters, order and slice, all from the ORM) is compiled as a query of primary keys only,
    and that goes into a full query compiled once per database and order:

        SELECT <fields> FROM ... WHERE pk IN (<the page's primary keys>) ORDER BY <same order>

    One statement still; the databases run the subquery first and look the page's rows up
    by primary key.
    """

    # Stands in for the subquery while the full query is compiled; valid SQL that is never run.
    _SLOT = f"SELECT 0 /* page {secrets.token_hex(8)} */"

    def __init__(self, model: type[Model], fields: Sequence[str]) -> None:
        self._model = model
        self._fields = tuple(fields)
        self._compiled = _Cache()

    def rows(self, page: QuerySet[Any]) -> list[dict[str, Any]]:
        """The rows of `page` (a filtered, ordered, usually sliced queryset of the model), in
        its order, as `page.values(*fields)` would give them."""
        if page.model is not self._model:
            raise TypeError(f"expected a queryset of {self._model.__name__}")
        query = page.query
        # The full query must put the page's rows in the page's own order, so that order
        # has to be plain field names, the same on both sides.
        if not query.standard_ordering:
            raise ValueError("PreparedRows cannot follow a reversed queryset; order it instead")
        if query.distinct or query.group_by is not None or query.extra_order_by:
            raise ValueError("PreparedRows follows plain filtered and ordered querysets only")
        ordering = tuple(query.order_by) or (
            tuple(self._model._meta.ordering) if query.default_ordering else ()
        )
        if not all(isinstance(field, str) and field != "?" for field in ordering):
            raise ValueError("PreparedRows orders by field names only")
        connection = connections[page.db]
        compiled = self._compiled.get(
            (page.db, ordering), lambda: self._compile(connection, ordering)
        )
        try:
            keys_sql, params = page.values("pk").query.get_compiler(connection=connection).as_sql()
        except EmptyResultSet:  # a filter that can match nothing, such as `pk__in=[]`
            return []
        before, after = compiled.sql.split(self._SLOT)
        with connection.cursor() as cursor:
            cursor.execute(before + keys_sql + after, params)
            return compiled.rows(connection, cursor.fetchall())

    def _compile(self, connection: BaseDatabaseWrapper, ordering: tuple[str, ...]) -> _Compiled:
        template = (
            # A constant of this class, replaced before anything runs.
            self._model._default_manager.filter(pk__in=RawSQL(self._SLOT, ()))  # noqa: S611
            .order_by(*ordering)
            .values(*self._fields)
        )
        compiled = _compile_values(template, connection)
        if compiled.params or compiled.sql.count(self._SLOT) != 1:
            raise ImproperlyConfigured(
                f"PreparedRows: the query of {self._fields} must compile without parameters"
            )
        return compiled
