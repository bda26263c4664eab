"""Notifications once per person per event, emails through the worker, the shared pages."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from portal import notifications
from portal.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_person_is_told_once_per_event(employee, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = notifications.notify(
            recipients=[employee, manager], key="app:7:published", title="New"
        )
    with django_capture_on_commit_callbacks(execute=True):
        again = notifications.notify(
            recipients=[employee, manager], key="app:7:published", title="New"
        )
    assert (first, again) == (2, 0)
    assert Notification.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([employee.email, manager.email])


def test_an_email_task_run_twice_sends_once(employee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(recipients=[employee], key="k", title="Hello", url="/")
    notification = Notification.objects.get()
    assert notification.email_sent_at is not None
    assert notifications.deliver_email(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


def test_nothing_is_emailed_when_the_change_is_rolled_back(
    employee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                notifications.notify(recipients=[employee], key="k", title="Hello")
                raise RuntimeError("the service failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_an_inactive_person_gets_no_email(django_capture_on_commit_callbacks):
    leaver = UserFactory(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(recipients=[leaver], key="k", title="Hello")
    assert mail.outbox == []


def test_notifications_page_lists_only_your_own(client_for, employee, manager):
    notifications.notify(recipients=[employee], key="mine", title="For the employee", email=False)
    notifications.notify(recipients=[manager], key="theirs", title="For the manager", email=False)
    html = client_for(employee).get("/notifications/").content.decode()
    assert "For the employee" in html
    assert "For the manager" not in html


@pytest.mark.parametrize("htmx", [False, True])
def test_mark_all_as_read(client_for, employee, manager, htmx):
    notifications.notify(recipients=[employee, manager], key="k", title="Hello", email=False)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client_for(employee).post("/notifications/read/", **headers)
    assert response.status_code == (200 if htmx else 302)
    if htmx:
        assert "<html" not in response.content.decode()
    assert Notification.objects.get(recipient=employee).read_at is not None
    assert Notification.objects.get(recipient=manager).read_at is None


@pytest.mark.parametrize("count", [2, 20])
def test_home_and_notifications_query_counts_do_not_grow(
    client_for, employee, count, django_assert_max_num_queries
):
    for index in range(count):
        notifications.notify(recipients=[employee], key=f"k{index}", title=f"N{index}", email=False)
    client = client_for(employee)
    with django_assert_max_num_queries(12):
        assert client.get("/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/notifications/").status_code == 200


def test_language_switch_is_remembered_on_the_profile(client_for, employee, settings):
    client = client_for(employee)
    response = client.post("/i18n/setlang/", {"language": "nb", "next": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nb"
    employee.refresh_from_db()
    assert employee.preferred_language == "nb"
    assert '<html lang="nb">' in client.get("/").content.decode()


def test_profile_language_applies_without_a_cookie(client_for, employee):
    employee.preferred_language = "sv"
    employee.save()
    assert '<html lang="sv">' in client_for(employee).get("/").content.decode()


def test_language_switch_does_not_follow_an_unsafe_next(client):
    response = client.post("/i18n/setlang/", {"language": "sv", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_accessibility_statement_is_public_and_names_a_contact(client, settings):
    response = client.get("/accessibility/")
    assert response.status_code == 200
    assert settings.PORTAL_ACCESSIBILITY_CONTACT in response.content.decode()


def test_staff_see_the_admin_in_the_navigation_and_employees_do_not(client_for, employee, reviewer):
    assert 'href="/admin/"' not in client_for(employee).get("/").content.decode()
    assert 'href="/admin/"' in client_for(reviewer).get("/").content.decode()


@pytest.mark.parametrize(
    ("accept", "served"), [("no", "nb"), ("nn-NO", "nb"), ("sv-FI", "sv"), ("da", "en")]
)
def test_browser_language_picks_the_nearest_catalogue(client, accept, served):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=accept)
    assert f'<html lang="{served}">' in response.content.decode()
