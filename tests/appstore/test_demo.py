"""The demo catalogue that seed_demo loads: seeded once per run (the `demo` fixture), each
test reads it in its own savepoint."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from appstore.choices import ListingChangeState
from appstore.choices import VersionState as S
from appstore.models import (
    App,
    AppArtifact,
    AppScreenshot,
    AppVersion,
    AppVersionEvent,
    Installation,
    ListingChange,
    ListingChangeEvent,
    Rating,
)
from appstore.selectors import apps_visible_to, my_installations
from portal.models import Notification, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


@pytest.fixture(autouse=True)
def development_settings(settings):
    settings.DEBUG = True


DEMO_MODELS = [
    App,
    AppVersion,
    AppArtifact,
    AppScreenshot,
    Installation,
    Rating,
    ListingChange,
    AppVersionEvent,
    ListingChangeEvent,
    Notification,
]


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in DEMO_MODELS}


def test_demo_catalogue_is_realistic_and_loads_once(django_capture_on_commit_callbacks):
    # As in a real run, what waits for the commit runs too (the `demo` fixture seeded that
    # way): thumbnails, notifications.
    counts = _counts()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", password="demo-pass-1")
    assert _counts() == counts
    assert counts["Notification"] > 0
    # The eager Celery task made a thumbnail of every icon and screenshot.
    assert not App.objects.filter(icon_thumbnail="").exists()
    assert not AppScreenshot.objects.filter(thumbnail="").exists()
    assert counts["App"] >= 35
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
    employee = User.objects.get(username="employee")
    visible = set(apps_visible_to(employee).values_list("name", flat=True))
    assert len(visible) >= 20
    installed = set(Installation.objects.filter(user=employee).values_list("app__name", flat=True))
    assert installed and installed <= visible
    assert "Home nursing visit log" in visible
    assert "Vanninspeksjon" not in visible  # water and sewerage only
    assert "School attendance" not in visible  # schools only
    own_department_only = App.objects.filter(
        audience_everyone=False, audience_roles=[], audience_work_patterns=[]
    ).exclude(audience_departments__in=employee.department.ancestor_ids())
    assert not visible & set(own_department_only.values_list("name", flat=True))


def test_demo_appowner_owns_the_water_departments_apps():
    appowner = User.objects.get(username="appowner")
    owned = App.objects.filter(department=appowner.department)
    assert owned.filter(name="Vanninspeksjon").exists()
    assert owned.count() >= 4


def test_demo_apps_have_icons_screenshots_and_a_real_package():
    assert not App.objects.filter(icon="").exists()
    featured = App.objects.filter(is_featured=True)
    assert featured.exists()
    for app in featured:
        first = app.versions.get(version="1.0.0")
        assert first.screenshots.count() == 2
        assert all(shot.alt_text for shot in first.screenshots.all())
    package = AppArtifact.objects.exclude(package="").get()
    assert package.package_name.endswith(".apk") and len(package.package_sha256) == 64


def test_demo_staff_rated_and_installed_apps_and_an_update_waits():
    employee = User.objects.get(username="employee")
    assert Rating.objects.count() >= 3
    installations = my_installations(employee)
    assert len(installations) >= 3
    assert any(i.update is not None for i in installations)


def test_demo_has_a_listing_change_waiting_for_the_appowners_department():
    appowner = User.objects.get(username="appowner")
    change = ListingChange.objects.get(state=ListingChangeState.SUBMITTED)
    assert change.app.department == appowner.department
    assert change.app.versions.filter(state=S.PUBLISHED).exists()


def test_demo_catalogue_grew_over_a_year_and_the_queue_has_ages():
    """Apps went live over the past months, the review queue waits for days (not seconds),
    every version's timeline runs forwards and nothing happened in the future."""
    now = timezone.now()
    published = AppVersionEvent.objects.filter(to_state=S.PUBLISHED)
    ages = sorted((now - at).days for at in published.values_list("created_at", flat=True))
    assert ages[0] < 30 and ages[-1] > 180
    waiting = AppVersion.objects.filter(state__in=[S.SUBMITTED, S.IN_REVIEW])
    assert waiting.exists()
    assert all(
        datetime.timedelta(hours=1)
        < now - version.events.last().created_at
        < datetime.timedelta(days=30)
        for version in waiting
    )
    last: dict[int, datetime.datetime] = {}
    for version_id, at in AppVersionEvent.objects.order_by("pk").values_list(
        "version_id", "created_at"
    ):
        assert at <= now
        assert at >= last.get(version_id, at)
        last[version_id] = at
    for app in App.objects.prefetch_related("versions"):
        assert all(version.created_at >= app.created_at for version in app.versions.all())
