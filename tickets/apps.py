from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Support desk"

    def ready(self) -> None:
        from config import roles
        from tickets.roles import AGENT_PERMISSIONS, SUPERVISOR_PERMISSIONS

        roles.grant(roles.AGENT, AGENT_PERMISSIONS)
        roles.grant(roles.SUPERVISOR, SUPERVISOR_PERMISSIONS)
