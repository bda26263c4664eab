"""Whether a person is staff (and so needs MFA) follows their roles, however the roles are
given: a service, the admin's person form, or the groups table directly."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group
from django.test import Client

from portal.choices import Role
from portal.roles import is_staff_by_roles
from tests.portal.admin_forms import change_form_data

pytestmark = pytest.mark.django_db

ENROLMENT = "/accounts/2fa/totp/activate/"
STAFF_ROLES = [Role.IT_REVIEWER, Role.LOGISTICS, Role.ADMINISTRATOR]


@pytest.fixture
def require_mfa(settings):
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = True


@pytest.fixture
def admin_client(admin_user):
    TOTP.activate(admin_user, generate_totp_secret())
    client = Client()
    client.force_login(admin_user)
    return client


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _person_url(user) -> str:
    return f"/admin/portal/user/{user.pk}/change/"


def _post_roles(admin_client, person, roles) -> None:
    data = change_form_data(admin_client, _person_url(person))
    data["groups"] = [str(Group.objects.get(name=role).pk) for role in roles]
    response = admin_client.post(_person_url(person), data)
    assert response.status_code == 302, response.context["adminform"].form.errors


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_a_staff_role_given_on_the_admin_person_form_makes_staff_and_asks_for_mfa(
    require_mfa, admin_client, employee, role
):
    person = _signed_in(employee)
    assert person.get("/").status_code == 200
    _post_roles(admin_client, employee, [Role.EMPLOYEE, role])
    employee.refresh_from_db()
    assert employee.is_staff
    assert person.get("/")["Location"] == ENROLMENT
    assert person.get("/api/v1/me/").json()["code"] == "mfa_required"


def test_taking_the_staff_role_away_on_the_admin_person_form_undoes_it(
    require_mfa, admin_client, logistics
):
    person = _signed_in(logistics)
    assert person.get("/")["Location"] == ENROLMENT
    _post_roles(admin_client, logistics, [Role.EMPLOYEE])
    logistics.refresh_from_db()
    assert not logistics.is_staff
    assert person.get("/").status_code == 200


def test_a_portal_role_on_the_admin_person_form_does_not_make_staff(
    require_mfa, admin_client, employee
):
    _post_roles(admin_client, employee, [Role.EMPLOYEE, Role.LINE_MANAGER])
    employee.refresh_from_db()
    assert not employee.is_staff
    assert _signed_in(employee).get("/").status_code == 200


def test_the_admin_person_form_cannot_tick_staff_by_hand(admin_client, employee):
    data = change_form_data(admin_client, _person_url(employee))
    data["is_staff"] = "on"
    assert admin_client.post(_person_url(employee), data).status_code == 302
    employee.refresh_from_db()
    assert not employee.is_staff


def test_a_staff_group_given_outside_the_services_still_asks_for_mfa(require_mfa, employee):
    """The MFA check asks the roles, so no path that changes groups can skip it."""
    employee.groups.add(Group.objects.get(name=Role.LOGISTICS))
    assert not employee.is_staff
    assert _signed_in(employee).get("/")["Location"] == ENROLMENT


@pytest.mark.parametrize(
    ("roles", "superuser", "expected"),
    [
        ([Role.EMPLOYEE], False, False),
        ([Role.EMPLOYEE, Role.APP_OWNER, Role.LINE_MANAGER], False, False),
        ([Role.EMPLOYEE, Role.IT_REVIEWER], False, True),
        ([Role.EMPLOYEE], True, True),
    ],
)
def test_is_staff_by_roles(employee, roles, superuser, expected):
    employee.groups.set(Group.objects.filter(name__in=roles))
    employee.is_superuser = superuser
    del employee._role_names
    assert is_staff_by_roles(employee) is expected
