"""The owners' pages: create, list, version, submit, answer the reviewer, withdraw; bad
input answered next to its field with nothing saved."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from appstore import services
from appstore.choices import ListingChangeState, VersionState
from appstore.models import App, AppArtifact, AppScreenshot, AppVersion, ListingChange
from tests.appstore.factories import (
    ensure_checklist,
    image_upload,
    make_app,
    make_version,
    package_upload,
    pass_checklist,
    publish,
)
from tests.appstore.test_uploads import SVG, bomb_png, truncated_png
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

LISTING = {
    "name": "Hydrant check",
    "summary": "Yearly hydrant inspection",
    "category": "technical",
    "support_contact": "water@example.org",
    "audience_everyone": "on",
}


def _files(settings) -> list[Path]:
    roots = [Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)]
    return [p for r in roots if r.exists() for p in r.rglob("*") if p.is_file()]


def test_owner_creates_an_app_adds_a_version_platforms_and_submits(client_for, appowner, reviewer):
    client = client_for(appowner)
    created = client.post("/apps/manage/new/", {**LISTING, "icon": image_upload()})
    app = App.objects.get()
    assert created["Location"] == f"/apps/manage/{app.slug}/versions/new/"
    assert app.icon and app.department == appowner.department
    client.post(
        f"/apps/manage/{app.slug}/versions/new/",
        {"version": "1.0.0", "release_notes": "First.", "data_classification": "internal"},
    )
    version = AppVersion.objects.get()
    page = f"/apps/manage/versions/{version.pk}/"
    client.post(
        f"{page}platforms/",
        {"platform": "ios", "mdm_identifier": "org.example.hydrant"},
    )
    client.post(f"{page}platforms/", {"platform": "android", "package": package_upload()})
    client.post(f"{page}screenshots/", {"image": image_upload(), "alt_text": "The hydrant list"})
    body = client.get(page).content.decode()
    android = AppArtifact.objects.get(platform="android")
    assert android.package_sha256 in body and "The hydrant list" in body
    response = client.post(f"{page}submit/", {"submit-comment": "Ready"})
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.state == VersionState.SUBMITTED


def test_owner_reads_the_reviewers_comment_and_resubmits_with_an_answer(
    client_for, appowner, reviewer
):
    app = make_app(owner=appowner)
    version = make_version(owner=appowner, app=app)
    services.submit_version(by=appowner, version_id=version.pk)
    services.claim_version(by=reviewer, version_id=version.pk)
    item = ensure_checklist()[0]
    services.record_checklist(
        by=reviewer, version_id=version.pk, answers={item.pk: ("fail", "Login is not SSO")}
    )
    services.request_changes(by=reviewer, version_id=version.pk, comment="Use the SSO login.")
    client = client_for(appowner)
    page = client.get(f"/apps/manage/versions/{version.pk}/").content.decode()
    assert "Use the SSO login." in page and "Login is not SSO" in page
    assert "What the reviewer asks you to change" in page
    assert "Resubmit" in page
    client.post(
        f"/apps/manage/versions/{version.pk}/edit/",
        {"release_notes": "Now with SSO.", "data_classification": "internal"},
    )
    client.post(
        f"/apps/manage/versions/{version.pk}/submit/", {"submit-comment": "SSO is in place."}
    )
    version.refresh_from_db()
    # Back with the reviewer who asked for the changes, without their claiming it again.
    assert (version.state, version.reviewer) == (VersionState.IN_REVIEW, reviewer)
    resubmitted = version.events.get(from_state=VersionState.CHANGES_REQUESTED)
    assert resubmitted.comment == "SSO is in place."


def test_withdrawing_a_published_version_needs_a_reason(client_for, appowner, reviewer):
    app = make_app(owner=appowner)
    version = publish(owner=appowner, reviewer=reviewer, app=app)
    client = client_for(appowner)
    url = f"/apps/manage/versions/{version.pk}/withdraw/"
    refused = client.post(url, {"withdraw-comment": ""})
    assert (
        refused.status_code == 400 and 'id="id_withdraw-comment_error"' in refused.content.decode()
    )
    version.refresh_from_db()
    assert version.state == VersionState.PUBLISHED
    client.post(url, {"withdraw-comment": "A security fix is coming."})
    version.refresh_from_db()
    assert version.state == VersionState.WITHDRAWN
    again = client.post(url, {"withdraw-comment": "Again"})
    assert again.status_code == 409


def test_editing_a_published_listing_waits_for_review(client_for, appowner, reviewer):
    app = make_app(owner=appowner, name="Hydrant check")
    client = client_for(appowner)
    saved = client.post(
        f"/apps/manage/{app.slug}/edit/", {**LISTING, "name": "Hydrant control"}, follow=True
    )
    assert "The listing is saved." in saved.content.decode()
    assert not ListingChange.objects.exists()
    app.refresh_from_db()
    assert app.name == "Hydrant control"
    publish(owner=appowner, reviewer=reviewer, app=app)
    response = client.post(
        f"/apps/manage/{app.slug}/edit/",
        {**LISTING, "name": "Hydrant inspection", "audience_roles": ["line_manager"]},
        follow=True,
    )
    assert "sent for review" in response.content.decode()
    app.refresh_from_db()
    assert app.name == "Hydrant control" and app.audience_roles == []
    change = ListingChange.objects.get()
    assert change.state == ListingChangeState.SUBMITTED
    assert "summary" not in change.proposed and "audience_everyone" not in change.proposed
    overview = client.get(f"/apps/manage/{app.slug}/").content.decode()
    assert "Hydrant inspection" in overview and "Line manager" in overview
    assert "audience_roles" not in overview
    form = client.get(f"/apps/manage/{app.slug}/edit/").content.decode()
    assert 'value="Hydrant inspection"' in form
    unchanged = {**LISTING, "name": "Hydrant inspection", "audience_roles": ["line_manager"]}
    again = client.post(f"/apps/manage/{app.slug}/edit/", unchanged, follow=True)
    assert "Nothing changed." in again.content.decode()
    client.post(f"/apps/manage/{app.slug}/listing/withdraw/")
    assert ListingChange.objects.get().state == ListingChangeState.WITHDRAWN


BAD_ICONS = {
    "bomb": ("bomb.png", bomb_png),
    "svg named png": ("icon.png", lambda: SVG),
    "truncated": ("icon.png", truncated_png),
    "text named png": ("icon.png", lambda: b"just some text"),
}


@pytest.mark.parametrize("case", sorted(BAD_ICONS))
def test_a_bad_icon_is_a_400_and_nothing_is_stored(case, client_for, appowner, settings):
    name, content = BAD_ICONS[case]
    response = client_for(appowner).post(
        "/apps/manage/new/", {**LISTING, "icon": SimpleUploadedFile(name, content())}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_icon_error"' in body and 'href="#id_icon"' in body
    assert not App.objects.exists()
    assert _files(settings) == []


BAD_PACKAGES = {
    "png named apk": lambda: SimpleUploadedFile("app.apk", image_upload().read()),
    "oversized": lambda: package_upload(extra_bytes=1024 * 1024 + 10),
    "no manifest": lambda: package_upload("app.apk", marker="notes.txt"),
}


@pytest.mark.parametrize("case", sorted(BAD_PACKAGES))
def test_a_bad_package_is_a_400_and_nothing_is_stored(case, client_for, appowner, settings):
    settings.APPSTORE_MAX_PACKAGE_MB = 1
    app = make_app(owner=appowner)
    version = make_version(owner=appowner, app=app, platforms=())
    response = client_for(appowner).post(
        f"/apps/manage/versions/{version.pk}/platforms/",
        {"platform": "android", "package": BAD_PACKAGES[case]()},
    )
    assert response.status_code == 400
    assert 'id="id_package_error"' in response.content.decode()
    assert not AppArtifact.objects.exists()
    assert _files(settings) == []


def test_a_bad_screenshot_is_a_400_and_nothing_is_stored(client_for, appowner, settings):
    app = make_app(owner=appowner)
    version = make_version(owner=appowner, app=app)
    response = client_for(appowner).post(
        f"/apps/manage/versions/{version.pk}/screenshots/",
        {"image": SimpleUploadedFile("s.png", SVG), "alt_text": "List"},
    )
    assert response.status_code == 400
    assert not AppScreenshot.objects.exists()
    assert _files(settings) == []


def test_a_version_number_not_higher_is_refused_at_its_field(client_for, appowner):
    app = make_app(owner=appowner)
    make_version(owner=appowner, app=app, version="2.0.0")
    response = client_for(appowner).post(
        f"/apps/manage/{app.slug}/versions/new/",
        {"version": "1.9.9", "release_notes": "x", "data_classification": "internal"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_version_error"' in body and "higher than 2.0.0" in body
    assert AppVersion.objects.count() == 1


def test_submitting_without_release_notes_says_so(client_for, appowner):
    app = make_app(owner=appowner)
    version = make_version(owner=appowner, app=app, release_notes="")
    response = client_for(appowner).post(f"/apps/manage/versions/{version.pk}/submit/", {})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Write release notes before you submit." in body
    assert f'href="/apps/manage/versions/{version.pk}/edit/"' in body
    version.refresh_from_db()
    assert version.state == VersionState.DRAFT


def _urls(app, version):
    return {
        "get": [
            f"/apps/manage/{app.slug}/",
            f"/apps/manage/{app.slug}/edit/",
            f"/apps/manage/{app.slug}/versions/new/",
            f"/apps/manage/versions/{version.pk}/",
            f"/apps/manage/versions/{version.pk}/edit/",
        ],
        "post": [
            f"/apps/manage/versions/{version.pk}/submit/",
            f"/apps/manage/versions/{version.pk}/withdraw/",
            f"/apps/manage/versions/{version.pk}/platforms/",
            f"/apps/manage/{app.slug}/edit/",
            f"/apps/manage/{app.slug}/versions/new/",
            f"/apps/manage/{app.slug}/listing/withdraw/",
            f"/apps/manage/versions/{version.pk}/edit/",
            f"/apps/manage/versions/{version.pk}/screenshots/",
            f"/apps/manage/versions/{version.pk}/platforms/{version.artifacts.get().pk}/remove/",
            f"/apps/manage/versions/{version.pk}/screenshots/{version.screenshots.get().pk}/remove/",
        ],
    }


def _version_with_a_screenshot(owner):
    app = make_app(owner=owner)
    version = make_version(owner=owner, app=app)
    services.add_screenshot(by=owner, version_id=version.pk, image=image_upload(), alt_text="A")
    services.update_listing(by=owner, app_id=app.pk, summary="Still a draft")
    return app, version


def test_another_departments_owner_finds_nothing(client_for, appowner):
    app, version = _version_with_a_screenshot(appowner)
    stranger = UserFactory(department=DepartmentFactory(), roles=["app_owner"])
    client = client_for(stranger)
    urls = _urls(app, version)
    for url in urls["get"]:
        assert client.get(url).status_code == 404, url
    for url in urls["post"]:
        assert client.post(url, {"submit-comment": "x"}).status_code == 404, url
    assert app.name not in client.get("/apps/manage/").content.decode()
    version.refresh_from_db()
    assert version.state == VersionState.DRAFT and version.artifacts.exists()
    assert version.screenshots.exists() and AppVersion.objects.count() == 1


@pytest.mark.parametrize("persona", ["employee", "reviewer", "manager", "logistics"])
def test_people_who_are_not_app_owners_cannot_manage(persona, personas, client_for, appowner):
    app, version = _version_with_a_screenshot(appowner)
    client = client_for(personas[persona])
    urls = _urls(app, version)
    assert 'href="/apps/manage/"' not in client.get("/apps/").content.decode()
    assert client.get("/apps/manage/").status_code == 403
    for url in urls["get"]:
        assert client.get(url).status_code == 403, url
    for url in urls["post"]:
        assert client.post(url).status_code == 403, url


def test_owner_removes_a_platform_and_a_screenshot_of_a_draft(client_for, appowner):
    app = make_app(owner=appowner)
    version = make_version(owner=appowner, app=app)
    shot = services.add_screenshot(
        by=appowner, version_id=version.pk, image=image_upload(), alt_text="List"
    )
    artifact = version.artifacts.get()
    client = client_for(appowner)
    base = f"/apps/manage/versions/{version.pk}"
    assert client.post(f"{base}/screenshots/{shot.pk}/remove/").status_code == 302
    assert client.post(f"{base}/platforms/{artifact.pk}/remove/").status_code == 302
    assert not version.artifacts.exists() and not version.screenshots.exists()
    assert client.post(f"{base}/platforms/{artifact.pk}/remove/").status_code == 404


def test_owners_see_how_many_people_installed_each_app(client_for, appowner, reviewer, employee):
    app = make_app(owner=appowner, name="Leak alert")
    publish(owner=appowner, reviewer=reviewer, app=app)
    services.install_app(by=employee, app_id=app.pk, platform="android")
    assert "1 person" in client_for(appowner).get("/apps/manage/").content.decode()


def test_a_screenshot_without_a_description_is_refused_at_its_field(client_for, appowner, settings):
    app = make_app(owner=appowner)
    version = make_version(owner=appowner, app=app)
    response = client_for(appowner).post(
        f"/apps/manage/versions/{version.pk}/screenshots/",
        {"image": image_upload(), "alt_text": "  "},
    )
    assert response.status_code == 400
    assert 'id="id_alt_text_error"' in response.content.decode()
    assert not AppScreenshot.objects.exists()
    assert _files(settings) == []


def test_the_audience_is_a_fieldset_with_checkbox_groups_and_is_saved(client_for, appowner):
    client = client_for(appowner)
    form = client.get("/apps/manage/new/").content.decode()
    assert (
        form.count("<fieldset") == 4
    )  # who; departments, roles, work patterns and "Who sees the app" in form
    assert 'enctype="multipart/form-data"' in form
    department = appowner.department
    response = client.post(
        "/apps/manage/new/",
        {
            **{k: v for k, v in LISTING.items() if k != "audience_everyone"},
            "audience_departments": [department.pk],
            "audience_roles": ["line_manager"],
            "audience_work_patterns": ["frontline"],
        },
    )
    assert response.status_code == 302
    app = App.objects.get()
    assert list(app.audience_departments.all()) == [department]
    assert app.audience_roles == ["line_manager"] and app.audience_work_patterns == ["frontline"]


def test_version_page_shows_each_platforms_route_and_the_package_checksum(client_for, appowner):
    app = make_app(owner=appowner)
    version = make_version(owner=appowner, app=app, platforms=())
    services.add_artifact(
        by=appowner,
        version_id=version.pk,
        platform="android",
        package=package_upload(),
        min_os_version="12",
    )
    artifact = version.artifacts.get()
    body = client_for(appowner).get(f"/apps/manage/versions/{version.pk}/").content.decode()
    assert "Uploaded package" in body and artifact.package_name in body
    assert f"<code>{artifact.package_sha256}</code>" in body and "12" in body


def test_an_empty_form_is_answered_with_every_missing_field(client_for, appowner):
    response = client_for(appowner).post("/apps/manage/new/", {})
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    for field in ("name", "summary", "category", "support_contact"):
        assert f'id="id_{field}_error"' in body, field
    assert not App.objects.exists()


def test_an_audience_of_nobody_is_refused_at_the_audience(client_for, appowner, settings):
    listing = {k: v for k, v in LISTING.items() if k != "audience_everyone"}
    response = client_for(appowner).post("/apps/manage/new/", {**listing, "icon": image_upload()})
    assert response.status_code == 400
    assert 'id="id_audience_everyone_error"' in response.content.decode()
    assert not App.objects.exists()
    assert _files(settings) == []


def test_a_good_package_with_a_wrong_route_leaves_no_file(client_for, appowner, settings):
    app = make_app(owner=appowner)
    version = make_version(owner=appowner, app=app, platforms=())
    response = client_for(appowner).post(
        f"/apps/manage/versions/{version.pk}/platforms/",
        {"platform": "android", "package": package_upload(), "web_url": "https://x.example"},
    )
    assert response.status_code == 400
    assert 'id="id_web_url_error"' in response.content.decode()
    assert not AppArtifact.objects.exists()
    assert _files(settings) == []


def test_a_submitted_version_cannot_be_changed_from_the_pages(client_for, appowner):
    app = make_app(owner=appowner)
    version = make_version(owner=appowner, app=app)
    services.submit_version(by=appowner, version_id=version.pk)
    artifact = version.artifacts.get()
    client = client_for(appowner)
    base = f"/apps/manage/versions/{version.pk}"
    page = client.get(f"{base}/").content.decode()
    assert "Add the platform" not in page and "Submit for review" not in page
    removed = client.post(f"{base}/platforms/{artifact.pk}/remove/")
    assert removed.status_code == 409
    assert "cannot be changed" in removed.content.decode()
    assert client.get(f"{base}/edit/")["Location"] == f"{base}/"
    edited = client.post(
        f"{base}/edit/", {"release_notes": "Sneaky", "data_classification": "internal"}
    )
    assert edited.status_code == 409 and "cannot be changed" in edited.content.decode()
    version.refresh_from_db()
    assert version.release_notes == "First release." and version.artifacts.exists()


def test_submitting_personal_data_without_saying_which_is_refused(client_for, appowner):
    app = make_app(owner=appowner)
    version = make_version(
        owner=appowner, app=app, processes_personal_data=True, personal_data_description=""
    )
    response = client_for(appowner).post(f"/apps/manage/versions/{version.pk}/submit/", {})
    assert response.status_code == 400
    assert "Say which personal data the app processes." in response.content.decode()
    version.refresh_from_db()
    assert version.state == VersionState.DRAFT


def test_home_shows_each_apps_latest_version_state_and_a_waiting_listing_change(
    client_for, appowner, reviewer
):
    app = make_app(owner=appowner, name="Leak alert")
    publish(owner=appowner, reviewer=reviewer, app=app)
    make_version(owner=appowner, app=app, version="1.2.0")
    make_version(owner=appowner, app=app, version="1.10.0")
    services.update_listing(by=appowner, app_id=app.pk, summary="Leaks, reported at once")
    body = client_for(appowner).get("/apps/manage/").content.decode()
    assert ">1.10.0</a>" in body and "Draft" in body
    assert "Change waits for review" in body and "Create an app" in body


def test_the_owners_whole_journey_through_the_pages(client_for, appowner, reviewer, settings):
    """Create, add platforms and a screenshot, submit, answer the reviewer, resubmit, get
    published, propose a listing change, withdraw: each step a page, every step recorded."""
    client = client_for(appowner)
    client.post("/apps/manage/new/", {**LISTING, "icon": image_upload(size=(256, 256))})
    app = App.objects.get()
    client.post(
        f"/apps/manage/{app.slug}/versions/new/",
        {"version": "1.0.0", "release_notes": "First.", "data_classification": "internal"},
    )
    version = AppVersion.objects.get()
    page = f"/apps/manage/versions/{version.pk}/"
    added = client.post(
        f"{page}platforms/",
        {"platform": "ios", "store_url": "https://mdm.example.org/hydrant", "min_os_version": "16"},
    )
    assert added.status_code == 302
    client.post(f"{page}platforms/", {"platform": "android", "package": package_upload()})
    client.post(f"{page}screenshots/", {"image": image_upload("s.png"), "alt_text": "Map"})
    assert client.post(f"{page}submit/", {"submit-comment": "Ready"}).status_code == 302

    services.claim_version(by=reviewer, version_id=version.pk)
    sso = ensure_checklist()[0]
    services.record_checklist(
        by=reviewer, version_id=version.pk, answers={sso.pk: ("fail", "Own login form")}
    )
    services.request_changes(by=reviewer, version_id=version.pk, comment="Use SSO, please.")
    body = client.get(page).content.decode()
    assert "Use SSO, please." in body and "Own login form" in body and "Fail" in body
    client.post(
        f"{page}edit/", {"release_notes": "First, with SSO.", "data_classification": "internal"}
    )
    resubmitted = client.post(f"{page}submit/", {"submit-comment": "SSO login now."})
    assert resubmitted.status_code == 302

    pass_checklist(reviewer=reviewer, version=version)
    services.approve_version(by=reviewer, version_id=version.pk)
    version.refresh_from_db()
    assert version.state == VersionState.PUBLISHED and version.release_notes == "First, with SSO."

    sent = client.post(
        f"/apps/manage/{app.slug}/edit/", {**LISTING, "summary": "Hydrants yearly"}, follow=True
    )
    assert "sent for review" in sent.content.decode()
    app.refresh_from_db()
    assert app.summary == LISTING["summary"]
    assert ListingChange.objects.get().proposed["summary"] == "Hydrants yearly"

    withdrawn = client.post(f"{page}withdraw/", {"withdraw-comment": "Pump data wrong."})
    assert withdrawn.status_code == 302
    version.refresh_from_db()
    assert version.state == VersionState.WITHDRAWN
    timeline = client.get(page).content.decode()
    for comment in ("Ready", "Use SSO, please.", "SSO login now.", "Pump data wrong."):
        assert comment in timeline, comment
    assert [e.to_state for e in version.events.order_by("pk")] == [
        "submitted",
        "in_review",
        "changes_requested",
        "submitted",
        "in_review",
        "approved",
        "published",
        "withdrawn",
    ]


def test_the_nav_leads_owners_to_their_pages_and_strangers_to_sign_in(client_for, appowner):
    assert 'href="/apps/manage/"' in client_for(appowner).get("/apps/").content.decode()
    response = Client().get("/apps/manage/")
    assert response.status_code == 302 and "next=/apps/manage/" in response["Location"]
