import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from helpcenter import services


def _load(path: str) -> list[Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CommandError(f"No such file: {path}") from exc
    except json.JSONDecodeError as exc:
        raise CommandError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(data, list):
        raise CommandError(f"{path} must hold a JSON list of objects.")
    return data


class Command(BaseCommand):
    help = (
        "Import help-center articles from a JSON list (the fields of POST /api/v1/kb/articles/),"
        " upserting by (slug, language). All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="JSON list of articles")
        parser.add_argument(
            "--categories", help="JSON list of categories to upsert first (by slug)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["categories"]:
                counts = services.categories_import(rows=_load(options["categories"]))
                self.stdout.write(
                    f"categories: {counts['created']} created, {counts['updated']} updated"
                )
            counts = services.article_import(rows=_load(options["file"]), acting_user=None)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"articles: {counts['created']} created, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged"
            )
        )
