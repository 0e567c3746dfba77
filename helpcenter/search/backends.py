"""Where the analyzed articles are indexed: SQLite FTS5 or PostgreSQL full text.

Both receive terms already produced by `analysis.analyze`, so they agree on what matches;
each ranks with its own engine (FTS5's BM25, PostgreSQL's ts_rank), title terms weighing
several times more than body terms. Unpublished articles stay indexed and are filtered
out at query time, so publishing and unpublishing only flip a status.
"""

from dataclasses import dataclass
from typing import Protocol

from django.db import connection

SQLITE_TABLE = "helpcenter_article_fts"
# Matches are counted up to this many; a results page says "1000+" beyond it. Counting every
# match of a common word in a large help center would cost more than ranking the page.
COUNT_CAP = 1000
POSTGRES_TABLE = "helpcenter_article_search"
# Title terms count this many times a body term.
TITLE_WEIGHT = 8.0
_PG_MAX_POSITIONS = 255  # PostgreSQL keeps at most 256 positions per lexeme


@dataclass(frozen=True)
class Hit:
    article_id: int
    score: float


class Backend(Protocol):
    def index(self, article_id: int, title_terms: list[str], body_terms: list[str]) -> None: ...

    def remove(self, article_id: int) -> None: ...

    def clear(self) -> None: ...

    def search(
        self, groups: list[list[str]], language: str, limit: int, *, require_all: bool
    ) -> tuple[list[Hit], int]: ...

    def size_bytes(self) -> int | None: ...


def _language_first(language_sql: str) -> str:
    return f"CASE WHEN a.language = {language_sql} THEN 0 ELSE 1 END"


class SQLiteBackend:
    """FTS5 table keyed by the article id (its rowid)."""

    def index(self, article_id: int, title_terms: list[str], body_terms: list[str]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {SQLITE_TABLE} WHERE rowid = %s", [article_id])
            cursor.execute(
                f"INSERT INTO {SQLITE_TABLE} (rowid, title, body) VALUES (%s, %s, %s)",
                [article_id, " ".join(title_terms), " ".join(body_terms)],
            )

    def remove(self, article_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {SQLITE_TABLE} WHERE rowid = %s", [article_id])

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {SQLITE_TABLE}")

    def search(
        self, groups: list[list[str]], language: str, limit: int, *, require_all: bool
    ) -> tuple[list[Hit], int]:
        # Each term quoted: FTS5 reads bare words such as AND, OR, NEAR as operators.
        alternatives = [
            " OR ".join('"' + t.replace('"', "") + '"' for t in group) for group in groups
        ]
        if require_all:
            match = " AND ".join(f"({a})" for a in alternatives)
        else:
            match = " OR ".join(alternatives)
        where = (
            f"{SQLITE_TABLE} MATCH %s AND a.id = {SQLITE_TABLE}.rowid AND a.status = 'published'"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT a.id, bm25({SQLITE_TABLE}, {TITLE_WEIGHT}, 1.0) AS rank "
                f"FROM {SQLITE_TABLE}, helpcenter_article a WHERE {where} "
                f"ORDER BY {_language_first('%s')}, rank, a.id LIMIT %s",
                [match, language, limit],
            )
            # FTS5's bm25() is lower-is-better; present it as higher-is-better.
            hits = [Hit(article_id=row[0], score=-row[1]) for row in cursor.fetchall()]
            if len(hits) < limit:
                return hits, len(hits)
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {SQLITE_TABLE}, helpcenter_article a "
                f"WHERE {where} LIMIT %s)",
                [match, COUNT_CAP],
            )
            return hits, cursor.fetchone()[0]

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


def _tsvector_literal(title_terms: list[str], body_terms: list[str]) -> str:
    """A tsvector written out ('term':1A,2A 'other':3B), so PostgreSQL's own parser —
    which knows nothing of Chinese words — never re-splits our terms."""
    positions: dict[str, list[str]] = {}
    position = 0
    for weight, terms in (("A", title_terms), ("B", body_terms)):
        for term in terms:
            position = min(position + 1, 16383)
            slots = positions.setdefault(term, [])
            if len(slots) < _PG_MAX_POSITIONS:
                slots.append(f"{position}{weight}")
    return " ".join(
        "'" + term.replace("'", "''").replace("\\", "") + "':" + ",".join(slots)
        for term, slots in positions.items()
    )


class PostgresBackend:
    """A tsvector per article with a GIN index; weights A (title) and B (body)."""

    def index(self, article_id: int, title_terms: list[str], body_terms: list[str]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {POSTGRES_TABLE} (article_id, document) VALUES (%s, %s::tsvector) "
                "ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document",
                [article_id, _tsvector_literal(title_terms, body_terms)],
            )

    def remove(self, article_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {POSTGRES_TABLE} WHERE article_id = %s", [article_id])

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {POSTGRES_TABLE}")

    def search(
        self, groups: list[list[str]], language: str, limit: int, *, require_all: bool
    ) -> tuple[list[Hit], int]:
        alternatives = [
            " | ".join("'" + t.replace("'", "''").replace("\\", "") + "'" for t in group)
            for group in groups
        ]
        joiner = " & " if require_all else " | "
        query = joiner.join(f"({a})" for a in alternatives)
        # {D, C, B, A} weights; normalization 1 divides by 1 + log(document length) so that
        # long articles do not win by sheer size (as BM25 does on SQLite).
        weights = f"'{{0.1, 0.2, {1 / TITLE_WEIGHT:.3f}, 1.0}}'"
        where = "s.document @@ q AND a.id = s.article_id AND a.status = 'published'"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT a.id, ts_rank({weights}, s.document, q, 1) AS rank "
                f"FROM {POSTGRES_TABLE} s, helpcenter_article a, CAST(%s AS tsquery) q "
                f"WHERE {where} "
                f"ORDER BY {_language_first('%s')}, rank DESC, a.id LIMIT %s",
                [query, language, limit],
            )
            hits = [Hit(article_id=row[0], score=float(row[1])) for row in cursor.fetchall()]
            if len(hits) < limit:
                return hits, len(hits)
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {POSTGRES_TABLE} s, helpcenter_article a,"
                f" CAST(%s AS tsquery) q WHERE {where} LIMIT %s) capped",
                [query, COUNT_CAP],
            )
            return hits, cursor.fetchone()[0]

    def size_bytes(self) -> int | None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size(%s)", [POSTGRES_TABLE])
            return cursor.fetchone()[0]


def current() -> Backend:
    """The backend of the database in use: one search function, two engines."""
    return PostgresBackend() if connection.vendor == "postgresql" else SQLiteBackend()
