from typing import Any

from django.core.management.base import BaseCommand

from helpcenter.search.index import rebuild


class Command(BaseCommand):
    help = "Rebuild the help-center search index from the articles."

    def handle(self, *args: Any, **options: Any) -> None:
        count = rebuild()
        self.stdout.write(self.style.SUCCESS(f"indexed {count} articles"))
