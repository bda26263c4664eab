"""Handing a device out names exactly one active person (`devices.people.person_to_assign`,
shared by the device page's and the admin's form): a unique username, employee number or
email address assigns; a name several people go by (usernames differing in case, one's
username another's email address), a name nobody has and a deactivated account are
refused with a form error, and nothing is assigned. (Two people can no longer share an
email address: portal's `user_email_unique` constraint.)"""

from __future__ import annotations

import pytest
from django.urls import reverse

from devices.choices import DeviceState
from devices.forms import PersonForm
from devices.people import person_to_assign
from portal.errors import RuleViolation
from tests.devices.factories import DeviceFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DEVICES = "/admin/devices/device/"


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = False


@pytest.fixture
def twins(db):
    """Two people one name could mean: usernames that differ only in case."""
    return (
        UserFactory(username="Kari", email="kari.berg@example.org", employee_number="E100"),
        UserFactory(username="kari", email="kari.dahl@example.org", employee_number="E200"),
    )


def assign(client, device, person: str):
    return client.post(reverse("devices:assign", args=[device.pk]), {"person": person})


def person_error(response) -> str:
    assert response.status_code == 400
    return " ".join(response.context["assign_form"].errors["person"])


@pytest.mark.parametrize(
    "named", ["Kari", "kari.berg@example.org", "KARI.Berg@example.org", "E100"]
)
def test_a_unique_username_or_employee_number_assigns_that_person(
    named, twins, client_for, logistics
):
    device = DeviceFactory()

    response = assign(client_for(logistics), device, named)

    assert response.status_code == 302
    device.refresh_from_db()
    assert (device.state, device.assignee) == (DeviceState.ASSIGNED, twins[0])


def test_a_unique_email_address_assigns_that_person(client_for, logistics, employee):
    device = DeviceFactory()

    assert assign(client_for(logistics), device, " Employee@Example.org ").status_code == 302

    device.refresh_from_db()
    assert device.assignee == employee


def test_a_name_two_people_go_by_is_refused_and_asks_for_the_username(twins, client_for, logistics):
    device = DeviceFactory()

    error = person_error(assign(client_for(logistics), device, "KARI"))

    assert "More than one person" in error and "username" in error and "employee number" in error
    device.refresh_from_db()
    assert (device.state, device.assignee) == (DeviceState.IN_STOCK, None)


def test_nobody_by_that_name_is_refused(client_for, logistics):
    device = DeviceFactory()

    error = person_error(assign(client_for(logistics), device, "nobody@example.org"))

    assert error == "Nobody has that username, employee number or email address."
    device.refresh_from_db()
    assert device.assignee is None


def test_a_deactivated_account_is_refused_by_name(client_for, logistics):
    UserFactory(username="leaver", first_name="Liv", last_name="Lund", is_active=False)
    device = DeviceFactory()

    error = person_error(assign(client_for(logistics), device, "leaver"))

    assert "Liv Lund" in error and "deactivated" in error
    device.refresh_from_db()
    assert device.assignee is None


def test_an_exact_username_is_one_person_even_if_it_is_another_s_email(db):
    named = UserFactory(username="ola@example.org", email="ola.private@example.org")
    other = UserFactory(username="ola", email="OLA@example.org")

    assert person_to_assign("ola@example.org") == named
    with pytest.raises(RuleViolation) as refused:
        person_to_assign("Ola@Example.org")
    assert refused.value.code == "ambiguous_person"
    assert person_to_assign("ola") == other


def test_a_name_an_active_person_and_a_leaver_go_by_is_still_ambiguous(db):
    UserFactory(username="Old", email="old.leaver@example.org", is_active=False)
    UserFactory(username="old", email="old.starter@example.org")

    with pytest.raises(RuleViolation) as refused:
        person_to_assign("OLD")

    assert (refused.value.code, refused.value.field) == ("ambiguous_person", "person")


@pytest.mark.parametrize(
    ("text", "code"),
    [("", "required"), ("   ", "required"), ("ghost", "no_such_person"), ("E1", "no_such_person")],
)
def test_the_form_says_why_in_the_person_field(text, code, db):
    form = PersonForm(data={"person": text})

    assert not form.is_valid()
    assert [error.code for error in form.errors.as_data()["person"]] == [code]


def test_the_admin_s_hand_out_form_refuses_an_ambiguous_name_too(twins, client_for, logistics):
    device = DeviceFactory()

    response = client_for(logistics).post(f"{DEVICES}{device.pk}/assign/", {"person": "KARI"})

    assert response.status_code == 400
    assert "More than one person" in " ".join(response.context["assign_form"].errors["person"])
    device.refresh_from_db()
    assert device.assignee is None
