import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from helpcenter.models import Article, Category


class Command(BaseCommand):
    help = "Export help-center articles as the JSON list that kb_import reads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="where to write (default: standard output)")
        parser.add_argument("--categories", help="also write the categories to this file")
        parser.add_argument("--language", choices=["en", "zh-hans"])
        parser.add_argument("--status", choices=["draft", "published", "archived"])

    def handle(self, *args: Any, **options: Any) -> None:
        articles = Article.objects.select_related("category").order_by("slug", "language")
        if options["language"]:
            articles = articles.filter(language=options["language"])
        if options["status"]:
            articles = articles.filter(status=options["status"])
        rows = [
            {
                "slug": a.slug,
                "language": a.language,
                "title": a.title,
                "body": a.body,
                "category": a.category.slug,
                "status": a.status,
                "popular": a.popular,
            }
            for a in articles
        ]
        self._write(options["file"], rows)
        if options["categories"]:
            categories = [
                {
                    "slug": c.slug,
                    "parent": c.parent.slug if c.parent else None,
                    "position": c.position,
                    "icon": c.icon,
                    "name_en": c.name_en,
                    "name_zh": c.name_zh,
                    "description_en": c.description_en,
                    "description_zh": c.description_zh,
                    "ticket_category": c.ticket_category,
                }
                for c in Category.objects.select_related("parent").order_by("position", "slug")
            ]
            self._write(options["categories"], categories)
        self.stderr.write(f"exported {len(rows)} articles")

    def _write(self, path: str | None, rows: list[dict]) -> None:
        text = json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
        if path:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        else:
            sys.stdout.write(text)
