"""Where the analyzed articles are indexed: SQLite FTS5 or PostgreSQL full text.

Both receive terms already produced by `analysis.analyze`, so they agree on what matches.
Only published articles are in the index, each with its language, so a search filters and
ranks inside the index and never visits the article table for the articles it skips. The
engine asks three things of a backend: how many documents hold each term (to weigh the
terms and plan the query), the documents whose title matches a boolean expression best
by the backend's own rank, and the documents matching one anywhere, unranked. Both come
with their title terms, for the engine's own ranking.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol, Union

from django.db import connection

SQLITE_TABLE = "helpcenter_article_fts"
SQLITE_TERMS = "helpcenter_article_fts_terms"  # fts5vocab: documents per term
# Facets and title again, for searches in titles only: FTS5 reads a term's whole list of
# documents (all columns) even when the match is restricted to one column.
SQLITE_TITLES = "helpcenter_article_fts_title"
POSTGRES_TABLE = "helpcenter_article_search"
POSTGRES_TERMS = "helpcenter_article_search_terms"  # kept by triggers; '' counts documents
ARTICLE_TABLE = "helpcenter_article"  # its search_title: the title terms
# Matches are fetched up to one more than this; a results page says "1000+" beyond it.
COUNT_CAP = 1000
_PG_MAX_POSITIONS = 255  # PostgreSQL keeps at most 256 positions per lexeme
_BATCH = 200  # documents per INSERT


@dataclass(frozen=True)
class Document:
    """One published article as the index sees it."""

    article_id: int
    language: str
    title_terms: Sequence[str]
    body_terms: Sequence[str]


# Boolean match expressions over index terms: a term, All(...) or AnyOf(...).
@dataclass(frozen=True)
class All:
    parts: tuple["Match", ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple["Match", ...]


@dataclass(frozen=True)
class Phrase:
    """Terms next to each other, in this order."""

    terms: tuple[str, ...]


Match = Union[str, All, AnyOf, Phrase]  # noqa: UP007 - a forward-referenced union reads clearer so


class Hit(NamedTuple):  # a tuple: a search returns up to a thousand of them
    article_id: int
    title: str  # the article's title terms, space-separated, for a first ranking


class Backend(Protocol):
    def replace(self, documents: Sequence[Document]) -> None: ...

    def remove(self, article_ids: Sequence[int]) -> None: ...

    def clear(self) -> None: ...

    def is_empty(self) -> bool: ...

    def frequencies(self, terms: Sequence[str]) -> tuple[dict[str, int], int]: ...

    def best_titles(self, match: Match, language: str, limit: int) -> list[Hit]:
        """The `limit` documents whose title matches best, by the backend's rank."""
        ...

    def matching(self, match: Match, language: str, limit: int) -> list[Hit]:
        """Up to `limit` documents matching anywhere, in no particular order."""
        ...

    def size_bytes(self) -> int | None: ...


def _render(match: Match, quote, and_: str, or_: str, phrase) -> str:  # type: ignore[no-untyped-def]
    if isinstance(match, str):
        return quote(match)
    if isinstance(match, Phrase):
        return phrase(match.terms)
    joiner = and_ if isinstance(match, All) else or_
    return "(" + joiner.join(_render(part, quote, and_, or_, phrase) for part in match.parts) + ")"


# --- SQLite FTS5 ---------------------------------------------------------------------------------


def _fts_quote(term: str) -> str:
    # Quoted, so FTS5 never reads a term as an operator (AND, OR, NOT, NEAR).
    return '"' + term.replace('"', "") + '"'


def _fts_phrase(terms: Sequence[str]) -> str:
    return '"' + " ".join(t.replace('"', "") for t in terms) + '"'


def render_fts(match: Match) -> str:
    return _render(match, _fts_quote, " AND ", " OR ", _fts_phrase)


def _language_token(language: str) -> str:
    # `_` is a token character of this FTS table only; analysis never produces it, so no
    # article word can collide with a language token.
    return "_lang_" + language.replace("-", "_")


def _sqlite_varint(data: bytes) -> int:
    """The varint at the start of `data`, in SQLite's format: big-endian, 7 bits a byte
    while the high bit is set, and all 8 bits of a ninth byte."""
    value = 0
    for position, byte in enumerate(data[:9]):
        if position == 8:
            return (value << 8) | byte
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            break
    return value


class SQLiteBackend:
    """FTS5 table keyed by the article id (its rowid): facets (the language token), title,
    body; an fts5vocab table over it gives document frequencies. A second FTS5 table holds
    facets and title only, for searches in titles."""

    def replace(self, documents: Sequence[Document]) -> None:
        if not documents:
            return
        self.remove([d.article_id for d in documents])
        rows = [
            (
                d.article_id,
                _language_token(d.language),
                " ".join(d.title_terms),
                " ".join(d.body_terms),
            )
            for d in documents
        ]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {SQLITE_TABLE} (rowid, facets, title, body) VALUES (%s, %s, %s, %s)",
                rows,
            )
            cursor.executemany(
                f"INSERT INTO {SQLITE_TITLES} (rowid, facets, title) VALUES (%s, %s, %s)",
                [row[:3] for row in rows],
            )

    def remove(self, article_ids: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            for start in range(0, len(article_ids), _BATCH):
                ids = list(article_ids[start : start + _BATCH])
                placeholders = ", ".join(["%s"] * len(ids))
                for table in (SQLITE_TABLE, SQLITE_TITLES):
                    cursor.execute(f"DELETE FROM {table} WHERE rowid IN ({placeholders})", ids)

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {SQLITE_TITLES}")
            cursor.execute(f"DELETE FROM {SQLITE_TABLE}")

    def is_empty(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {SQLITE_TABLE} LIMIT 1")
            return cursor.fetchone() is None

    def frequencies(self, terms: Sequence[str]) -> tuple[dict[str, int], int]:
        wanted = list(dict.fromkeys(terms))
        found: dict[str, int] = {}
        with connection.cursor() as cursor:
            for start in range(0, len(wanted), _BATCH):
                chunk = wanted[start : start + _BATCH]
                cursor.execute(
                    f"SELECT term, doc FROM {SQLITE_TERMS} "
                    f"WHERE term IN ({', '.join(['%s'] * len(chunk))})",
                    chunk,
                )
                found.update(cursor.fetchall())
        return found, self._documents()

    def _documents(self) -> int:
        """Documents in the index. fts5vocab counts a term by reading its whole list of
        documents, so counting the language tokens (every document has one) costs
        milliseconds on a large index; FTS5 keeps the number itself, as the first varint
        of its "averages" record (row 1 of the %_data table)."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT block FROM {SQLITE_TABLE}_data WHERE id = 1")
            row = cursor.fetchone()
            if row is not None and row[0]:
                return _sqlite_varint(bytes(row[0]))
            cursor.execute(f"SELECT count(*) FROM {SQLITE_TABLE}_docsize")
            return cursor.fetchone()[0]

    @staticmethod
    def _match(match: Match, language: str) -> str:
        return f"facets : {_fts_quote(_language_token(language))} AND {render_fts(match)}"

    def best_titles(self, match: Match, language: str, limit: int) -> list[Hit]:
        # Ranked inside FTS5 (bm25 with the facets column weighing nothing), never joined to
        # the article table: the cost is the index's, whatever the articles' size. The title
        # terms are read for the hits returned only (after the LIMIT), not for every match.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT f.rowid, f.title FROM ("
                f"SELECT rowid AS id, bm25({SQLITE_TITLES}, 0.0, 1.0) AS score "
                f"FROM {SQLITE_TITLES} WHERE {SQLITE_TITLES} MATCH %s "
                "ORDER BY score, rowid LIMIT %s"
                f") r JOIN {SQLITE_TITLES} f ON f.rowid = r.id ORDER BY r.score, r.id",
                [self._match(match, language), limit],
            )
            return [Hit(*row) for row in cursor]

    def matching(self, match: Match, language: str, limit: int) -> list[Hit]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, title FROM {SQLITE_TABLE} WHERE {SQLITE_TABLE} MATCH %s LIMIT %s",
                [self._match(match, language), limit],
            )
            return [Hit(*row) for row in cursor]

    def size_bytes(self) -> int | None:
        with connection.cursor() as cursor:
            try:
                cursor.execute(
                    "SELECT sum(pgsize) FROM dbstat WHERE name LIKE %s",
                    [f"{SQLITE_TABLE}%"],
                )
            except Exception:  # dbstat is an optional SQLite module
                return None
            return cursor.fetchone()[0]


# --- PostgreSQL ----------------------------------------------------------------------------------


def _tsvector_literal(weighted: Sequence[tuple[str, Sequence[str]]]) -> str:
    """A tsvector written out ('term':1A,2A 'other':3B), so PostgreSQL's own parser —
    which knows nothing of Chinese words — never re-splits our terms."""
    positions: dict[str, list[str]] = {}
    position = 0
    for weight, terms in weighted:
        for term in terms:
            position = min(position + 1, 16383)
            slots = positions.setdefault(term, [])
            if len(slots) < _PG_MAX_POSITIONS:
                slots.append(f"{position}{weight}")
    return " ".join(
        "'" + term.replace("'", "''").replace("\\", "") + "':" + ",".join(slots)
        for term, slots in positions.items()
    )


def _tsquery_quote(term: str) -> str:
    return "'" + term.replace("'", "''").replace("\\", "") + "'"


def render_tsquery(match: Match) -> str:
    return _render(
        match,
        _tsquery_quote,
        " & ",
        " | ",
        lambda terms: "(" + " <-> ".join(map(_tsquery_quote, terms)) + ")",
    )


class PostgresBackend:
    """A row per article: language, a title tsvector and a whole-document tsvector (title
    terms weight A, body B), each with a GIN index. Triggers keep document frequencies."""

    def replace(self, documents: Sequence[Document]) -> None:
        if not documents:
            return
        self.remove([d.article_id for d in documents])
        with connection.cursor() as cursor:
            # One multi-row INSERT per batch: the frequency trigger runs once per statement.
            for start in range(0, len(documents), _BATCH):
                batch = documents[start : start + _BATCH]
                values = ", ".join(["(%s, %s, %s::tsvector, %s::tsvector)"] * len(batch))
                params: list[object] = []
                for d in batch:
                    params += [
                        d.article_id,
                        d.language,
                        _tsvector_literal([("A", d.title_terms)]),
                        _tsvector_literal([("A", d.title_terms), ("B", d.body_terms)]),
                    ]
                cursor.execute(
                    f"INSERT INTO {POSTGRES_TABLE} (article_id, language, title, document) "
                    f"VALUES {values}",
                    params,
                )

    def remove(self, article_ids: Sequence[int]) -> None:
        if not article_ids:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {POSTGRES_TABLE} WHERE article_id = ANY(%s)", [list(article_ids)]
            )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {POSTGRES_TABLE}")

    def is_empty(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {POSTGRES_TABLE} LIMIT 1")
            return cursor.fetchone() is None

    def frequencies(self, terms: Sequence[str]) -> tuple[dict[str, int], int]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT term, df FROM {POSTGRES_TERMS} WHERE term = ANY(%s) AND df > 0",
                [["", *terms]],
            )
            found = dict(cursor.fetchall())
        return found, found.pop("", 0)

    def best_titles(self, match: Match, language: str, limit: int) -> list[Hit]:
        # Normalization 1 divides by 1 + log(title length): a long title does not win by
        # sheer size. The title terms are read for the hits returned only, after the LIMIT.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT r.article_id, a.search_title FROM ("
                f"SELECT s.article_id, ts_rank(s.title, q, 1) AS score "
                f"FROM {POSTGRES_TABLE} s, CAST(%s AS tsquery) q "
                f"WHERE s.language = %s AND s.title @@ q "
                "ORDER BY score DESC, s.article_id LIMIT %s"
                f") r JOIN {ARTICLE_TABLE} a ON a.id = r.article_id "
                "ORDER BY r.score DESC, r.article_id",
                [render_tsquery(match), language, limit],
            )
            return [Hit(*row) for row in cursor]

    def matching(self, match: Match, language: str, limit: int) -> list[Hit]:
        # No ts_rank: the GIN index answers which documents match, no ranking reads them.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT s.article_id, a.search_title FROM {POSTGRES_TABLE} s "
                f"JOIN {ARTICLE_TABLE} a ON a.id = s.article_id "
                f"WHERE s.language = %s AND s.document @@ CAST(%s AS tsquery) LIMIT %s",
                [language, render_tsquery(match), limit],
            )
            return [Hit(*row) for row in cursor]

    def size_bytes(self) -> int | None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_total_relation_size(%s) + pg_total_relation_size(%s)",
                [POSTGRES_TABLE, POSTGRES_TERMS],
            )
            return cursor.fetchone()[0]


def current() -> Backend:
    """The backend of the database in use: one search function, two engines."""
    return PostgresBackend() if connection.vendor == "postgresql" else SQLiteBackend()
