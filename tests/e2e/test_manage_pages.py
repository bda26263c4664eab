"""The app owners' pages in the browser: an owner creates an app and a version with a
package and a screenshot; axe finds no WCAG 2.1 A/AA violation on any manage page (forms
with errors too) and none scrolls sideways at phone width."""

from __future__ import annotations

import pytest

from appstore import services
from appstore.models import App, AppArtifact
from tests.appstore.factories import (
    ensure_checklist,
    image_upload,
    make_app,
    make_version,
    package_upload,
    publish,
)
from tests.e2e.conftest import (
    assert_accessible,
    assert_no_horizontal_scroll,
    sign_in,
    submit,
)

APP = "Hydrant inspection"


@pytest.fixture(autouse=True)
def staff_without_mfa(settings):
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = False


def _file(upload) -> dict:
    upload.seek(0)
    return {"name": upload.name, "mimeType": "application/octet-stream", "buffer": upload.read()}


def test_owner_creates_an_app_and_a_version_in_the_browser(page, live_server, appowner):
    sign_in(page, live_server, appowner)
    page.goto(f"{live_server.url}/apps/manage/")
    assert_accessible(page)
    page.get_by_role("link", name="Create an app").click()
    submit(page)  # nothing filled in: errors next to the fields
    assert "There is a problem" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_label("Name", exact=True).fill(APP)
    page.get_by_label("Summary").fill("Yearly hydrant inspection")
    page.get_by_label("Category").select_option("technical")
    page.get_by_label("Support contact").fill("water@example.org")
    page.get_by_role("group", name="Roles").get_by_label("Line manager").check()
    page.get_by_label("Everyone in the organisation").check()
    page.get_by_label("Icon").set_input_files(_file(image_upload(size=(256, 256))))
    submit(page)
    app = App.objects.get(name=APP)
    assert app.icon and app.audience_roles == ["line_manager"]
    assert_accessible(page)
    page.get_by_label("Version number").fill("1.0.0")
    page.get_by_label("Release notes").fill("First release.")
    page.get_by_label("Data classification").select_option("internal")
    submit(page)
    page.locator("#id_platform").select_option("android")
    page.get_by_label("Package").set_input_files(_file(package_upload()))
    with page.expect_navigation():
        page.get_by_role("button", name="Add the platform").click()
    sha = AppArtifact.objects.get().package_sha256
    assert sha in page.locator("main").inner_text()
    page.get_by_label("Screenshot", exact=True).set_input_files(_file(image_upload("s.png")))
    page.get_by_label("What the screenshot shows").fill("The list of hydrants")
    with page.expect_navigation():
        page.get_by_role("button", name="Add the screenshot").click()
    assert "The list of hydrants" in page.locator("main").inner_text()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Submit for review").click()
    assert "Submitted" in page.locator("main").inner_text()
    assert_accessible(page)


@pytest.fixture
def reviewed(appowner, reviewer):
    """An app with a published version, a version sent back with a checklist note, and a
    listing change waiting for review."""
    app = make_app(owner=appowner, name=APP, description="Hydrants, " * 40)
    published = publish(owner=appowner, reviewer=reviewer, app=app)
    draft = make_version(owner=appowner, app=app, version="1.1.0", platforms=())
    services.add_artifact(
        by=appowner, version_id=draft.pk, platform="android", package=package_upload()
    )
    services.add_screenshot(
        by=appowner, version_id=draft.pk, image=image_upload("s.png"), alt_text="Hydrant list"
    )
    services.submit_version(by=appowner, version_id=draft.pk)
    services.claim_version(by=reviewer, version_id=draft.pk)
    item = ensure_checklist()[0]
    services.record_checklist(
        by=reviewer, version_id=draft.pk, answers={item.pk: ("fail", "Login is not SSO")}
    )
    services.request_changes(by=reviewer, version_id=draft.pk, comment="Use the SSO login.")
    services.update_listing(by=appowner, app_id=app.pk, summary="Hydrants, checked yearly")
    return app, published, draft


def _manage_urls(live_server, app, published, draft) -> list[str]:
    base = f"{live_server.url}/apps/manage"
    return [
        f"{base}/",
        f"{base}/new/",
        f"{base}/{app.slug}/",
        f"{base}/{app.slug}/edit/",
        f"{base}/{app.slug}/versions/new/",
        f"{base}/versions/{published.pk}/",
        f"{base}/versions/{draft.pk}/",
        f"{base}/versions/{draft.pk}/edit/",
    ]


def test_every_manage_page_passes_axe(page, live_server, appowner, reviewed):
    sign_in(page, live_server, appowner)
    for url in _manage_urls(live_server, *reviewed):
        page.goto(url)
        assert page.locator("h1").count() == 1, url
        assert_accessible(page)
    _, published, _ = reviewed
    page.goto(f"{live_server.url}/apps/manage/versions/{published.pk}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Withdraw this version").click()
    assert "There is a problem" in page.locator("main").inner_text()
    assert_accessible(page)
    app = reviewed[0]
    bare = make_version(owner=appowner, app=app, version="1.2.0", release_notes="")
    page.goto(f"{live_server.url}/apps/manage/versions/{bare.pk}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Submit for review").click()
    assert "Write release notes before you submit." in page.locator("main").inner_text()
    assert_accessible(page)


@pytest.mark.parametrize("width", [320, 390])
def test_no_manage_page_scrolls_sideways_on_a_phone(
    new_page, live_server, appowner, reviewed, width
):
    page = new_page(width=width, height=800)
    sign_in(page, live_server, appowner)
    for url in _manage_urls(live_server, *reviewed):
        page.goto(url)
        assert_no_horizontal_scroll(page)
