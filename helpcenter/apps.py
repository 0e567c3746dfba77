from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _fill_search_index(**kwargs: Any) -> None:
    # A migration that recreates the index tables leaves them empty; fill them at once so
    # that search keeps answering (`manage.py kb_reindex` does the same by hand).
    from helpcenter.search.index import fill_if_empty

    fill_if_empty()


class HelpcenterConfig(AppConfig):
    name = "helpcenter"
    verbose_name = "Help center"

    def ready(self) -> None:
        from config import roles

        post_migrate.connect(_fill_search_index, sender=self)

        editing = {
            f"helpcenter.{action}_{model}"
            for model in ("article", "articlerevision", "articleimage", "category", "synonym")
            for action in ("add", "change", "view")
        }
        reading = {
            "helpcenter.view_articlefeedback",
            "helpcenter.view_searchlog",
            "helpcenter.view_deflection",
        }
        roles.grant(roles.KB_EDITOR, editing | reading | {"helpcenter.delete_articleimage"})
        # Agents and supervisors see what customers searched for and how articles fared.
        roles.grant(roles.AGENT, reading | {"helpcenter.view_article", "helpcenter.view_category"})
        roles.grant(
            roles.SUPERVISOR, reading | {"helpcenter.view_article", "helpcenter.view_category"}
        )
