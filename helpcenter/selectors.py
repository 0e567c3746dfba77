"""Reads of the help center. Other apps (tickets, live chat) ask for suggestions here."""

from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q, QuerySet

from helpcenter.models import Article, ArticleStatus, Category, Deflection, Language, SearchLog
from helpcenter.search import engine


def published(language: str | None = None) -> QuerySet[Article]:
    articles = Article.objects.filter(status=ArticleStatus.PUBLISHED).select_related("category")
    if language:
        articles = articles.filter(language=language)
    return articles


def article_for_reader(*, slug: str, language: str) -> Article | None:
    """The published article in the reader's language, else its published translation."""
    candidates = {a.language: a for a in published().filter(slug=slug)}
    return candidates.get(language) or next(iter(candidates.values()), None)


def translation_of(article: Article) -> Article | None:
    return published().filter(slug=article.slug).exclude(pk=article.pk).first()


def category_tree(language: str) -> list[Category]:
    """Top-level categories with their children and published article counts."""
    counted = Category.objects.annotate(
        article_count=Count(
            "articles",
            filter=Q(articles__status=ArticleStatus.PUBLISHED, articles__language=language),
        )
    ).order_by("position", "slug")
    return list(
        counted.filter(parent__isnull=True).prefetch_related(
            Prefetch("children", queryset=counted, to_attr="subcategories")
        )
    )


def popular_articles(language: str, limit: int = 8) -> list[Article]:
    return list(published(language).order_by("-popular", "-views", "-helpful_yes", "title")[:limit])


def category_articles(category: Category, language: str) -> list[Article]:
    return list(
        published(language)
        .filter(Q(category=category) | Q(category__parent=category))
        .order_by("-popular", "title")
    )


def related_articles(article: Article, limit: int = 5) -> list[Article]:
    return list(
        published(article.language)
        .filter(category=article.category)
        .exclude(pk=article.pk)
        .order_by("-popular", "-views", "title")[:limit]
    )


@dataclass(frozen=True)
class Suggestion:
    article: Article
    snippet: str


def suggestions(text: str, *, language: str, limit: int = 3) -> list[Suggestion]:
    """Articles to show while a customer writes a ticket subject or a chat opening line."""
    if len(text.strip()) < 2:
        return []
    page = engine.search(text, language=language, limit=limit)
    return [Suggestion(article=hit.article, snippet=hit.snippet) for hit in page.hits]


def search_gaps(days: int = 30, limit: int = 50) -> QuerySet:
    """Queries that found nothing or whose results nobody opened: articles to write."""
    return (
        SearchLog.objects.values("query", "language")
        .annotate(
            searches=Count("id"),
            zero_results=Count("id", filter=Q(results=0)),
            clicks=Count("id", filter=Q(clicked__isnull=False)),
        )
        .filter(Q(zero_results__gt=0) | Q(clicks__lt=F("searches") * 0.2))
        .order_by("-searches")[:limit]
    )


def deflection_rate(days: int | None = None) -> dict[str, float | int]:
    deflections = Deflection.objects.exclude(outcome=Deflection.Outcome.PENDING)
    totals = deflections.aggregate(
        deflected=Count("id", filter=Q(outcome=Deflection.Outcome.DEFLECTED)),
        submitted=Count("id", filter=Q(outcome=Deflection.Outcome.SUBMITTED)),
    )
    decided = totals["deflected"] + totals["submitted"]
    return {**totals, "rate": totals["deflected"] / decided if decided else 0.0}


def reader_language(requested: str | None, fallback: str) -> str:
    if requested in Language.values:
        return requested
    return fallback if fallback in Language.values else Language.ENGLISH
