"""SQLite: a second FTS5 table holding only the language token and the title terms.

FTS5 keeps one list of documents per term for all columns, so a search restricted to
titles (`title : ...`) still reads every document that holds a common word anywhere;
titles alone, in a table of their own, have much shorter lists. PostgreSQL already has a
title tsvector with its own GIN index (0004). The new table is filled from the existing one.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "DROP TABLE IF EXISTS helpcenter_article_fts_title",
    "CREATE VIRTUAL TABLE helpcenter_article_fts_title USING fts5("
    "facets, title, tokenize = \"unicode61 remove_diacritics 0 tokenchars '_'\")",
    "INSERT INTO helpcenter_article_fts_title (rowid, facets, title)"
    " SELECT rowid, facets, title FROM helpcenter_article_fts",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS helpcenter_article_fts_title"]


def _run(statements: list[str]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor != "sqlite":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("helpcenter", "0004_search_index_v2")]

    operations = [migrations.RunPython(_run(SQLITE_FORWARD), _run(SQLITE_BACKWARD))]
