"""Help-center editing in the admin. Article writes go through `helpcenter.services`, so
every save leaves a revision and keeps the search index in step."""

from typing import Any

import filetype
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from helpcenter import selectors, services
from helpcenter.models import (
    Article,
    ArticleFeedback,
    ArticleImage,
    ArticleRevision,
    ArticleStatus,
    Category,
    Deflection,
    SearchLog,
    Synonym,
)
from helpcenter.search import engine
from helpcenter.text import render


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_zh", "slug", "parent", "position", "ticket_category"]
    list_editable = ["position"]
    list_select_related = ["parent"]
    search_fields = ["slug", "name_en", "name_zh"]
    prepopulated_fields = {"slug": ["name_en"]}


class RevisionInline(admin.TabularInline):
    model = ArticleRevision
    extra = 0
    can_delete = False
    fields = ["created_at", "editor", "note", "title", "restore"]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]
    max_num = 0

    @admin.display(description="")
    def restore(self, revision: ArticleRevision) -> str:
        url = reverse("admin:helpcenter_article_restore", args=[revision.pk])
        return format_html('<a class="button" href="{}">Restore this version</a>', url)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = ["title", "slug", "language", "category", "status", "popular", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 28, "style": "font-family: monospace"})}


def _status_action(status: str, label: str) -> Any:
    def act(modeladmin: "ArticleAdmin", request: HttpRequest, queryset: QuerySet) -> None:
        for article in queryset:
            services.article_set_status(article=article, status=status, acting_user=request.user)
        modeladmin.message_user(request, f"{queryset.count()} article(s): {label.lower()}.")

    act.__name__ = f"make_{status}"
    act.short_description = label  # type: ignore[attr-defined]
    act.allowed_permissions = ("change",)  # type: ignore[attr-defined]
    return act


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    list_display = [
        "title",
        "language",
        "category",
        "status",
        "popular",
        "needs_review",
        "helpful_yes",
        "helpful_no",
        "views",
        "updated_at",
    ]
    list_filter = ["language", "status", "needs_review", "popular", "category"]
    search_fields = ["title", "slug", "body"]
    list_select_related = ["category"]
    readonly_fields = [
        "preview",
        "translation",
        "helpful_yes",
        "helpful_no",
        "views",
        "needs_review",
        "updated_by",
        "published_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["title", ("slug", "language"), ("category", "status", "popular")]}),
        ("Markdown", {"fields": ["body"]}),
        ("Preview and translation", {"fields": ["preview", "translation"]}),
        (
            "Readers",
            {
                "fields": [
                    ("helpful_yes", "helpful_no", "views"),
                    "needs_review",
                    ("updated_by", "published_at", "updated_at"),
                ]
            },
        ),
    ]
    inlines = [RevisionInline]
    actions = [
        _status_action(ArticleStatus.PUBLISHED, "Publish"),
        _status_action(ArticleStatus.DRAFT, "Unpublish (back to draft)"),
        _status_action(ArticleStatus.ARCHIVED, "Archive"),
        "mark_reviewed",
    ]

    @admin.display(description="Preview (as saved)")
    def preview(self, article: Article) -> SafeString | str:
        if not article.pk:
            return "Save to see the preview."
        # render() sanitizes: only allow-listed tags and attributes survive.
        return mark_safe(f'<div style="max-width:48em">{render(article.body).html}</div>')  # noqa: S308

    @admin.display(description="Other language")
    def translation(self, article: Article) -> SafeString | str:
        other = Article.objects.filter(slug=article.slug).exclude(pk=article.pk).first()
        if other is None:
            return "No translation yet: add an article with the same slug in the other language."
        url = reverse("admin:helpcenter_article_change", args=[other.pk])
        return format_html(
            '<a href="{}">{} ({}, {})</a><div style="max-width:48em;margin-top:.5em">{}</div>',
            url,
            other.title,
            other.language,
            other.get_status_display(),
            mark_safe(render(other.body).html),  # noqa: S308 - sanitized by render()
        )

    def save_model(
        self, request: HttpRequest, obj: Article, form: ArticleForm, change: bool
    ) -> None:
        data = {name: form.cleaned_data[name] for name in ArticleForm.Meta.fields}
        try:
            if change:
                current = Article.objects.get(pk=obj.pk)
                saved = services.article_update(article=current, acting_user=request.user, **data)
            else:
                saved = services.article_create(acting_user=request.user, **data)
        except ValidationError as exc:
            # The form already checked uniqueness and choices; this is a race. Say so.
            raise PermissionDenied(" ".join(exc.messages)) from exc
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Article) -> None:
        services.article_delete(article=obj, acting_user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            services.article_delete(article=article, acting_user=request.user)

    @admin.action(description="Mark as reviewed (clear the flag)", permissions=["change"])
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        queryset.update(needs_review=False)

    def get_urls(self) -> list:
        return [
            path(
                "revisions/<int:revision_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="helpcenter_article_restore",
            ),
            *super().get_urls(),
        ]

    def restore_view(self, request: HttpRequest, revision_id: int) -> HttpResponse:
        revision = get_object_or_404(
            ArticleRevision.objects.select_related("article"), pk=revision_id
        )
        if not self.has_change_permission(request, revision.article):
            raise PermissionDenied
        if request.method == "POST":
            services.article_restore(revision=revision, acting_user=request.user)
            self.message_user(request, "The earlier version was restored.", messages.SUCCESS)
            return HttpResponseRedirect(
                reverse("admin:helpcenter_article_change", args=[revision.article_id])
            )
        return TemplateResponse(
            request,
            "admin/helpcenter/restore_revision.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Restore a version of “{revision.article.title}”",
                "revision": revision,
                "preview": render(revision.body).html,
                "opts": self.model._meta,
            },
        )


class ArticleImageForm(forms.ModelForm):
    class Meta:
        model = ArticleImage
        fields = ["file", "alt_text"]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        head = upload.read(8192)
        upload.seek(0)
        kind = filetype.guess(head)
        if kind is None or kind.mime not in ("image/png", "image/jpeg", "image/gif", "image/webp"):
            raise ValidationError("Upload a PNG, JPEG, GIF or WebP image.")
        if upload.size > 5 * 1024 * 1024:
            raise ValidationError("Images may be at most 5 MB.")
        return upload


@admin.register(ArticleImage)
class ArticleImageAdmin(admin.ModelAdmin):
    form = ArticleImageForm
    list_display = ["alt_text", "markdown", "created_at"]
    readonly_fields = ["markdown"]

    @admin.display(description="Paste into an article")
    def markdown(self, image: ArticleImage) -> str:
        if not image.pk:
            return "Save to get the Markdown."
        return format_html("<code>![{}]({})</code>", image.alt_text, image.file.url)

    def save_model(self, request: HttpRequest, obj: ArticleImage, form: Any, change: bool) -> None:
        obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ["terms"]
    search_fields = ["terms"]

    def save_model(self, request: HttpRequest, obj: Synonym, form: Any, change: bool) -> None:
        services.synonym_save(synonym=obj)

    def delete_model(self, request: HttpRequest, obj: Synonym) -> None:
        super().delete_model(request, obj)
        engine.invalidate()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        super().delete_queryset(request, queryset)
        engine.invalidate()


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ZeroResultFilter(admin.SimpleListFilter):
    title = "results"
    parameter_name = "found"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("none", "No results"), ("unclicked", "Results, none opened")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "none":
            return queryset.filter(results=0)
        if self.value() == "unclicked":
            return queryset.filter(results__gt=0, clicked__isnull=True)
        return queryset


@admin.register(SearchLog)
class SearchLogAdmin(ReadOnlyAdmin):
    list_display = ["query", "language", "results", "clicked", "source", "created_at"]
    list_filter = [ZeroResultFilter, "language", "source"]
    search_fields = ["query"]
    list_select_related = ["clicked"]
    date_hierarchy = "created_at"
    change_list_template = "admin/helpcenter/searchlog/change_list.html"

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        extra_context = {**(extra_context or {}), "gaps": selectors.search_gaps()}
        return super().changelist_view(request, extra_context)


@admin.register(ArticleFeedback)
class ArticleFeedbackAdmin(ReadOnlyAdmin):
    list_display = ["article", "helpful", "comment", "created_at"]
    list_filter = ["helpful", "article__language"]
    list_select_related = ["article"]
    search_fields = ["comment", "article__title"]


@admin.register(Deflection)
class DeflectionAdmin(ReadOnlyAdmin):
    list_display = ["query", "language", "channel", "opened", "outcome", "created_at"]
    list_filter = ["outcome", "channel", "language"]
    list_select_related = ["opened"]
    change_list_template = "admin/helpcenter/deflection/change_list.html"

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        extra_context = {**(extra_context or {}), "deflection": selectors.deflection_rate()}
        return super().changelist_view(request, extra_context)
