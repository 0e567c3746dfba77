"""Every write to the help center: articles (with revisions and the search index),
reader feedback, the search log and deflection tracking."""

import secrets
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from helpcenter.models import (
    Article,
    ArticleFeedback,
    ArticleRevision,
    ArticleStatus,
    Category,
    Deflection,
    Language,
    SearchLog,
    Synonym,
)
from helpcenter.search import engine
from helpcenter.search.index import index_article, remove_article

User = AbstractBaseUser

# An article is flagged for review once this many readers said it did not help and they
# are at least this share of all votes.
REVIEW_MIN_NO_VOTES = 5
REVIEW_NO_SHARE = 0.4

ARTICLE_FIELDS = ("slug", "language", "title", "body", "category", "status", "popular")


def _actor(user: User | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


def _clean_article_fields(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if "title" in data:
        cleaned["title"] = " ".join(str(data["title"] or "").split())
        if not cleaned["title"]:
            errors["title"] = ["An article needs a title."]
        elif len(cleaned["title"]) > 200:
            errors["title"] = ["Keep the title under 200 characters."]
    if "body" in data:
        cleaned["body"] = str(data["body"] or "").strip()
        if not cleaned["body"]:
            errors["body"] = ["An article needs a body."]
    if "slug" in data:
        cleaned["slug"] = slugify(str(data["slug"] or ""))[:120]
        if not cleaned["slug"]:
            errors["slug"] = ["Give a slug of letters, digits and hyphens."]
    if "language" in data:
        cleaned["language"] = data["language"]
        if data["language"] not in Language.values:
            errors["language"] = [f"Choose one of: {', '.join(Language.values)}."]
    if "status" in data:
        cleaned["status"] = data["status"]
        if data["status"] not in ArticleStatus.values:
            errors["status"] = [f"Choose one of: {', '.join(ArticleStatus.values)}."]
    if "category" in data:
        category = data["category"]
        if not isinstance(category, Category):
            category = Category.objects.filter(slug=str(category or "")).first()
        if category is None:
            errors["category"] = ["Unknown category."]
        cleaned["category"] = category
    if "popular" in data:
        cleaned["popular"] = bool(data["popular"])
    if errors:
        raise ValidationError(errors)
    return cleaned


def _snapshot(article: Article, editor: User | None, note: str = "") -> ArticleRevision:
    return ArticleRevision.objects.create(
        article=article,
        title=article.title,
        body=article.body,
        category=article.category,
        status=article.status,
        editor=_actor(editor),
        note=note,
    )


@transaction.atomic
def article_create(*, acting_user: User | None, **data: Any) -> Article:
    missing = [f for f in ("slug", "language", "title", "body", "category") if f not in data]
    if missing:
        raise ValidationError({f: ["This field is required."] for f in missing})
    fields = _clean_article_fields({k: v for k, v in data.items() if k in ARTICLE_FIELDS})
    if Article.objects.filter(slug=fields["slug"], language=fields["language"]).exists():
        raise ValidationError(
            {"slug": ["An article with this slug already exists in this language."]}
        )
    article = Article(**fields, updated_by=_actor(acting_user))
    if article.status == ArticleStatus.PUBLISHED:
        article.published_at = timezone.now()
    article.save()
    _snapshot(article, acting_user, "created")
    index_article(article)
    return article


@transaction.atomic
def article_update(
    *, article: Article, acting_user: User | None, note: str = "", **data: Any
) -> Article:
    """Change an article; a revision keeps the new version and the index follows."""
    fields = _clean_article_fields({k: v for k, v in data.items() if k in ARTICLE_FIELDS})
    article = Article.objects.select_for_update().get(pk=article.pk)
    slug = fields.get("slug", article.slug)
    language = fields.get("language", article.language)
    if (slug, language) != (article.slug, article.language) and Article.objects.filter(
        slug=slug, language=language
    ).exclude(pk=article.pk).exists():
        raise ValidationError(
            {"slug": ["An article with this slug already exists in this language."]}
        )
    changed = [name for name, value in fields.items() if getattr(article, name) != value]
    if not changed:
        return article
    for name in changed:
        setattr(article, name, fields[name])
    if "status" in changed and article.status == ArticleStatus.PUBLISHED:
        article.published_at = timezone.now()
    article.updated_by = _actor(acting_user)
    article.save()
    _snapshot(article, acting_user, note or "changed " + ", ".join(changed))
    # Only published articles are in the index, each under its language.
    if {"title", "body", "status", "language"} & set(changed):
        index_article(article)
    return article


def article_set_status(*, article: Article, status: str, acting_user: User | None) -> Article:
    return article_update(article=article, acting_user=acting_user, status=status)


@transaction.atomic
def article_restore(*, revision: ArticleRevision, acting_user: User | None) -> Article:
    return article_update(
        article=revision.article,
        acting_user=acting_user,
        note=f"restored the version of {revision.created_at:%Y-%m-%d %H:%M}",
        title=revision.title,
        body=revision.body,
        category=revision.category,
    )


@transaction.atomic
def article_delete(*, article: Article, acting_user: User | None) -> None:
    article_id = article.pk
    article.delete()
    remove_article(article_id)


@transaction.atomic
def article_import(*, rows: list[dict[str, Any]], acting_user: User | None) -> dict[str, int]:
    """Upsert articles by (slug, language); all or nothing."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise ValidationError(f"Item {number} is not an object.")
        existing = Article.objects.filter(
            slug=slugify(str(row.get("slug", ""))), language=row.get("language")
        ).first()
        try:
            if existing is None:
                article_create(acting_user=acting_user, **row)
                counts["created"] += 1
            else:
                before = existing.updated_at
                after = article_update(article=existing, acting_user=acting_user, **row)
                counts["updated" if after.updated_at != before else "unchanged"] += 1
        except ValidationError as exc:
            raise ValidationError(
                f"Item {number} ({row.get('slug')}/{row.get('language')}): "
                + "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from exc
    return counts


# --- readers ---------------------------------------------------------------------------------


@transaction.atomic
def feedback_record(*, article: Article, helpful: bool, comment: str = "") -> ArticleFeedback:
    """A reader's vote; enough "no" votes flag the article for the editors."""
    feedback = ArticleFeedback.objects.create(
        article=article, helpful=helpful, comment=(comment or "").strip()[:2000]
    )
    counter = "helpful_yes" if helpful else "helpful_no"
    Article.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})
    article.refresh_from_db(fields=["helpful_yes", "helpful_no", "needs_review"])
    votes = article.helpful_yes + article.helpful_no
    if (
        not article.needs_review
        and article.helpful_no >= REVIEW_MIN_NO_VOTES
        and article.helpful_no / votes >= REVIEW_NO_SHARE
    ):
        Article.objects.filter(pk=article.pk).update(needs_review=True)
        article.needs_review = True
    return feedback


def article_viewed(*, article: Article) -> None:
    Article.objects.filter(pk=article.pk).update(views=F("views") + 1)


def search_logged(*, query: str, language: str, results: int, source: str = "search") -> SearchLog:
    return SearchLog.objects.create(
        query=" ".join(query.split())[:200], language=language, results=results, source=source
    )


def search_clicked(*, log_id: int, article: Article) -> None:
    SearchLog.objects.filter(pk=log_id, clicked__isnull=True).update(clicked=article)


def deflection_track(*, token: str, query: str, language: str, channel: str) -> str:
    """Record what a customer is typing to us; one record per form, found by its token."""
    query = " ".join(query.split())[:200]
    if token and Deflection.objects.filter(token=token, outcome=Deflection.Outcome.PENDING).update(
        query=query
    ):
        return token
    return Deflection.objects.create(
        token=secrets.token_hex(16),
        query=query,
        language=language if language in Language.values else Language.ENGLISH,
        channel=channel[:10],
    ).token


def deflection_opened(*, token: str, article: Article) -> None:
    """The customer opened a suggestion: deflected, unless they contact us after all."""
    Deflection.objects.filter(token=token, outcome=Deflection.Outcome.PENDING).update(
        opened=article, outcome=Deflection.Outcome.DEFLECTED
    )


def deflection_submitted(*, token: str) -> None:
    Deflection.objects.filter(token=token).update(outcome=Deflection.Outcome.SUBMITTED)


# --- synonyms --------------------------------------------------------------------------------


def synonym_save(*, synonym: Synonym) -> Synonym:
    if len(synonym.term_list()) < 2:
        raise ValidationError({"terms": ["List at least two words that mean the same."]})
    synonym.save()
    transaction.on_commit(engine.invalidate)
    return synonym


CATEGORY_FIELDS = (
    "position",
    "icon",
    "name_en",
    "name_zh",
    "description_en",
    "description_zh",
    "ticket_category",
)


@transaction.atomic
def categories_import(*, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Upsert categories by slug, parents before children; all or nothing."""
    counts = {"created": 0, "updated": 0}
    pending = list(rows)
    while pending:
        progressed = False
        for row in list(pending):
            parent_slug = row.get("parent")
            parent = None
            if parent_slug:
                parent = Category.objects.filter(slug=parent_slug).first()
                if parent is None:
                    continue  # its parent comes later in the list
            values = {k: row[k] for k in CATEGORY_FIELDS if k in row}
            _, created = Category.objects.update_or_create(
                slug=slugify(str(row.get("slug", ""))), defaults={**values, "parent": parent}
            )
            counts["created" if created else "updated"] += 1
            pending.remove(row)
            progressed = True
        if not progressed:
            missing = sorted({str(r.get("parent")) for r in pending})
            raise ValidationError(f"Unknown parent categories: {', '.join(missing)}.")
    return counts
