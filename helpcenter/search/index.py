"""Keeping the full-text index in step with the articles (called by the services)."""

from collections.abc import Iterable, Sequence

from django.db import transaction

from helpcenter.models import Article, ArticleStatus, SearchTerm
from helpcenter.search import backends, engine
from helpcenter.search.analysis import analyze, english_words
from helpcenter.text import plain_text

# Articles analyzed and written per round when many are indexed at once.
BATCH = 500


def _document(article: Article) -> backends.Document:
    return backends.Document(
        article_id=article.pk,
        language=article.language,
        title_terms=article.search_title.split(),
        body_terms=article.search_body.split(),
    )


def _analyze(article: Article) -> list[str]:
    """Store the article's index terms on it; return the English words it uses."""
    body_text = plain_text(article.body)
    article.search_title = " ".join(analyze(article.title))
    article.search_body = " ".join(analyze(body_text))
    return english_words(article.title) + english_words(body_text)


def index_article(article: Article) -> None:
    """(Re)index one article: its terms are stored on it whatever its status, and it is in
    the index while it is published."""
    _index_batch([article])


def sync_documents(articles: Sequence[Article]) -> None:
    """Put published articles (already analyzed: `search_title`/`search_body` set) in the
    index and take the others out."""
    backend = backends.current()
    backend.replace([_document(a) for a in articles if a.status == ArticleStatus.PUBLISHED])
    backend.remove([a.pk for a in articles if a.status != ArticleStatus.PUBLISHED])
    _index_changed()


def _index_changed() -> None:
    # Now, for this transaction's own searches, and again at commit: another process may
    # have cached the frequencies it read in between, still without this change.
    engine.index_changed()
    transaction.on_commit(engine.index_changed)


def _learn_words(found: Iterable[str]) -> None:
    """Remember the English words articles use: typo correction picks from these."""
    words = {w for w in found if 3 <= len(w) <= 60}
    if not words:
        return
    known: set[str] = set()
    ordered = sorted(words)
    for start in range(0, len(ordered), BATCH):
        chunk = ordered[start : start + BATCH]
        known.update(SearchTerm.objects.filter(term__in=chunk).values_list("term", flat=True))
    new = words - known
    if new:
        SearchTerm.objects.bulk_create(
            [SearchTerm(term=w) for w in sorted(new)], ignore_conflicts=True, batch_size=BATCH
        )
        transaction.on_commit(engine.invalidate)


def remove_article(article_id: int) -> None:
    backends.current().remove([article_id])
    _index_changed()


@transaction.atomic
def rebuild() -> int:
    """Analyze and index every article from scratch, in batches; returns how many."""
    backends.current().clear()
    count = 0
    batch: list[Article] = []
    articles = Article.objects.only("pk", "title", "body", "status", "language")
    for article in articles.iterator(chunk_size=BATCH):
        batch.append(article)
        if len(batch) == BATCH:
            count += _index_batch(batch)
            batch = []
    count += _index_batch(batch)
    transaction.on_commit(engine.invalidate)
    return count


def _index_batch(articles: list[Article]) -> int:
    """Analyze `articles`, store their terms, index them and learn their words."""
    words: set[str] = set()
    for article in articles:
        words.update(_analyze(article))
    Article.objects.bulk_update(articles, ["search_title", "search_body"], batch_size=BATCH)
    sync_documents(articles)
    _learn_words(words)
    return len(articles)


def fill_if_empty() -> int:
    """Rebuild an empty index when published articles exist (after a migration recreated
    the index tables); returns how many articles were indexed."""
    if not backends.current().is_empty():
        return 0
    if not Article.objects.filter(status=ArticleStatus.PUBLISHED).exists():
        return 0
    return rebuild()
