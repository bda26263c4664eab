"""The store pages in the browser as an employee sees them on a phone: home, search with
htmx, an app page and My apps. axe finds no WCAG 2.1 A/AA violation on any of them and
none scrolls sideways, at 390 px and at 320 px."""

from __future__ import annotations

import re

import pytest

from appstore import services
from appstore.choices import Platform
from tests.appstore.factories import (
    image_upload,
    make_app,
    make_version,
    pass_checklist,
    publish,
)
from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll, sign_in

APP = "Vanninspeksjon"


@pytest.fixture
def store(appowner, reviewer, employee, admin_user):
    """A small catalogue: a required app, a featured one with screenshots and an icon,
    and an installed app with an update waiting."""
    app = make_app(
        owner=appowner,
        name=APP,
        summary="Work orders and photos from water main inspections",
        description="Record inspections of water mains, with photos and positions.",
        icon=image_upload(size=(128, 128)),
    )
    draft = make_version(
        owner=appowner,
        app=app,
        platforms=(Platform.ANDROID, Platform.WEB),
        processes_personal_data=True,
        personal_data_description="Names of the inspectors.",
    )
    for n in (1, 2):
        services.add_screenshot(
            by=appowner,
            version_id=draft.pk,
            image=image_upload(f"screen{n}.png", size=(360, 720)),
            alt_text=f"Work order list, screen {n}",
        )
    _review_and_publish(appowner, reviewer, draft)
    services.rate_app(by=employee, app_id=app.pk, stars=4, comment="Saves me a trip")
    services.install_app(by=employee, app_id=app.pk, platform=Platform.ANDROID)
    publish(
        owner=appowner,
        reviewer=reviewer,
        app=app,
        version="1.1.0",
        processes_personal_data=True,
        personal_data_description="Names of the inspectors.",
    )
    services.set_featured(by=admin_user, app_id=app.pk, featured=True)
    required = make_app(owner=appowner, name="Secure chat", is_required=True)
    publish(owner=appowner, reviewer=reviewer, app=required, platforms=(Platform.IOS,))
    return app


def _review_and_publish(owner, reviewer, draft):
    services.submit_version(by=owner, version_id=draft.pk)
    services.claim_version(by=reviewer, version_id=draft.pk)
    pass_checklist(reviewer=reviewer, version=draft)
    services.approve_version(by=reviewer, version_id=draft.pk)


def _check(page):
    assert_accessible(page)
    assert_no_horizontal_scroll(page)


def test_employee_browses_searches_opens_an_app_and_sees_my_apps_on_a_phone(
    phone_page, live_server, employee, store
):
    page = phone_page
    sign_in(page, live_server, employee)

    page.goto(f"{live_server.url}/apps/")
    main = page.locator("main")
    for heading in ("Required for you", "New and updated", "Featured", "Categories"):
        assert main.get_by_role("heading", name=heading, exact=True).is_visible()
    _check(page)

    page.goto(f"{live_server.url}/apps/search/")
    assert "2 apps found" in page.locator("#results-count").inner_text()
    page.evaluate("window.storeMarker = 'same page'")
    page.locator("#id_q").press_sequentially("vann", delay=30)
    page.wait_for_url(re.compile(r"[?&]q=vann"))
    page.locator("#results-count", has_text="1 app found").wait_for()
    results = page.locator("#search-results")
    assert APP in results.inner_text() and "Secure chat" not in results.inner_text()
    assert page.evaluate("window.storeMarker") == "same page"  # swapped, not reloaded
    _check(page)
    page.locator("#id_q").fill("")
    page.get_by_label("Required for me only").check()
    page.wait_for_url(re.compile(r"[?&]required=true"))
    page.locator("#results-count", has_text="1 app found").wait_for()
    assert "Secure chat" in results.inner_text() and APP not in results.inner_text()
    assert page.evaluate("window.storeMarker") == "same page"
    page.get_by_label("Required for me only").uncheck()
    page.locator("#id_q").fill("vann")
    page.locator("#id_q").press("Enter")
    page.wait_for_url(re.compile(r"q=vann"))
    page.locator("#search-results", has_text=APP).wait_for()

    page.get_by_role("link", name=APP).click()
    page.get_by_role("heading", level=1, name=APP).wait_for()
    main = page.locator("main")
    text = main.inner_text()
    assert "Names of the inspectors." in text and "Saves me a trip" in text
    assert main.get_by_role("radio", name="4 stars").is_checked()
    assert main.locator("figure.qr svg").count() == 1
    _check(page)

    page.goto(f"{live_server.url}/apps/mine/")
    assert "Update available: 1.1.0" in page.locator("main").inner_text()
    _check(page)


def test_store_pages_fit_a_320_px_screen_without_accessibility_violations(
    new_page, live_server, employee, store
):
    page = new_page(width=320, height=640)
    sign_in(page, live_server, employee)
    for path in ("/apps/", "/apps/search/?q=vann", f"/apps/{store.slug}/", "/apps/mine/"):
        page.goto(f"{live_server.url}{path}")
        _check(page)


def test_search_works_without_javascript(browser, live_server, employee, store):
    context = browser.new_context(java_script_enabled=False, locale="en")
    try:
        page = context.new_page()
        sign_in(page, live_server, employee)
        page.goto(f"{live_server.url}/apps/search/")
        page.locator("#id_q").fill("vann")
        with page.expect_navigation():
            page.get_by_role("button", name="Show apps").click()
        assert "q=vann" in page.url
        assert "1 app found" in page.locator("#results-count").inner_text()
    finally:
        context.close()
