"""The knowledge base: categories, articles per language, revisions, feedback and search logs.

Translations of an article share its slug: (slug, language) is unique, and the other
language's version is the article with the same slug.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from config.languages import Language


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Category(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    position = models.PositiveSmallIntegerField(default=0)
    icon = models.CharField(max_length=20, blank=True)
    name_en = models.CharField("name (English)", max_length=100)
    name_zh = models.CharField("name (Chinese)", max_length=100)
    description_en = models.CharField(max_length=300, blank=True)
    description_zh = models.CharField(max_length=300, blank=True)
    # Which ticket category "Submit a ticket" pre-fills from this category's articles, so
    # the ticket reaches the right team. A plain slug: the help center does not import tickets.
    ticket_category = models.CharField(max_length=20, default="other")

    class Meta:
        ordering = ["position", "slug"]
        verbose_name_plural = "categories"
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="category_not_own_parent"
            )
        ]

    def __str__(self) -> str:
        return self.name_en

    def name(self, language: str) -> str:
        return self.name_zh if language == Language.CHINESE else self.name_en

    def description(self, language: str) -> str:
        return self.description_zh if language == Language.CHINESE else self.description_en


class Article(models.Model):
    slug = models.SlugField(max_length=120)
    language = models.CharField(max_length=8, choices=Language.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown: headings, numbered steps, tables, images.")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="articles")
    status = models.CharField(
        max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    popular = models.BooleanField(default=False)
    # Raised when readers often say the article did not help; an editor clears it.
    needs_review = models.BooleanField(default=False)
    helpful_yes = models.PositiveIntegerField(default=0)
    helpful_no = models.PositiveIntegerField(default=0)
    views = models.PositiveIntegerField(default=0)
    # Analyzed text (segmented, stemmed, folded) that both search backends index.
    search_title = models.TextField(blank=True, editable=False)
    search_body = models.TextField(blank=True, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category__position", "slug", "language"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "language"], name="article_slug_language"),
            models.CheckConstraint(
                condition=Q(language__in=Language.values), name="article_language_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ArticleStatus.values), name="article_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["language", "status"], name="article_lang_status")]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"

    def get_absolute_url(self) -> str:
        path = reverse("helpcenter:article", kwargs={"slug": self.slug})
        return f"{path}?lang={self.language}"


class ArticleRevision(models.Model):
    """A snapshot taken on every save, so an editor can see and restore earlier versions."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=200)
    body = models.TextField()
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=ArticleStatus.choices)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.article.slug} @ {self.created_at:%Y-%m-%d %H:%M}"


class ArticleImage(models.Model):
    """An illustration uploaded in the admin; articles embed it by its URL."""

    file = models.FileField(upload_to="kb/%Y/%m/")
    alt_text = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.alt_text


class ArticleFeedback(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    helpful = models.BooleanField()
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "article feedback"

    def __str__(self) -> str:
        return f"{'yes' if self.helpful else 'no'} on {self.article_id}"


class Synonym(models.Model):
    """Words customers use interchangeably, e.g. 充值 / 充币 or 2FA / 谷歌验证."""

    terms = models.CharField(
        max_length=300, unique=True, help_text="Comma-separated, e.g. 充值, 充币, deposit"
    )

    class Meta:
        ordering = ["terms"]

    def __str__(self) -> str:
        return self.terms

    def term_list(self) -> list[str]:
        return [t.strip() for t in self.terms.replace("，", ",").split(",") if t.strip()]


class SearchLog(models.Model):
    """Every search: what was asked, how many results, which one was opened."""

    query = models.CharField(max_length=200)
    language = models.CharField(max_length=8, choices=Language.choices)
    results = models.PositiveIntegerField()
    clicked = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=20, default="search")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.query


class Deflection(models.Model):
    """Suggestions shown while a customer wrote a ticket or chat, and how it ended."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        DEFLECTED = "deflected", _("Opened a suggestion and did not contact us")
        SUBMITTED = "submitted", _("Contacted us anyway")

    token = models.CharField(max_length=32, unique=True)
    channel = models.CharField(max_length=10, default="ticket")
    query = models.CharField(max_length=200)
    language = models.CharField(max_length=8, choices=Language.choices)
    opened = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.query} → {self.outcome}"


class SearchTerm(models.Model):
    """English index terms, the dictionary that typo correction chooses from."""

    term = models.CharField(max_length=60, primary_key=True)

    def __str__(self) -> str:
        return self.term
