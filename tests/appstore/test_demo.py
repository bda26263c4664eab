"""The demo catalogue that seed_demo loads."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from appstore.choices import VersionState as S
from appstore.models import App, AppVersion
from appstore.selectors import apps_visible_to
from portal.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def development_settings(settings):
    settings.DEBUG = True


def test_demo_catalogue_is_realistic_and_loads_once():
    call_command("seed_demo", password="demo-pass-1")
    counts = (App.objects.count(), AppVersion.objects.count())
    call_command("seed_demo", password="demo-pass-1")
    assert (App.objects.count(), AppVersion.objects.count()) == counts
    assert counts[0] >= 35
    states = set(AppVersion.objects.values_list("state", flat=True))
    assert states >= {
        S.DRAFT,
        S.SUBMITTED,
        S.IN_REVIEW,
        S.CHANGES_REQUESTED,
        S.REJECTED,
        S.PUBLISHED,
        S.SUPERSEDED,
    }


def test_demo_employee_sees_at_least_20_apps_but_not_other_departments_own():
    call_command("seed_demo", password="demo-pass-1")
    employee = User.objects.get(username="employee")
    visible = set(apps_visible_to(employee).values_list("name", flat=True))
    assert len(visible) >= 20
    assert "Home nursing visit log" in visible
    assert "Vanninspeksjon" not in visible  # water and sewerage only
    assert "School attendance" not in visible  # schools only


def test_demo_appowner_owns_the_water_departments_apps():
    call_command("seed_demo", password="demo-pass-1")
    appowner = User.objects.get(username="appowner")
    owned = App.objects.filter(department=appowner.department)
    assert owned.filter(name="Vanninspeksjon").exists()
    assert owned.count() >= 4
