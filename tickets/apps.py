from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Support desk"

    def ready(self) -> None:
        from tickets.roles import sync_role_groups

        # Permissions exist only after post_migrate has created them, so the role groups
        # are (re)synchronised there rather than in a data migration.
        post_migrate.connect(sync_role_groups, dispatch_uid="tickets.sync_role_groups")
