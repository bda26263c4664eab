"""Role groups, staff flags, and the department tree."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from portal import selectors, services
from portal.choices import Role
from portal.errors import RuleViolation
from portal.models import Department
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_every_role_is_a_group():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_administrators_may_edit_people():
    admin_group = Group.objects.get(name=Role.ADMINISTRATOR)
    assert admin_group.permissions.filter(codename="change_user").exists()
    assert (
        not Group.objects.get(name=Role.EMPLOYEE)
        .permissions.filter(codename="change_user")
        .exists()
    )


@pytest.mark.parametrize("role", [Role.IT_REVIEWER, Role.LOGISTICS, Role.ADMINISTRATOR])
def test_admin_desk_roles_make_a_person_staff_and_losing_them_undoes_it(role):
    person = UserFactory()
    services.set_roles(user=person, roles=[Role.EMPLOYEE, role])
    person.refresh_from_db()
    assert person.is_staff and person.has_role(role)
    services.set_roles(user=person, roles=[Role.EMPLOYEE])
    person.refresh_from_db()
    assert not person.is_staff and not person.has_role(role)


@pytest.mark.parametrize("role", [Role.APP_OWNER, Role.LINE_MANAGER, Role.TRAINING_COORDINATOR])
def test_portal_roles_do_not_make_a_person_staff(role):
    person = UserFactory(roles=[role])
    person.refresh_from_db()
    assert not person.is_staff


def test_unknown_role_is_refused_and_nothing_changes():
    person = UserFactory()
    with pytest.raises(RuleViolation):
        services.set_roles(user=person, roles=["wizard"])
    assert set(person.groups.values_list("name", flat=True)) == {Role.EMPLOYEE}


def test_department_paths_follow_the_tree():
    root = DepartmentFactory(code="root")
    child = DepartmentFactory(code="child", parent=root)
    grandchild = DepartmentFactory(code="grandchild", parent=child)
    assert grandchild.path == f"/{root.pk}/{child.pk}/{grandchild.pk}/"
    assert grandchild.depth == 2
    assert set(root.subtree()) == {root, child, grandchild}


def test_moving_a_department_moves_its_whole_subtree():
    a = DepartmentFactory(code="a")
    b = DepartmentFactory(code="b")
    child = DepartmentFactory(code="child", parent=a)
    leaf = DepartmentFactory(code="leaf", parent=child)
    child.parent = b
    child.save()
    leaf.refresh_from_db()
    assert leaf.path == f"/{b.pk}/{child.pk}/{leaf.pk}/"
    assert leaf.depth == 2
    assert set(a.subtree()) == {a}
    assert set(Department.objects.get(pk=b.pk).subtree()) == {b, child, leaf}


def test_a_department_cannot_sit_under_itself():
    top = DepartmentFactory(code="top")
    below = DepartmentFactory(code="below", parent=top)
    top.parent = below
    with pytest.raises(ValidationError):
        top.full_clean()


def test_people_of_a_department_include_sub_departments():
    top = DepartmentFactory(code="top")
    sub = DepartmentFactory(code="sub", parent=top)
    other = DepartmentFactory(code="other")
    in_top, in_sub = UserFactory(department=top), UserFactory(department=sub)
    UserFactory(department=other)
    UserFactory(department=sub, is_active=False)
    assert set(selectors.people_of_department(top)) == {in_top, in_sub}
    assert set(selectors.people_of_department(top, include_sub_departments=False)) == {in_top}
