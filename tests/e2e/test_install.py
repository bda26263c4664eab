"""Install, in the browser, to its end: the Content Security Policy's form-action 'self'
stops a form's redirect to another origin in Chromium (the page would not move, and the
fixtures fail on the refusal), so "Open the web app" is a link, "Install" answers on this
origin with the store entry to follow, and "Download" downloads from this origin. My apps
says "requested" until the MDM reports the installation, then "installed"."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import pytest

from appstore import services
from appstore.choices import Platform
from tests.appstore.factories import make_app, make_version, package_upload, pass_checklist
from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll, sign_in

WEB_AND_STORE = "Vanninspeksjon"
PACKAGE = "Meter reader"


def _other_origin(live_server) -> str:
    """The live server under another host name: another origin, as a web app or an MDM's
    store would be."""
    parts = urlsplit(live_server.url)
    other = "127.0.0.1" if parts.hostname == "localhost" else "localhost"
    return urlunsplit((parts.scheme, f"{other}:{parts.port}", "", "", ""))


def _publish(owner, reviewer, app, **routes):
    draft = make_version(owner=owner, app=app, platforms=())
    for platform, route in routes.items():
        services.add_artifact(by=owner, version_id=draft.pk, platform=platform, **route)
    services.submit_version(by=owner, version_id=draft.pk)
    services.claim_version(by=reviewer, version_id=draft.pk)
    pass_checklist(reviewer=reviewer, version=draft)
    services.approve_version(by=reviewer, version_id=draft.pk)


@pytest.fixture
def apps(appowner, reviewer, live_server):
    """An app for Android (a store entry) and the web, both on another origin, and one
    installed from an uploaded package."""
    other = _other_origin(live_server)
    app = make_app(owner=appowner, name=WEB_AND_STORE)
    _publish(
        appowner,
        reviewer,
        app,
        android={"mdm_identifier": "no.nordvik.vann", "store_url": f"{other}/healthz?store=1"},
        web={"web_url": f"{other}/healthz?web=1"},
    )
    package = make_app(owner=appowner, name=PACKAGE)
    _publish(appowner, reviewer, package, android={"package": package_upload("meter.apk")})
    return {"web_and_store": app, "package": package, "other": other}


def test_open_the_web_app_goes_to_the_web_app_and_records_nothing(
    page, live_server, employee, apps
):
    sign_in(page, live_server, employee)
    page.goto(f"{live_server.url}/apps/{apps['web_and_store'].slug}/")
    link = page.get_by_role("link", name="Open the Web app")
    assert link.get_attribute("href") == f"{apps['other']}/healthz?web=1"
    with page.expect_navigation():
        link.click()
    assert page.url == f"{apps['other']}/healthz?web=1"
    page.goto(f"{live_server.url}/apps/mine/")
    assert WEB_AND_STORE not in page.locator("main").inner_text()


def test_install_from_a_store_entry_shows_the_way_there_and_my_apps_waits_for_the_mdm(
    phone_page, live_server, employee, apps
):
    page, app = phone_page, apps["web_and_store"]
    sign_in(page, live_server, employee)
    page.goto(f"{live_server.url}/apps/{app.slug}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Install on Android").click()
    assert page.url == f"{live_server.url}/apps/{app.slug}/install/android/"
    main = page.locator("main")
    main.get_by_role("heading", level=1, name=f"Install {WEB_AND_STORE} on Android").wait_for()
    assert "Your request for Vanninspeksjon 1.0.0 is recorded." in main.inner_text()
    assert "search for no.nordvik.vann" in main.inner_text()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    page.goto(f"{live_server.url}/apps/mine/")
    requested = page.locator("section", has=page.get_by_role("heading", name="Requested"))
    assert "version 1.0.0 requested, not reported as installed yet" in requested.inner_text()
    assert page.get_by_role("heading", name="Installed").count() == 0
    assert_accessible(page)

    page.goto(f"{live_server.url}/apps/{app.slug}/install/android/")
    with page.expect_navigation():
        page.get_by_role(
            "link", name=f"Open {WEB_AND_STORE} in the store or company portal"
        ).click()
    assert page.url == f"{apps['other']}/healthz?store=1"

    services.report_installation(
        user=employee, app_id=app.pk, version="1.0.0", platform=Platform.ANDROID
    )
    page.goto(f"{live_server.url}/apps/mine/")
    installed = page.locator("section", has=page.get_by_role("heading", name="Installed"))
    assert "version 1.0.0 installed" in installed.inner_text()
    assert "Up to date" in installed.inner_text()
    assert "requested" not in page.locator("main").inner_text()


def test_download_for_android_downloads_the_package_from_this_origin(
    page, live_server, employee, apps
):
    sign_in(page, live_server, employee)
    detail = f"{live_server.url}/apps/{apps['package'].slug}/"
    page.goto(detail)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download for Android").click()
    assert download.value.suggested_filename == "meter.apk"
    assert urlsplit(download.value.url).netloc == urlsplit(live_server.url).netloc
    assert page.url == detail
    page.goto(f"{live_server.url}/apps/mine/")
    assert "version 1.0.0 requested" in page.locator("main").inner_text()
