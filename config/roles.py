"""Staff roles as Django groups. Each app grants its own permissions to the roles in its
AppConfig.ready(); after every migrate the groups are synchronised to exactly those grants.
"""

from django.db.models.signals import post_migrate

AGENT = "Agent"
SUPERVISOR = "Supervisor"
KB_EDITOR = "KB editor"
ROLES = (AGENT, SUPERVISOR, KB_EDITOR)

_grants: dict[str, set[str]] = {role: set() for role in ROLES}


def grant(role: str, permissions: set[str]) -> None:
    """Give `role` these "app_label.codename" permissions (call from AppConfig.ready)."""
    _grants[role] |= permissions
    # Permissions exist only after post_migrate has created them, so the groups are
    # synchronised there rather than in a data migration.
    post_migrate.connect(sync_role_groups, dispatch_uid="config.roles.sync_role_groups")


def granted(role: str) -> frozenset[str]:
    return frozenset(_grants[role])


def sync_role_groups(**kwargs: object) -> None:
    """Create the role groups and give each exactly its granted permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    for role, wanted in _grants.items():
        query = Q(pk__in=[])
        for dotted in wanted:
            app_label, codename = dotted.split(".", 1)
            query |= Q(content_type__app_label=app_label, codename=codename)
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(Permission.objects.filter(query))
