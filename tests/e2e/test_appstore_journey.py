"""Journey 1 of PRODUCT.md in the browser: an owner submits, a reviewer requests changes
in the admin, the owner resubmits, the reviewer approves, an employee in the audience
finds and installs the app, one outside it cannot see it. axe checks each store page."""

from __future__ import annotations

import re

import pytest

from appstore.models import AppVersion, Installation, InstallationRequest
from portal.choices import Role
from portal.models import Notification
from tests.appstore.factories import ensure_checklist
from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll, sign_in, submit
from tests.factories import DepartmentFactory, UserFactory

APP = "Water inspection work orders"


@pytest.fixture
def staff_without_mfa(settings):
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = False


def _owner_submits(page, live_server, appowner, audience_department):
    sign_in(page, live_server, appowner)
    page.goto(f"{live_server.url}/apps/manage/")
    assert_accessible(page)
    page.get_by_role("link", name="Create an app").click()
    page.get_by_label("Name", exact=True).fill(APP)
    page.get_by_label("Summary").fill("Work orders and photos from water main inspections")
    page.get_by_label("Category").select_option("technical")
    page.get_by_label("Support contact").fill("water@example.org")
    page.locator("[data-department-tree]").get_by_label(
        audience_department.name, exact=True
    ).check()
    assert_accessible(page)
    submit(page)
    page.get_by_label("Version number").fill("1.0.0")
    page.get_by_label("Release notes").fill("Work orders offline, with photos.")
    page.get_by_label("Data classification").select_option("internal")
    submit(page)
    page.locator("#id_platform").select_option("android")
    page.get_by_label("Store or MDM identifier").fill("no.nordvik.waterorders")
    with page.expect_navigation():
        page.get_by_role("button", name="Add the platform").click()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Submit for review").click()
    assert "Submitted" in page.locator("main").inner_text()


def _review(page, live_server, version_id, *, approve: bool, claim: bool = True):
    page.goto(f"{live_server.url}/admin/appstore/appversion/")
    assert APP in page.locator("#result_list").inner_text()
    page.goto(f"{live_server.url}/admin/appstore/appversion/{version_id}/change/")
    if claim:
        with page.expect_navigation():
            page.locator("button[name=_decision][value=claim]").click()
    else:  # a resubmitted version came straight back to this reviewer
        assert page.locator("button[name=_decision][value=claim]").count() == 0
    items = ensure_checklist()
    for number, item in enumerate(items):
        result = "fail" if not approve and number == 0 else "pass"
        page.locator(f"input[name=checklist-result_{item.pk}][value={result}]").check()
        if result == "fail":
            page.locator(f"[name=checklist-note_{item.pk}]").fill("Sign-in is not our SSO.")
    with page.expect_navigation():
        page.locator("button[name=_checklist]").click()
    if approve:
        with page.expect_navigation():
            page.locator("button[name=_decision][value=approve]").click()
    else:
        page.locator("[name=decision-comment]").fill("Please use the organisation's SSO.")
        with page.expect_navigation():
            page.locator("button[name=_decision][value=request_changes]").click()


def test_journey_1_publish_an_app_to_its_audience(
    new_page, live_server, appowner, reviewer, employee, staff_without_mfa
):
    ensure_checklist()
    outsider = UserFactory(department=DepartmentFactory(name="Schools"), roles=[Role.EMPLOYEE])
    desktop = {"width": 1280, "height": 900}

    owner_page = new_page(**desktop)
    _owner_submits(owner_page, live_server, appowner, employee.department)
    version = AppVersion.objects.get(app__name=APP)

    reviewer_page = new_page(**desktop)
    sign_in(reviewer_page, live_server, reviewer)
    _review(reviewer_page, live_server, version.pk, approve=False)
    version.refresh_from_db()
    assert version.state == "changes_requested"

    owner_page.goto(f"{live_server.url}/apps/manage/versions/{version.pk}/")
    text = owner_page.locator("main").inner_text()
    assert "Please use the organisation's SSO." in text and "Sign-in is not our SSO." in text
    owner_page.get_by_label("Message to the reviewer").fill(
        "We now sign in with the organisation's SSO."
    )
    with owner_page.expect_navigation():
        owner_page.get_by_role("button", name="Resubmit").click()

    _review(reviewer_page, live_server, version.pk, approve=True, claim=False)
    version.refresh_from_db()
    assert version.state == "published"
    assert Notification.objects.filter(recipient=appowner, title__contains="published").exists()
    steps = list(version.events.values_list("from_state", "to_state", "actor__username"))
    assert steps == [
        ("draft", "submitted", "appowner"),
        ("submitted", "in_review", "reviewer"),
        ("in_review", "changes_requested", "reviewer"),
        ("changes_requested", "submitted", "appowner"),
        ("submitted", "in_review", "reviewer"),
        ("in_review", "approved", "reviewer"),
        ("approved", "published", "reviewer"),
    ]

    phone = new_page(width=390, height=844)
    sign_in(phone, live_server, employee)
    phone.goto(f"{live_server.url}/apps/")
    assert_accessible(phone)
    phone.get_by_role("link", name="All apps").click()
    phone.get_by_label("Search").fill("water insp")
    phone.wait_for_url(re.compile(r"q=water"))
    phone.get_by_role("link", name=APP).wait_for()
    assert_accessible(phone)
    assert_no_horizontal_scroll(phone)
    phone.get_by_role("link", name=APP).click()
    assert_accessible(phone)
    assert_no_horizontal_scroll(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Install on Android").click()
    assert "no.nordvik.waterorders" in phone.locator("main").inner_text()
    assert InstallationRequest.objects.filter(user=employee, app__name=APP).exists()
    assert not Installation.objects.filter(user=employee, app__name=APP).exists()
    phone.goto(f"{live_server.url}/apps/mine/")
    assert APP in phone.locator("main").inner_text()
    assert_accessible(phone)

    other = new_page(**desktop)
    sign_in(other, live_server, outsider)
    response = other.goto(f"{live_server.url}/apps/{version.app.slug}/")
    assert response.status == 404
    other.goto(f"{live_server.url}/apps/search/?q=water")
    assert APP not in other.locator("main").inner_text()
