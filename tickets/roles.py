"""Agent roles are Django groups; their permissions are set by the `seed_roles` migration."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

AGENT = "Agent"
SUPERVISOR = "Supervisor"
KB_EDITOR = "KB editor"

User = AbstractBaseUser | AnonymousUser


def is_agent(user: User) -> bool:
    """Staff who work tickets. Customers never get `is_staff`."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def sees_all_tickets(user: User) -> bool:
    return is_agent(user) and user.has_perm("tickets.view_all_tickets")


# app_label.codename for each role. Supervisors hold everything agents hold.
ROLE_PERMISSIONS: dict[str, set[str]] = {
    AGENT: {
        "tickets.view_ticket",
        "tickets.change_ticket",
        "tickets.merge_ticket",
        "tickets.view_customer",
        "tickets.view_team",
        "tickets.view_agentmembership",
        "tickets.view_routingrule",
        "tickets.view_slapolicy",
        "tickets.view_tag",
        "tickets.add_tag",
        "tickets.view_message",
        "tickets.add_message",
        "tickets.view_attachment",
        "tickets.view_ticketevent",
    },
    KB_EDITOR: set(),
}
ROLE_PERMISSIONS[SUPERVISOR] = ROLE_PERMISSIONS[AGENT] | {
    "tickets.view_all_tickets",
    "tickets.delete_ticket",
    "tickets.change_customer",
    "tickets.add_team",
    "tickets.change_team",
    "tickets.add_agentmembership",
    "tickets.change_agentmembership",
    "tickets.delete_agentmembership",
    "tickets.add_routingrule",
    "tickets.change_routingrule",
    "tickets.delete_routingrule",
    "tickets.add_slapolicy",
    "tickets.change_slapolicy",
}
# Other apps add their own codenames for a role here before migrations run.
EXTRA_ROLE_PERMISSIONS: dict[str, set[str]] = {AGENT: set(), SUPERVISOR: set(), KB_EDITOR: set()}


def sync_role_groups(**kwargs: object) -> None:
    """Create the role groups and give each exactly its permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    for role, codenames in ROLE_PERMISSIONS.items():
        wanted = codenames | EXTRA_ROLE_PERMISSIONS.get(role, set())
        query = Q(pk__in=[])
        for dotted in wanted:
            app_label, codename = dotted.split(".", 1)
            query |= Q(content_type__app_label=app_label, codename=codename)
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(Permission.objects.filter(query))
