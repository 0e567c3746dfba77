from django.apps import AppConfig


class HelpcenterConfig(AppConfig):
    name = "helpcenter"
    verbose_name = "Help center"

    def ready(self) -> None:
        from config import roles

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
