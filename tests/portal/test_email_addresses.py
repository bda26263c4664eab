"""One person per email address, set only by the admin (or single sign-on): the desk
assigns by email, and people sign in and reset passwords with it."""

from __future__ import annotations

import importlib

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core import mail
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.db.models.functions import Lower
from django.test import Client

from portal.models import User
from tests.factories import UserFactory
from tests.portal.admin_forms import change_form_data

pytestmark = pytest.mark.django_db

EMAIL_PAGE = "/accounts/email/"


@pytest.fixture(autouse=True)
def _no_mfa_and_fresh_rate_limits(settings):
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = False
    cache.clear()  # allauth's password-reset limits
    yield
    cache.clear()


def _email_of(user) -> str:
    return User.objects.values_list("email", flat=True).get(pk=user.pk)


def test_the_email_page_shows_the_address_and_who_sets_it(client_for, employee):
    html = client_for(employee).get(EMAIL_PAGE).content.decode()
    assert employee.email in html
    assert "set by your organisation" in html
    assert 'name="action_add"' not in html


def test_the_email_page_refuses_to_add_an_address(client_for, employee, manager):
    client = client_for(employee)
    response = client.post(EMAIL_PAGE, {"action_add": "", "email": "desk@example.org"})
    assert response.status_code == 302
    assert not EmailAddress.objects.filter(email="desk@example.org").exists()
    html = client.get(response["Location"]).content.decode()
    assert "Ask the IT service desk to change it." in html


def test_the_email_page_refuses_to_make_another_address_primary(client_for, employee, manager):
    """Even an address already on the account (added before the page was closed)."""
    EmailAddress.objects.create(user=employee, email="team.lead@example.org")
    response = client_for(employee).post(
        EMAIL_PAGE, {"action_primary": "", "email": "team.lead@example.org"}
    )
    assert response.status_code == 302
    assert _email_of(employee) == employee.email


@pytest.mark.parametrize("other", ["manager@example.org", "Manager@Example.ORG"])
def test_two_people_cannot_share_an_email_address_in_any_case(manager, other):
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="twin", email=other)


def test_many_people_may_have_no_email_address():
    UserFactory.create_batch(2, email="")
    assert User.objects.filter(email="").count() == 2


def test_the_admin_refuses_an_address_another_person_has(client_for, admin_user, employee):
    admin = client_for(admin_user)
    url = f"/admin/portal/user/{employee.pk}/change/"
    data = {**change_form_data(admin, url), "email": "MANAGER@example.org"}
    UserFactory(username="manager", email="manager@example.org")
    response = admin.post(url, data)
    assert response.status_code == 200
    assert "Another person already has this email address." in response.content.decode()
    assert _email_of(employee) == employee.email


def test_an_address_set_in_the_admin_is_the_only_one_to_sign_in_and_reset_with(
    client_for, admin_user, employee, manager, django_capture_on_commit_callbacks
):
    """The old address stops working, and another person's stale row for the new one goes,
    so a password reset to it reaches this person only."""
    EmailAddress.objects.create(user=employee, email=employee.email, primary=True)
    EmailAddress.objects.create(user=manager, email="nurse.station@example.org")
    admin = client_for(admin_user)
    url = f"/admin/portal/user/{employee.pk}/change/"
    data = {**change_form_data(admin, url), "email": "Nurse.Station@example.org"}
    assert admin.post(url, data).status_code == 302
    rows = EmailAddress.objects.filter(email__iexact="nurse.station@example.org")
    assert list(rows.values_list("user_id", "email", "primary")) == [
        (employee.pk, "nurse.station@example.org", True)
    ]
    assert not EmailAddress.objects.filter(user=employee).exclude(pk__in=rows).exists()
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/password/reset/", {"email": "nurse.station@example.org"})
    assert len(mail.outbox) == 1
    assert "employee" in mail.outbox[0].body
    assert "manager" not in mail.outbox[0].body


def test_the_migration_leaves_one_person_per_address(employee):
    """Before the constraint: the person who verified the address keeps it, the others'
    email is blanked; addresses added on the old email page go."""
    migration = importlib.import_module("portal.migrations.0004_one_person_per_email")
    constraint = next(c for c in User._meta.constraints if c.name == "user_email_unique")
    with connection.schema_editor() as editor:
        editor.remove_constraint(User, constraint)
    first = UserFactory(username="first", email="shared@example.org")
    verifier = UserFactory(username="verifier", email="Shared@example.org")
    EmailAddress.objects.create(user=verifier, email="shared@example.org", verified=True)
    EmailAddress.objects.create(user=employee, email="shared@example.org")
    migration.one_person_per_address(apps, None)
    assert (_email_of(first), _email_of(verifier)) == ("", "Shared@example.org")
    assert not EmailAddress.objects.filter(user=employee).exists()
    addresses = User.objects.exclude(email="").annotate(address=Lower("email"))
    assert not addresses.values("address").annotate(n=Count("pk")).filter(n__gt=1).exists()
    # The test's transaction rolls the constraint's removal back.
