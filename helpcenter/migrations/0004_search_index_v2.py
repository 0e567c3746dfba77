"""The search index holds published articles only, filterable by language, with term counts.

- SQLite: the FTS5 table gains a `facets` column (the article's language as one token such
  as `_lang_en`, which analysis never produces: `_` is a token character here only) and an
  `fts5vocab` view that gives each term's document frequency.
- PostgreSQL: the tsvector table gains the language and a title-only tsvector (each with a
  GIN index), and a table of document frequencies kept by statement-level triggers.

The index is rebuilt after migrating (helpcenter.apps: an empty index with published
articles is filled), so this migration only changes structures.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "DROP TABLE IF EXISTS helpcenter_article_fts",
    "CREATE VIRTUAL TABLE helpcenter_article_fts USING fts5("
    "facets, title, body, tokenize = \"unicode61 remove_diacritics 0 tokenchars '_'\")",
    "CREATE VIRTUAL TABLE helpcenter_article_fts_terms"
    " USING fts5vocab(helpcenter_article_fts, 'row')",
]
SQLITE_BACKWARD = [
    "DROP TABLE IF EXISTS helpcenter_article_fts_terms",
    "DROP TABLE IF EXISTS helpcenter_article_fts",
    "CREATE VIRTUAL TABLE helpcenter_article_fts USING fts5("
    "title, body, tokenize = 'unicode61 remove_diacritics 0')",
]

# Document frequency per term, and the number of documents under the empty term. Counted per
# statement from the transition tables, so a batch of 500 articles is one upsert of its
# distinct terms rather than one per article and term.
POSTGRES_FORWARD = [
    "DROP TABLE IF EXISTS helpcenter_article_search",
    "CREATE TABLE helpcenter_article_search ("
    " article_id bigint PRIMARY KEY,"
    " language varchar(8) NOT NULL,"
    " title tsvector NOT NULL,"
    " document tsvector NOT NULL)",
    "CREATE INDEX helpcenter_article_search_document"
    " ON helpcenter_article_search USING gin (document)",
    "CREATE INDEX helpcenter_article_search_title ON helpcenter_article_search USING gin (title)",
    "CREATE TABLE helpcenter_article_search_terms (term text PRIMARY KEY, df integer NOT NULL)",
    """
    CREATE FUNCTION helpcenter_search_terms_count() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO helpcenter_article_search_terms AS t (term, df)
            SELECT term, count(*) FROM (
                SELECT unnest(tsvector_to_array(document)) AS term FROM changed_rows
                UNION ALL SELECT '' FROM changed_rows
            ) terms GROUP BY term
            ON CONFLICT (term) DO UPDATE SET df = t.df + EXCLUDED.df;
        ELSE
            UPDATE helpcenter_article_search_terms AS t SET df = t.df - gone.n
            FROM (
                SELECT term, count(*) AS n FROM (
                    SELECT unnest(tsvector_to_array(document)) AS term FROM changed_rows
                    UNION ALL SELECT '' FROM changed_rows
                ) terms GROUP BY term
            ) gone
            WHERE t.term = gone.term;
        END IF;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER helpcenter_search_terms_added AFTER INSERT ON helpcenter_article_search"
    " REFERENCING NEW TABLE AS changed_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION helpcenter_search_terms_count()",
    "CREATE TRIGGER helpcenter_search_terms_removed AFTER DELETE ON helpcenter_article_search"
    " REFERENCING OLD TABLE AS changed_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION helpcenter_search_terms_count()",
    # No UPDATE trigger: the index replaces a row by deleting and inserting it.
]
POSTGRES_BACKWARD = [
    "DROP TABLE IF EXISTS helpcenter_article_search",
    "DROP TABLE IF EXISTS helpcenter_article_search_terms",
    "DROP FUNCTION IF EXISTS helpcenter_search_terms_count()",
    "CREATE TABLE helpcenter_article_search (article_id bigint PRIMARY KEY,"
    " document tsvector NOT NULL)",
    "CREATE INDEX helpcenter_article_search_document"
    " ON helpcenter_article_search USING gin (document)",
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        vendor = schema_editor.connection.vendor
        for statement in statements["postgresql" if vendor == "postgresql" else "sqlite"]:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("helpcenter", "0003_seed_synonyms")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
