"""Keeping the full-text index in step with the articles (called by the services)."""

from django.db import transaction

from helpcenter.models import Article, SearchTerm
from helpcenter.search import backends, engine
from helpcenter.search.analysis import analyze, english_words
from helpcenter.text import plain_text


def index_article(article: Article) -> None:
    """(Re)index one article whatever its status; search filters on status when it asks."""
    body_text = plain_text(article.body)
    title_terms = analyze(article.title)
    body_terms = analyze(body_text)
    Article.objects.filter(pk=article.pk).update(
        search_title=" ".join(title_terms), search_body=" ".join(body_terms)
    )
    backends.current().index(article.pk, title_terms, body_terms)
    _learn_words(english_words(article.title) + english_words(body_text))


def _learn_words(found: list[str]) -> None:
    """Remember the English words articles use: typo correction picks from these."""
    words = {w for w in found if 3 <= len(w) <= 60}
    if not words:
        return
    known = set(SearchTerm.objects.filter(term__in=words).values_list("term", flat=True))
    new = words - known
    if new:
        SearchTerm.objects.bulk_create(
            [SearchTerm(term=w) for w in sorted(new)], ignore_conflicts=True
        )
        transaction.on_commit(engine.invalidate)


def remove_article(article_id: int) -> None:
    backends.current().remove(article_id)


@transaction.atomic
def rebuild() -> int:
    """Index every article from scratch; returns how many were indexed."""
    backends.current().clear()
    count = 0
    for article in Article.objects.only("pk", "title", "body").iterator(chunk_size=500):
        index_article(article)
        count += 1
    transaction.on_commit(engine.invalidate)
    return count
