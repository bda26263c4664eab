"""The role groups of PRODUCT.md and the model permissions each one carries.

Domain apps add their entries to ROLE_PERMISSIONS in their own AppConfig.ready(), so
this module needs to know none of them. `sync_role_groups()` is idempotent: the data
migration calls it, and so does every `migrate` (post_migrate), so new models' permissions
reach the groups without a hand-written migration each time.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from portal.choices import Role

# role -> {"app_label.codename", ...}
ROLE_PERMISSIONS: dict[str, set[str]] = defaultdict(set)
ROLE_PERMISSIONS[Role.ADMINISTRATOR] |= {
    "portal.add_user",
    "portal.change_user",
    "portal.view_user",
    "portal.add_department",
    "portal.change_department",
    "portal.view_department",
    "portal.add_apitoken",
    "portal.change_apitoken",
    "portal.view_apitoken",
    "auth.view_group",
}
ROLE_PERMISSIONS[Role.IT_REVIEWER] |= {"portal.view_department"}
ROLE_PERMISSIONS[Role.LOGISTICS] |= {"portal.view_user", "portal.view_department"}
ROLE_PERMISSIONS[Role.TRAINING_COORDINATOR] |= {"portal.view_department"}

# Roles whose work is done in the Django admin: their members are staff (and need MFA).
STAFF_ROLES = {Role.IT_REVIEWER, Role.LOGISTICS, Role.ADMINISTRATOR}


def is_staff_by_roles(user) -> bool:
    """The one rule of who is staff: a superuser, or a person holding a staff role, however
    the role was given (a service, the admin's person or group page, single sign-on, the
    demo data). The MFA check asks it; `services.sync_staff_status` writes it to `is_staff`."""
    return bool(user.is_superuser or user.role_names & {str(role) for role in STAFF_ROLES})


def register_permissions(role: Role, perms: set[str]) -> None:
    ROLE_PERMISSIONS[role] |= perms


@transaction.atomic
def sync_role_groups() -> dict[str, Group]:
    """Create every role group and give it exactly the permissions of ROLE_PERMISSIONS."""
    groups = {}
    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    by_name = {}
    for perm in Permission.objects.select_related("content_type").filter(
        codename__in={p.split(".", 1)[1] for p in wanted}
    ):
        by_name[f"{perm.content_type.app_label}.{perm.codename}"] = perm
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        group.permissions.set([by_name[p] for p in ROLE_PERMISSIONS[role] if p in by_name])
        groups[role.value] = group
    return groups
