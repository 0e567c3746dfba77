"""The full-text index, in the form the database in use supports.

SQLite gets an FTS5 table, PostgreSQL a tsvector table with a GIN index; both are filled by
`helpcenter.search` from the analyzed text, and `manage.py kb_reindex` rebuilds them.
"""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS helpcenter_article_fts USING fts5("
    "title, body, tokenize = 'unicode61 remove_diacritics 0')",
]
POSTGRES = [
    # No foreign key: Django's test flush truncates model tables without CASCADE. Deleting an
    # article removes its row (helpcenter.search.index), and searches join on live articles.
    "CREATE TABLE IF NOT EXISTS helpcenter_article_search ("
    " article_id bigint PRIMARY KEY,"
    " document tsvector NOT NULL)",
    "CREATE INDEX IF NOT EXISTS helpcenter_article_search_document"
    " ON helpcenter_article_search USING gin (document)",
]


def create(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TABLE IF EXISTS helpcenter_article_search")
    else:
        schema_editor.execute("DROP TABLE IF EXISTS helpcenter_article_fts")


class Migration(migrations.Migration):
    dependencies = [("helpcenter", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
