"""Who the app store tells what: a new app's audience, resolved review work, each person
in their own language, and the one-way arrows between tasks and services."""

from __future__ import annotations

import ast
import importlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from appstore import services
from appstore.choices import VersionState as S
from appstore.models import AppVersion
from portal.choices import Role
from portal.models import Notification
from tests.appstore.factories import make_app, make_version, pass_checklist, publish
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _committed(capture, function, **kwargs):
    with capture(execute=True):
        return function(**kwargs)


# --- a new app's first publication -----------------------------------------------------


def test_a_new_optional_apps_audience_is_told_once_in_the_list_without_email(
    appowner, reviewer, employee, django_capture_on_commit_callbacks
):
    outsider = UserFactory(department=DepartmentFactory())
    app = make_app(
        owner=appowner, audience_everyone=False, audience_departments=[employee.department]
    )
    colleague = UserFactory(department=employee.department)
    mail.outbox.clear()

    version = _committed(
        django_capture_on_commit_callbacks, publish, owner=appowner, reviewer=reviewer, app=app
    )

    key = f"appversion:{version.pk}:published"
    told = Notification.objects.filter(key=key)
    assert set(told.values_list("recipient_id", flat=True)) >= {employee.pk, colleague.pk}
    assert not told.filter(recipient=outsider).exists()
    assert not told.filter(email_due=True).exists()
    assert not [m for m in mail.outbox if employee.email in m.to]
    assert app.name in told.get(recipient=employee).title
    # Once each: the announcement run again (a retry, the reconciler) tells nobody twice.
    assert services.announce_publication(version_id=version.pk) == 0
    assert told.filter(recipient=employee).count() == 1


def test_a_new_required_app_is_emailed_to_its_audience(
    appowner, reviewer, employee, django_capture_on_commit_callbacks
):
    app = make_app(owner=appowner, is_required=True)
    mail.outbox.clear()
    _committed(
        django_capture_on_commit_callbacks, publish, owner=appowner, reviewer=reviewer, app=app
    )
    told = Notification.objects.get(key=f"app:{app.pk}:required", recipient=employee)
    assert told.email_due and told.email_sent_at is not None
    assert [m for m in mail.outbox if employee.email in m.to]


def test_an_update_of_an_optional_app_is_not_emailed(
    appowner, reviewer, employee, django_capture_on_commit_callbacks
):
    app = make_app(owner=appowner)
    _committed(
        django_capture_on_commit_callbacks, publish, owner=appowner, reviewer=reviewer, app=app
    )
    services.install_app(by=employee, app_id=app.pk, platform="android")
    second = _committed(
        django_capture_on_commit_callbacks,
        publish,
        owner=appowner,
        reviewer=reviewer,
        app=app,
        version="1.1.0",
    )
    told = Notification.objects.get(key=f"appversion:{second.pk}:published", recipient=employee)
    assert not told.email_due


# --- resolved work does not stay unread --------------------------------------------------


def _unread(user, version):
    return Notification.objects.filter(
        recipient=user, subject=f"appversion:{version.pk}", read_at__isnull=True
    )


def test_claiming_resolves_waits_for_review_for_every_reviewer(appowner, reviewer):
    second = UserFactory(roles=[Role.IT_REVIEWER])
    version = make_version(owner=appowner, app=make_app(owner=appowner))
    services.submit_version(by=appowner, version_id=version.pk)
    assert _unread(reviewer, version).count() == _unread(second, version).count() == 1

    services.claim_version(by=reviewer, version_id=version.pk)

    assert not _unread(reviewer, version).exists()
    assert not _unread(second, version).exists()
    assert _unread(appowner, version).count() == 1  # "is being reviewed", the new step


@pytest.mark.parametrize("last_step", ["publish", "withdraw"])
def test_nothing_about_a_decided_version_stays_unread_but_its_last_step(
    appowner, reviewer, last_step
):
    version = publish(owner=appowner, reviewer=reviewer, app=make_app(owner=appowner))
    if last_step == "withdraw":
        services.withdraw_version(by=appowner, version_id=version.pk, comment="Broken.")
        assert not _unread(appowner, version).exists()
    else:
        assert [n.key for n in _unread(appowner, version)] == [
            f"appversion:{version.pk}:event:{version.events.last().pk}"
        ]
    assert not _unread(reviewer, version).exists()


def test_resolving_takes_as_many_queries_for_20_reviewers_as_for_2(appowner, reviewer):
    def claim_counted() -> int:
        version = make_version(owner=appowner, app=make_app(owner=appowner))
        services.submit_version(by=appowner, version_id=version.pk)
        with CaptureQueriesContext(connection) as queries:
            services.claim_version(by=reviewer, version_id=version.pk)
        return len(queries)

    with_two = claim_counted()
    UserFactory.create_batch(18, roles=[Role.IT_REVIEWER])
    with_twenty = claim_counted()
    assert with_twenty == with_two


def test_the_migration_resolves_review_notifications_of_versions_decided_before(appowner, reviewer):
    version = publish(owner=appowner, reviewer=reviewer, app=make_app(owner=appowner))
    submitted = version.events.get(to_state=S.SUBMITTED)
    old = Notification.objects.filter(key=f"appversion:{version.pk}:event:{submitted.pk}")
    old.update(read_at=None, subject="")  # as notifications sent before subjects were
    latest = Notification.objects.filter(
        key=f"appversion:{version.pk}:event:{version.events.last().pk}"
    )
    latest.update(read_at=None, subject="")
    migration = importlib.import_module("appstore.migrations.0009_resolve_old_review_notifications")

    with connection.cursor() as cursor:
        for sql in migration.SQL:
            cursor.execute(sql)

    assert old.exists() and not old.filter(read_at__isnull=True).exists()
    assert latest.filter(read_at__isnull=True, subject=f"appversion:{version.pk}").exists()


# --- each person in their own language ----------------------------------------------------


def test_a_norwegian_reviewer_is_told_in_norwegian_in_the_list_and_by_email(
    appowner, client_for, django_capture_on_commit_callbacks
):
    norwegian = UserFactory(roles=[Role.IT_REVIEWER], preferred_language="nb")
    english = UserFactory(roles=[Role.IT_REVIEWER], preferred_language="en")
    version = make_version(owner=appowner, app=make_app(owner=appowner))
    mail.outbox.clear()

    _committed(
        django_capture_on_commit_callbacks,
        services.submit_version,
        by=appowner,
        version_id=version.pk,
    )

    norsk = Notification.objects.get(recipient=norwegian, subject=f"appversion:{version.pk}")
    assert "venter på kontroll" in norsk.title
    assert "waits for review" in Notification.objects.get(recipient=english).title
    (email,) = [m for m in mail.outbox if m.to == [norwegian.email]]
    assert "venter på kontroll" in email.subject
    with translation.override("en"):  # the page activates nb: not for the tests after this
        page = client_for(norwegian).get(reverse("portal:notifications"))
    assert "venter på kontroll" in page.content.decode()


def test_owners_hear_of_a_decision_in_their_own_language(appowner, reviewer):
    appowner.preferred_language = "nb"
    appowner.save(update_fields=["preferred_language"])
    version = make_version(owner=appowner, app=make_app(owner=appowner))
    services.submit_version(by=appowner, version_id=version.pk)
    services.claim_version(by=reviewer, version_id=version.pk)
    pass_checklist(reviewer=reviewer, version=version)
    event = services.request_changes(by=reviewer, version_id=version.pk, comment="SSO, please.")
    told = Notification.objects.get(key=f"appversion:{version.pk}:event:{event.pk}")
    assert told.title.startswith("Endringer etterspurt for")


# --- tasks call services; services queue tasks by name ----------------------------------


def _imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at its top or inside a function."""
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize(
    ("services_path", "tasks_module"),
    [
        *[(p, "appstore.tasks") for p in sorted((ROOT / "appstore/services").glob("*.py"))],
        (ROOT / "portal/notifications.py", "portal.tasks"),
        (ROOT / "portal/queue.py", "portal.tasks"),
    ],
    ids=lambda value: value.name if isinstance(value, Path) else value,
)
def test_services_do_not_import_the_tasks_that_call_them(services_path, tasks_module):
    assert tasks_module not in _imported_modules(services_path)


def test_deciding_a_listing_change_resolves_its_waits_for_review(appowner, reviewer):
    app = make_app(owner=appowner)
    publish(owner=appowner, reviewer=reviewer, app=app)
    change = services.update_listing(by=appowner, app_id=app.pk, summary="Work orders, offline")
    waiting = Notification.objects.filter(
        recipient=reviewer, key=f"listingchange:{change.pk}:submitted"
    )
    assert waiting.get().read_at is None

    services.approve_listing_change(by=reviewer, change_id=change.pk, revision=change.revision)

    assert waiting.get().read_at is not None


def test_a_publication_announced_weeks_late_tells_nobody_but_is_marked_announced(
    appowner, reviewer, employee
):
    """Old news (history seeded or loaded, a reconciler after a long outage) does not
    fill everyone's list on their first sign-in."""
    version = publish(owner=appowner, reviewer=reviewer, app=make_app(owner=appowner))
    weeks_ago = timezone.now() - timedelta(days=30)
    AppVersion.objects.filter(pk=version.pk).update(published_at=weeks_ago, announced_at=None)

    assert services.announce_publication(version_id=version.pk) == 0

    assert not Notification.objects.filter(key=f"appversion:{version.pk}:published").exists()
    version.refresh_from_db()
    assert version.announced_at is not None
