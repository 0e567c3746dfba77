"""ORM queries compiled to SQL once, then run again with new values.

Turning a queryset into SQL costs the ORM far more Python than a small indexed query costs
the database: the API's token lookup with the agent's desk scope takes about 0.4 ms to
compile and 0.05 ms to run on SQLite. For the few hot reads whose shape never changes, a
`PreparedQuery` compiles once per database and afterwards only swaps parameter values.
`PreparedRows` does the same for the wide part of a list page (its columns and joins), while
the page's filters, order and slice are still compiled per request.

The SQL still comes from the ORM, so it follows the models and the database backend; only
the values named when the query is declared change between runs.
"""

import secrets
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.sql.compiler import SQLCompiler


class PreparedQuery:
    """A queryset built by `build(**markers)` and compiled once per database alias.

    Each name in `names` is passed to `build` as a unique marker string, which must reach
    the SQL unchanged as exactly one parameter: use it in an exact lookup on a text column
    (`filter(key=key)`), not in `icontains` (which wraps it in `%`) or in `__in`.
    """

    def __init__(self, build: Callable[..., QuerySet[Any]], *names: str) -> None:
        self._build = build
        self._names = names
        self._compiled: dict[str, tuple[str, tuple[Any, ...], dict[str, int]]] = {}
        self._lock = threading.Lock()

    def bind(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> tuple[str, list[Any]]:
        """The SQL and its parameters with `values` in place of the markers."""
        if set(values) != set(self._names):
            raise TypeError(f"expected values for {sorted(self._names)}, got {sorted(values)}")
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compile(using)
        sql, params, slots = compiled
        bound = list(params)
        for name, index in slots.items():
            bound[index] = values[name]
        return sql, bound

    def _compile(self, using: str) -> tuple[str, tuple[Any, ...], dict[str, int]]:
        with self._lock:
            if using in self._compiled:
                return self._compiled[using]
            markers = {name: f"\x00{name}:{secrets.token_hex(8)}\x00" for name in self._names}
            sql, params = self._build(**markers).query.get_compiler(using).as_sql()
            slots = {}
            for name, marker in markers.items():
                positions = [i for i, param in enumerate(params) if param == marker]
                if len(positions) != 1:
                    raise ImproperlyConfigured(
                        f"PreparedQuery: {name!r} must become exactly one SQL parameter, "
                        f"found {len(positions)}"
                    )
                slots[name] = positions[0]
            compiled = (sql, tuple(params), slots)
            self._compiled[using] = compiled
            return compiled


@dataclass(frozen=True)
class _CompiledRows:
    before: str  # the full query's SQL up to the subquery of primary keys
    after: str  # and after it
    compiler: SQLCompiler  # applies the columns' converters (dates on SQLite, decimals, ...)
    converters: dict[int, tuple[list[Callable[..., Any]], Any]]


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
        # Converters are bound to the connection that compiled them, so each connection
        # (one per thread and database) compiles its own.
        self._compiled: weakref.WeakKeyDictionary[
            BaseDatabaseWrapper, dict[tuple[str, ...], _CompiledRows]
        ] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

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
        compiled = self._compiled.get(connection, {}).get(ordering)
        if compiled is None:
            compiled = self._compile(connection, ordering)
        try:
            keys_sql, params = page.values("pk").query.get_compiler(connection=connection).as_sql()
        except EmptyResultSet:  # a filter that can match nothing, such as `pk__in=[]`
            return []
        with connection.cursor() as cursor:
            cursor.execute(compiled.before + keys_sql + compiled.after, params)
            fetched = cursor.fetchall()
        converted = compiled.compiler.apply_converters(fetched, compiled.converters)
        return [dict(zip(self._fields, row, strict=True)) for row in converted]

    def _compile(self, connection: BaseDatabaseWrapper, ordering: tuple[str, ...]) -> _CompiledRows:
        template = (
            # A constant of this class, replaced before anything runs.
            self._model._default_manager.filter(pk__in=RawSQL(self._SLOT, ()))  # noqa: S611
            .order_by(*ordering)
            .values(*self._fields)
        )
        compiler = template.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        parts = sql.split(self._SLOT)
        if params or len(parts) != 2:
            raise ImproperlyConfigured(
                f"PreparedRows: the query of {self._fields} must compile without parameters"
            )
        compiled = _CompiledRows(
            before=parts[0],
            after=parts[1],
            compiler=compiler,
            converters=compiler.get_converters(
                [column for column, _, _ in compiler.select[: compiler.col_count]]
            ),
        )
        with self._lock:
            self._compiled.setdefault(connection, {})[ordering] = compiled
        return compiled
