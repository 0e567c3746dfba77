"""ORM queries compiled to SQL once, then run again with new values.

Turning a queryset into SQL costs the ORM far more Python than a small indexed query costs
the database: the API's token lookup with the agent's desk scope takes about 0.4 ms to
compile and 0.05 ms to run on SQLite. For the few hot reads whose shape never changes, a
`PreparedQuery` compiles once per database connection and afterwards only swaps parameter
values. `PreparedRows` does the same for the wide part of a list page (its columns and
joins), while the page's filters, order and slice are still compiled per request.

The SQL still comes from the ORM, so it follows the models and the database backend; rows
come back as `.values()` gives them, through the same converters (dates on SQLite,
decimals, booleans). Converters are bound to the connection that compiled them, so each
connection (one per thread and database) compiles its own copy.
"""

import secrets
import threading
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    names: tuple[str, ...]  # the `.values()` keys, in column order
    compiler: SQLCompiler  # applies the columns' converters
    converters: dict[int, tuple[list[Callable[..., Any]], Any]]

    def rows(self, fetched: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
        converted = self.compiler.apply_converters(fetched, self.converters)
        return [dict(zip(self.names, row, strict=True)) for row in converted]


def _compile_values(queryset: QuerySet[Any], connection: BaseDatabaseWrapper) -> _Compiled:
    query = queryset.query
    if not query.values_select and not query.annotation_select:
        raise ImproperlyConfigured("a prepared query must be a .values() queryset")
    compiler = query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    return _Compiled(
        sql=sql,
        params=tuple(params),
        # As Django's ValuesIterable names them.
        names=(*query.extra_select, *query.values_select, *query.annotation_select),
        compiler=compiler,
        converters=compiler.get_converters(
            [column for column, _, _ in compiler.select[: compiler.col_count]]
        ),
    )


class _PerConnection:
    """What each database connection compiled, kept as long as the connection lives."""

    def __init__(self) -> None:
        self._by_connection: weakref.WeakKeyDictionary[BaseDatabaseWrapper, dict[Any, Any]] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    def get(self, connection: BaseDatabaseWrapper, key: Any) -> Any:
        return self._by_connection.get(connection, {}).get(key)

    def put(self, connection: BaseDatabaseWrapper, key: Any, value: Any) -> Any:
        with self._lock:
            self._by_connection.setdefault(connection, {})[key] = value
        return value


class PreparedQuery:
    """A `.values()` queryset built by `build(**markers)` and compiled once per connection.

    Each name in `names` is passed to `build` as a unique marker string, which must reach
    the SQL unchanged as exactly one parameter: use it in an exact lookup on a text column
    (`filter(key=key)`), not in `icontains` (which wraps it in `%`) or in `__in`.
    """

    def __init__(self, build: Callable[..., QuerySet[Any]], *names: str) -> None:
        self._build = build
        self._names = names
        self._compiled = _PerConnection()

    def rows(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[dict[str, Any]]:
        """Run the query with `values` in place of the markers: its rows, as `.values()`."""
        if set(values) != set(self._names):
            raise TypeError(f"expected values for {sorted(self._names)}, got {sorted(values)}")
        connection = connections[using]
        prepared = self._compiled.get(connection, None)
        if prepared is None:
            prepared = self._compiled.put(connection, None, self._compile(connection))
        compiled, slots = prepared
        params = list(compiled.params)
        for name, index in slots.items():
            params[index] = values[name]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            return compiled.rows(cursor.fetchall())

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
    and that goes into a full query compiled once per connection and order:

        SELECT <fields> FROM ... WHERE pk IN (<the page's primary keys>) ORDER BY <same order>

    One statement still; the databases run the subquery first and look the page's rows up
    by primary key.
    """

    # Stands in for the subquery while the full query is compiled; valid SQL that is never run.
    _SLOT = f"SELECT 0 /* page {secrets.token_hex(8)} */"

    def __init__(self, model: type[Model], fields: Sequence[str]) -> None:
        self._model = model
        self._fields = tuple(fields)
        self._compiled = _PerConnection()

    def rows(self, page: QuerySet[Any]) -> list[dict[str, Any]]:
        """The rows of `page` (a filtered, ordered, usually sliced queryset of the model), in
        its order, as `page.values(*fields)` would give them."""
        if page.model is not self._model:
            raise TypeError(f"expected a queryset of {self._model.__name__}")
        query = page.query
        if not query.standard_ordering:
            raise ValueError("PreparedRows cannot follow a reversed queryset; order it instead")
        ordering = tuple(query.order_by) or (
            tuple(self._model._meta.ordering) if query.default_ordering else ()
        )
        if not all(isinstance(field, str) for field in ordering):
            raise ValueError("PreparedRows orders by field names only")
        connection = connections[page.db]
        compiled = self._compiled.get(connection, ordering)
        if compiled is None:
            compiled = self._compiled.put(connection, ordering, self._compile(connection, ordering))
        try:
            keys_sql, params = page.values("pk").query.get_compiler(connection=connection).as_sql()
        except EmptyResultSet:  # a filter that can match nothing, such as `pk__in=[]`
            return []
        before, after = compiled.sql.split(self._SLOT)
        with connection.cursor() as cursor:
            cursor.execute(before + keys_sql + after, params)
            return compiled.rows(cursor.fetchall())

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
