"""Role groups and what they carry: permissions, and staff status for the admin-desk roles."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from portal import services
from portal.choices import Role
from portal.errors import RuleViolation
from portal.roles import ROLE_PERMISSIONS, sync_role_groups
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STAFF_ROLES = [Role.IT_REVIEWER, Role.LOGISTICS, Role.ADMINISTRATOR]
PORTAL_ROLES = [Role.APP_OWNER, Role.LINE_MANAGER, Role.TRAINING_COORDINATOR]


def test_migrate_makes_every_role_a_group_with_its_permissions():
    Group.objects.filter(name__in=Role.values).delete()
    call_command("migrate", verbosity=0)
    assert set(Group.objects.filter(name__in=Role.values).values_list("name", flat=True)) == set(
        Role.values
    )
    admin_group = Group.objects.get(name=Role.ADMINISTRATOR)
    assert admin_group.permissions.filter(codename="change_user").exists()


def test_migrate_gives_back_a_permission_removed_by_hand():
    admin_group = Group.objects.get(name=Role.ADMINISTRATOR)
    admin_group.permissions.remove(Permission.objects.get(codename="change_user"))
    call_command("migrate", verbosity=0)
    assert admin_group.permissions.filter(codename="change_user").exists()


def test_sync_leaves_each_group_exactly_its_permissions():
    employees = Group.objects.get(name=Role.EMPLOYEE)
    employees.permissions.add(Permission.objects.get(codename="change_user"))
    sync_role_groups()
    assert not employees.permissions.exists()
    reviewers = Group.objects.get(name=Role.IT_REVIEWER)
    granted = {
        f"{app_label}.{codename}"
        for app_label, codename in reviewers.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert granted == ROLE_PERMISSIONS[Role.IT_REVIEWER]


def test_administrators_may_edit_people_and_employees_may_not():
    administrator = UserFactory(roles=[Role.ADMINISTRATOR])
    employee = UserFactory()
    assert administrator.has_perm("portal.change_user")
    assert not employee.has_perm("portal.change_user")


def test_logistics_may_see_people_but_not_edit_them(logistics):
    assert logistics.has_perm("portal.view_user")
    assert not logistics.has_perm("portal.change_user")


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_admin_desk_roles_make_a_person_staff_and_losing_them_undoes_it(role):
    person = UserFactory()
    services.set_roles(user=person, roles=[Role.EMPLOYEE, role])
    person.refresh_from_db()
    assert person.is_staff and person.has_role(role)
    services.set_roles(user=person, roles=[Role.EMPLOYEE])
    person.refresh_from_db()
    assert not person.is_staff and not person.has_role(role)


@pytest.mark.parametrize("role", PORTAL_ROLES)
def test_portal_roles_do_not_make_a_person_staff(role):
    person = UserFactory(roles=[role])
    person.refresh_from_db()
    assert not person.is_staff
    assert person.has_role(role)


def test_set_roles_replaces_the_previous_roles():
    person = UserFactory(roles=[Role.APP_OWNER, Role.LINE_MANAGER])
    services.set_roles(user=person, roles=[Role.EMPLOYEE, Role.TRAINING_COORDINATOR])
    assert person.role_names == {Role.EMPLOYEE, Role.TRAINING_COORDINATOR}


def test_a_superuser_stays_staff_without_a_staff_role():
    person = UserFactory(is_superuser=True, is_staff=True)
    services.set_roles(user=person, roles=[Role.EMPLOYEE])
    person.refresh_from_db()
    assert person.is_staff


def test_unknown_role_is_refused_and_nothing_changes():
    person = UserFactory()
    with pytest.raises(RuleViolation, match="wizard"):
        services.set_roles(user=person, roles=[Role.IT_REVIEWER, "wizard"])
    person.refresh_from_db()
    assert set(person.groups.values_list("name", flat=True)) == {Role.EMPLOYEE}
    assert not person.is_staff


def test_set_roles_recreates_a_missing_group():
    Group.objects.filter(name=Role.LINE_MANAGER).delete()
    person = UserFactory(roles=[Role.LINE_MANAGER])
    assert person.has_role(Role.LINE_MANAGER)


def test_revoking_keeps_the_first_revocation_time(db):
    from portal.models import ApiToken

    owner = UserFactory()
    token, _raw = services.create_api_token(name="MDM", user=owner, by=None)
    assert services.revoke_api_tokens(token_ids=[token.pk], by=owner) == 1
    first = ApiToken.objects.get(pk=token.pk).revoked_at
    assert services.revoke_api_tokens(token_ids=[token.pk], by=owner) == 0
    assert ApiToken.objects.get(pk=token.pk).revoked_at == first
