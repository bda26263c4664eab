"""The pages every person shares: home, notifications, the accessibility statement."""

from __future__ import annotations

import pytest

from portal import notifications
from portal.models import Notification

pytestmark = pytest.mark.django_db


def _tell(person, count: int = 1, prefix: str = "N") -> None:
    for index in range(count):
        notifications.notify(
            recipients=[person], key=f"{prefix}{index}", title=f"{prefix}{index}", email=False
        )


def test_home_requires_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_employee_sees_their_department_and_manager_on_home(client_for, employee, manager):
    html = client_for(employee).get("/").content.decode()
    assert employee.department.name in html
    assert str(manager) in html


def test_home_shows_the_latest_five_notifications(client_for, employee):
    _tell(employee, 7, prefix="Item ")
    html = client_for(employee).get("/").content.decode()
    shown = [f"Item {index}" for index in range(7) if f">Item {index}<" in html]
    assert shown == ["Item 2", "Item 3", "Item 4", "Item 5", "Item 6"]


def test_unread_notifications_are_counted_in_the_header(client_for, employee):
    _tell(employee, 3)
    html = client_for(employee).get("/").content.decode()
    assert '3<span class="visually-hidden"> unread notifications' in html


def test_notifications_page_lists_only_your_own(client_for, employee, manager):
    notifications.notify(recipients=[employee], key="mine", title="For the employee", email=False)
    notifications.notify(recipients=[manager], key="theirs", title="For the manager", email=False)
    html = client_for(employee).get("/notifications/").content.decode()
    assert "For the employee" in html
    assert "For the manager" not in html


def test_notifications_page_requires_sign_in(client):
    assert client.get("/notifications/")["Location"].startswith("/accounts/login/")


def test_notifications_page_is_paginated(client_for, employee):
    _tell(employee, 27, prefix="Item ")
    client = client_for(employee)
    first = client.get("/notifications/").content.decode()
    second = client.get("/notifications/", {"page": 2}).content.decode()
    assert ">Item 26<" in first and ">Item 1<" not in first
    assert ">Item 1<" in second and ">Item 0<" in second


def test_htmx_asks_for_the_notification_list_alone(client_for, employee):
    _tell(employee, 1, prefix="Item ")
    response = client_for(employee).get("/notifications/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert ">Item 0<" in html
    assert "<html" not in html


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_mark_all_as_read(client_for, employee, manager, htmx):
    notifications.notify(recipients=[employee, manager], key="k", title="Hello", email=False)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client_for(employee).post("/notifications/read/", **headers)
    if htmx:
        assert response.status_code == 200
        html = response.content.decode()
        assert "<html" not in html
        assert 'class="plain-list notification-list"' in html
        assert "is-unread" not in html
    else:
        assert response.status_code == 302
        assert response["Location"] == "/notifications/"
    assert Notification.objects.get(recipient=employee).read_at is not None
    assert Notification.objects.get(recipient=manager).read_at is None


def test_mark_all_as_read_only_accepts_post(client_for, employee):
    _tell(employee)
    assert client_for(employee).get("/notifications/read/").status_code == 405
    assert Notification.objects.get().read_at is None


def test_accessibility_statement_is_public_and_names_a_contact(client, settings):
    response = client.get("/accessibility/")
    assert response.status_code == 200
    assert settings.PORTAL_ACCESSIBILITY_CONTACT in response.content.decode()


def test_staff_see_the_admin_in_the_navigation_and_employees_do_not(client_for, employee, reviewer):
    assert 'href="/admin/"' not in client_for(employee).get("/").content.decode()
    assert 'href="/admin/"' in client_for(reviewer).get("/").content.decode()


def test_the_current_page_is_marked_in_the_navigation(client_for, employee):
    html = client_for(employee).get("/notifications/").content.decode()
    assert 'href="/notifications/" aria-current="page"' in html
    assert 'href="/" aria-current="page"' not in html


@pytest.mark.parametrize("count", [2, 20])
def test_home_and_notifications_query_counts_do_not_grow(
    client_for, employee, count, django_assert_max_num_queries
):
    _tell(employee, count)
    client = client_for(employee)
    with django_assert_max_num_queries(8):
        assert client.get("/").status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get("/notifications/").status_code == 200
    with django_assert_max_num_queries(6):
        assert client.post("/notifications/read/", HTTP_HX_REQUEST="true").status_code == 200


@pytest.mark.parametrize(
    "role", ["employee", "appowner", "reviewer", "manager", "logistics", "trainer", "admin"]
)
def test_every_role_has_the_shared_navigation(client, personas, role):
    client.force_login(personas[role])
    html = client.get("/notifications/").content.decode()
    nav = html[html.index('<nav class="main-nav"') : html.index("</nav>")]
    for url in ("/", "/apps/", "/devices/", "/notifications/"):
        assert f'href="{url}"' in nav, (role, url)
