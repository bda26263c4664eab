"""The store as staff see it: home, search, the app page, install, download, rating, My apps."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from appstore import services
from appstore.choices import Category, Platform
from appstore.models import Installation, InstallationRequest, Rating
from portal.choices import Role
from tests.appstore.factories import (
    make_app,
    make_version,
    package_upload,
    pass_checklist,
    publish,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def water_app(appowner, reviewer):
    app = make_app(owner=appowner, name="Vanninspeksjon", summary="Water main inspections")
    publish(owner=appowner, reviewer=reviewer, app=app, platforms=(Platform.ANDROID, Platform.WEB))
    return app


@pytest.fixture
def private_app(appowner, reviewer):
    """Published only for the owner's own department."""
    app = make_app(
        owner=appowner,
        name="Sewer camera log",
        audience_everyone=False,
        audience_departments=[appowner.department],
    )
    publish(owner=appowner, reviewer=reviewer, app=app)
    return app


def _section(page: str, heading: str) -> str:
    """The HTML of the home page section whose heading is `heading`."""
    start = page.index(f">{heading}</h2>")
    return page[start : page.find("</section>", start)]


def test_store_home_shows_required_new_featured_and_categories(
    client_for, employee, appowner, reviewer, admin_user, water_app
):
    required = make_app(owner=appowner, name="Secure chat", is_required=True)
    publish(owner=appowner, reviewer=reviewer, app=required)
    featured = make_app(owner=appowner, name="Shift swap", category=Category.EDUCATION)
    publish(owner=appowner, reviewer=reviewer, app=featured)
    services.set_featured(by=admin_user, app_id=featured.pk, featured=True)
    page = client_for(employee).get("/apps/").content.decode()
    assert "Secure chat" in _section(page, "Required for you")
    assert "Vanninspeksjon" not in _section(page, "Required for you")
    assert "Vanninspeksjon" in _section(page, "New and updated")
    assert "Shift swap" in _section(page, "Featured")
    assert "Secure chat" not in _section(page, "Featured")
    categories = _section(page, "Categories")
    assert "?category=technical" in categories and "(2)" in categories
    assert "?category=education" in categories and "(1)" in categories
    assert 'action="/apps/search/"' in page


def test_store_home_cards_fall_back_to_a_letter_when_there_is_no_icon(
    client_for, employee, water_app
):
    page = client_for(employee).get("/apps/").content.decode()
    assert "app-icon--letter" in page and ">V</span>" in page


def test_search_finds_by_prefix_and_filters_keep_state_in_the_url(
    client_for, employee, water_app, appowner, reviewer
):
    other = make_app(owner=appowner, name="School attendance", category=Category.EDUCATION)
    publish(owner=appowner, reviewer=reviewer, app=other, platforms=(Platform.IOS,))
    client = client_for(employee)
    found = client.get("/apps/search/?q=vann").content.decode()
    assert "Vanninspeksjon" in found and "School attendance" not in found
    assert "1 app found" in found
    by_platform = client.get("/apps/search/?platform=ios").content.decode()
    assert "School attendance" in by_platform and "Vanninspeksjon" not in by_platform
    by_category = client.get("/apps/search/?category=education").content.decode()
    assert "School attendance" in by_category and "Vanninspeksjon" not in by_category


def test_search_filters_by_owning_department_and_required_only(
    client_for, employee, department, appowner, reviewer, water_app
):
    required = make_app(owner=appowner, name="Secure chat", is_required=True)
    publish(owner=appowner, reviewer=reviewer, app=required)
    client = client_for(employee)
    only_required = client.get("/apps/search/?required=true").content.decode()
    assert "Secure chat" in only_required and "Vanninspeksjon" not in only_required
    nursing_owner = UserFactory(department=department, roles=[Role.APP_OWNER])
    publish(
        owner=nursing_owner, reviewer=reviewer, app=make_app(owner=nursing_owner, name="Visit log")
    )
    owned = client.get(f"/apps/search/?department={appowner.department_id}").content.decode()
    assert "Secure chat" in owned and "Vanninspeksjon" in owned and "Visit log" not in owned
    nursing = client.get(f"/apps/search/?department={department.pk}").content.decode()
    assert "1 app found" in nursing and "Visit log" in nursing


def test_a_bad_filter_value_is_reported_and_the_other_filters_still_apply(
    client_for, employee, water_app
):
    response = client_for(employee).get("/apps/search/?q=vann&platform=palm")
    body = response.content.decode()
    assert response.status_code == 200 and "Select a valid choice" in body
    assert "1 app found" in body


def test_search_paginates_twenty_apps_a_page(client_for, employee, appowner, reviewer):
    for n in range(21):
        publish(
            owner=appowner, reviewer=reviewer, app=make_app(owner=appowner, name=f"Vann {n:02}")
        )
    client = client_for(employee)
    first = client.get("/apps/search/?q=vann").content.decode()
    assert "21 apps found" in first and first.count('class="app-card"') == 20
    assert "Page 1 of 2" in first and "page=2" in first
    second = client.get("/apps/search/?q=vann&page=2").content.decode()
    assert second.count('class="app-card"') == 1


def test_htmx_search_answers_with_the_results_only(client_for, employee, water_app):
    response = client_for(employee).get(
        "/apps/search/?q=vann", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results"
    )
    body = response.content.decode()
    assert "Vanninspeksjon" in body and "<html" not in body
    assert 'id="results-count" hx-swap-oob="innerHTML">1 app found' in body


def test_search_without_javascript_is_a_whole_page_with_a_live_result_count(
    client_for, employee, water_app
):
    page = client_for(employee).get("/apps/search/?q=vann").content.decode()
    assert "<html" in page and "Vanninspeksjon" in page
    assert 'hx-get="/apps/search/"' in page and 'hx-push-url="true"' in page
    assert 'aria-live="polite">1 app found</p>' in page
    assert "hx-swap-oob" not in page


def test_an_app_outside_the_audience_does_not_exist_for_the_person(
    client_for, employee, appowner, private_app
):
    client = client_for(employee)
    assert client.get(f"/apps/{private_app.slug}/").status_code == 404
    assert "Sewer camera log" not in client.get("/apps/search/?q=sewer").content.decode()
    assert client.post(f"/apps/{private_app.slug}/install/android/").status_code == 404
    assert client.post(f"/apps/{private_app.slug}/rate/", {"stars": 5}).status_code == 404
    assert client_for(appowner).get(f"/apps/{private_app.slug}/").status_code == 200


def test_a_draft_app_is_a_404_for_staff(client_for, employee, appowner):
    app = make_app(owner=appowner)
    make_version(owner=appowner, app=app)
    assert client_for(employee).get(f"/apps/{app.slug}/").status_code == 404


def test_app_page_shows_versions_privacy_install_actions_and_a_qr_code(
    client_for, employee, water_app
):
    page = client_for(employee).get(f"/apps/{water_app.slug}/").content.decode()
    assert "Install on Android" in page and "Open the Web app" in page
    assert "<svg" in page and "Scan to open this page on your phone" in page
    assert "Internal" in page and "First release." in page


def _installed(user, app, version="1.0.0", platform=Platform.ANDROID):
    """What an MDM's report does: the one thing that makes an installation."""
    return services.report_installation(
        user=user, app_id=app.pk, version=version, platform=platform
    )[0]


def test_a_web_app_is_a_link_to_its_address_and_records_nothing(client_for, employee, water_app):
    client = client_for(employee)
    page = client.get(f"/apps/{water_app.slug}/").content.decode()
    link = f'<a class="button" href="https://apps.example.org/{water_app.slug}/" rel="noopener">'
    assert link + "Open the Web app</a>" in page
    assert f'action="/apps/{water_app.slug}/install/web/"' not in page
    response = client.post(f"/apps/{water_app.slug}/install/web/")
    assert response.status_code == 302 and response["Location"] == f"/apps/{water_app.slug}/"
    assert "A web app is not installed" in client.get(response["Location"]).content.decode()
    assert not Installation.objects.exists() and not InstallationRequest.objects.exists()


def test_installing_from_a_store_entry_records_a_request_and_stays_on_this_origin(
    client_for, employee, water_app
):
    client = client_for(employee)
    response = client.post(f"/apps/{water_app.slug}/install/android/")
    assert response.status_code == 302
    assert response["Location"] == f"/apps/{water_app.slug}/install/android/"
    assert not Installation.objects.exists()
    asked = InstallationRequest.objects.get(user=employee, app=water_app)
    assert (asked.platform, asked.version.version) == (Platform.ANDROID, "1.0.0")
    page = client.get(response["Location"]).content.decode()
    assert "Your request for Vanninspeksjon 1.0.0 is recorded." in page
    store = f"https://mdm.example.org/apps/{water_app.slug}/android"
    assert f'<a class="button" href="{store}" rel="noopener">' in page
    assert "once your device management reports the installation" in page


def test_no_install_answers_with_a_redirect_to_another_origin(
    client_for, employee, appowner, reviewer, water_app
):
    """The policy's form-action 'self' stops a form's redirect to another origin in the
    browser, so every answer to an install form stays on this origin."""
    package_app = make_app(owner=appowner, name="Meter reader")
    _publish_package(owner=appowner, reviewer=reviewer, app=package_app)
    client = client_for(employee)
    for app, platform in [
        (water_app, "android"),
        (water_app, "web"),
        (water_app, "ios"),
        (package_app, "android"),
    ]:
        location = client.post(f"/apps/{app.slug}/install/{platform}/")["Location"]
        assert not urlsplit(location).scheme and not urlsplit(location).netloc, location


def test_the_install_page_only_shows_and_never_records(client_for, employee, water_app):
    client = client_for(employee)
    page = client.get(f"/apps/{water_app.slug}/install/android/")
    assert page.status_code == 200 and "Install Vanninspeksjon on Android" in page.content.decode()
    assert not InstallationRequest.objects.exists()
    web = client.get(f"/apps/{water_app.slug}/install/web/")
    assert web["Location"] == f"/apps/{water_app.slug}/"
    assert client.get(f"/apps/{water_app.slug}/install/ios/").status_code == 404


def test_asking_for_a_platform_the_app_lacks_is_refused(client_for, employee, water_app):
    missing = client_for(employee).post(f"/apps/{water_app.slug}/install/ios/", follow=True)
    assert "not available for that platform" in missing.content.decode()
    assert not InstallationRequest.objects.exists()


def _package_app(appowner, reviewer):
    app = make_app(owner=appowner, name="Meter reader")
    draft = make_version(owner=appowner, app=app, platforms=())
    artifact = services.add_artifact(
        by=appowner, version_id=draft.pk, platform=Platform.ANDROID, package=package_upload()
    )
    return app, draft, artifact


def test_packages_are_served_only_to_those_who_may_have_them(
    client_for, employee, appowner, reviewer
):
    app, draft, artifact = _package_app(appowner, reviewer)
    url = f"/apps/packages/{artifact.pk}/download/"
    assert client_for(employee).get(url).status_code == 404  # a draft
    assert client_for(appowner).get(url).status_code == 200
    response = client_for(reviewer).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    services.submit_version(by=appowner, version_id=draft.pk)
    services.claim_version(by=reviewer, version_id=draft.pk)
    pass_checklist(reviewer=reviewer, version=draft)
    services.approve_version(by=reviewer, version_id=draft.pk)
    assert client_for(employee).get(url).status_code == 200
    install = client_for(employee).post(f"/apps/{app.slug}/install/android/")
    assert install["Location"] == url
    assert not Installation.objects.exists()  # a download is no installation
    assert InstallationRequest.objects.get(user=employee, app=app).version == draft


def test_an_app_known_only_by_its_mdm_identifier_sends_the_person_to_the_company_portal(
    client_for, employee, appowner, reviewer
):
    app = make_app(owner=appowner, name="Field radio")
    draft = make_version(owner=appowner, app=app, platforms=())
    services.add_artifact(
        by=appowner, version_id=draft.pk, platform=Platform.IOS, mdm_identifier="org.example.radio"
    )
    services.submit_version(by=appowner, version_id=draft.pk)
    services.claim_version(by=reviewer, version_id=draft.pk)
    pass_checklist(reviewer=reviewer, version=draft)
    services.approve_version(by=reviewer, version_id=draft.pk)
    response = client_for(employee).post(f"/apps/{app.slug}/install/ios/", follow=True)
    assert response.redirect_chain[-1][0] == f"/apps/{app.slug}/install/ios/"
    body = response.content.decode()
    assert "company portal" in body and "org.example.radio" in body
    assert "in the store or company portal</a>" not in body  # no store link to follow
    assert not Installation.objects.exists()
    assert InstallationRequest.objects.filter(
        user=employee, app=app, platform=Platform.IOS
    ).exists()


def test_a_released_package_is_a_404_for_someone_outside_the_audience(
    client_for, employee, appowner, reviewer
):
    app = make_app(
        owner=appowner,
        name="Pump telemetry",
        audience_everyone=False,
        audience_departments=[appowner.department],
    )
    draft = make_version(owner=appowner, app=app, platforms=())
    artifact = services.add_artifact(
        by=appowner, version_id=draft.pk, platform=Platform.ANDROID, package=package_upload()
    )
    services.submit_version(by=appowner, version_id=draft.pk)
    services.claim_version(by=reviewer, version_id=draft.pk)
    pass_checklist(reviewer=reviewer, version=draft)
    services.approve_version(by=reviewer, version_id=draft.pk)
    url = f"/apps/packages/{artifact.pk}/download/"
    assert client_for(employee).get(url).status_code == 404
    assert client_for(appowner).get(url).status_code == 200
    assert client_for(employee).get("/apps/packages/999999/download/").status_code == 404


def test_rating_is_one_per_person_editable_and_removable(client_for, employee, water_app):
    client = client_for(employee)
    client.post(f"/apps/{water_app.slug}/rate/", {"stars": 2, "comment": "Slow"})
    client.post(f"/apps/{water_app.slug}/rate/", {"stars": 5, "comment": "Fixed"})
    rating = Rating.objects.get()
    assert (rating.stars, rating.comment) == (5, "Fixed")
    page = client.get(f"/apps/{water_app.slug}/").content.decode()
    assert "5.0 of 5 (1 rating)" in page
    client.post(f"/apps/{water_app.slug}/rate/remove/")
    assert not Rating.objects.exists()


def test_a_rating_without_stars_is_refused_next_to_the_field(client_for, employee, water_app):
    response = client_for(employee).post(f"/apps/{water_app.slug}/rate/", {"comment": "Hm"})
    assert response.status_code == 400
    assert "Choose from 1 to 5 stars" in response.content.decode()
    assert not Rating.objects.exists()


@pytest.mark.parametrize("stars", ["0", "6", "many"])
def test_stars_outside_one_to_five_are_refused(client_for, employee, water_app, stars):
    response = client_for(employee).post(f"/apps/{water_app.slug}/rate/", {"stars": stars})
    assert response.status_code == 400
    assert 'id="stars-error"' in response.content.decode()
    assert not Rating.objects.exists()


def test_a_too_long_comment_is_refused_next_to_the_comment(client_for, employee, water_app):
    response = client_for(employee).post(
        f"/apps/{water_app.slug}/rate/", {"stars": 4, "comment": "x" * 2001}
    )
    body = response.content.decode()
    assert response.status_code == 400 and 'id="comment-error"' in body
    assert 'id="stars-error"' not in body and 'id="stars-4" name="stars" value="4" checked' in body
    assert not Rating.objects.exists()


def test_the_rating_form_is_prefilled_with_the_persons_rating(client_for, employee, water_app):
    client = client_for(employee)
    client.post(f"/apps/{water_app.slug}/rate/", {"stars": 3, "comment": "Decent"})
    page = client.get(f"/apps/{water_app.slug}/").content.decode()
    assert 'value="3" checked' in page and ">Decent</textarea>" in page
    assert "Remove my rating" in page


def test_my_apps_shows_an_update_when_a_newer_version_is_published(
    client_for, employee, appowner, reviewer, water_app
):
    client = client_for(employee)
    _installed(employee, water_app)
    assert "Up to date" in client.get("/apps/mine/").content.decode()
    publish(owner=appowner, reviewer=reviewer, app=water_app, version="1.1.0")
    assert "Update available: 1.1.0" in client.get("/apps/mine/").content.decode()


def test_my_apps_tells_a_request_from_an_installation(client_for, employee, water_app):
    client = client_for(employee)
    client.post(f"/apps/{water_app.slug}/install/android/")
    page = client.get("/apps/mine/").content.decode()
    assert "version 1.0.0 requested, not reported as installed yet" in page
    assert "installed</p>" not in page and "Up to date" not in page
    _installed(employee, water_app)
    page = client.get("/apps/mine/").content.decode()
    assert "version 1.0.0 installed" in page and "Up to date" in page
    assert "requested" not in page


def _publish_package(*, owner, reviewer, app, version="1.0.0"):
    draft = make_version(owner=owner, app=app, version=version, platforms=())
    artifact = services.add_artifact(
        by=owner, version_id=draft.pk, platform=Platform.ANDROID, package=package_upload()
    )
    services.submit_version(by=owner, version_id=draft.pk)
    services.claim_version(by=reviewer, version_id=draft.pk)
    pass_checklist(reviewer=reviewer, version=draft)
    services.approve_version(by=reviewer, version_id=draft.pk)
    return artifact


def test_a_superseded_package_stays_downloadable_for_the_audience(
    client_for, employee, appowner, reviewer
):
    app = make_app(owner=appowner, name="Meter reader")
    old = _publish_package(owner=appowner, reviewer=reviewer, app=app)
    new = _publish_package(owner=appowner, reviewer=reviewer, app=app, version="1.1.0")
    old.version.refresh_from_db()
    assert old.version.state == "superseded"
    client = client_for(employee)
    response = client.get(f"/apps/packages/{old.pk}/download/")
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert client.post(f"/apps/{app.slug}/install/android/")["Location"] == (
        f"/apps/packages/{new.pk}/download/"
    )


def test_updating_from_my_apps_is_a_request_until_the_mdm_reports_it(
    client_for, employee, appowner, reviewer, water_app
):
    client = client_for(employee)
    _installed(employee, water_app)
    publish(owner=appowner, reviewer=reviewer, app=water_app, version="1.1.0")
    page = client.get("/apps/mine/").content.decode()
    assert f'action="/apps/{water_app.slug}/install/android/"' in page
    assert f'href="/apps/{water_app.slug}/#rating"' in page
    client.post(f"/apps/{water_app.slug}/install/android/")
    assert Installation.objects.get(user=employee, app=water_app).version.version == "1.0.0"
    page = client.get("/apps/mine/").content.decode()
    assert "version 1.0.0 installed · version 1.1.0 requested" in page
    _installed(employee, water_app, version="1.1.0")
    page = client.get("/apps/mine/").content.decode()
    assert "version 1.1.0 installed" in page and "Up to date" in page
    assert "requested" not in page


def test_only_an_htmx_request_for_the_results_gets_the_partial(client_for, employee, water_app):
    client = client_for(employee)
    other = client.get("/apps/search/?q=vann", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="main")
    assert "<html" in other.content.decode()
    partial = client.get(
        "/apps/search/?q=vann", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results"
    )
    assert "HX-Request" in partial["Vary"] and "HX-Target" in partial["Vary"]


def test_the_qr_code_is_a_labelled_image_of_the_app_page_address(client_for, employee, water_app):
    page = client_for(employee).get(f"/apps/{water_app.slug}/").content.decode()
    assert '<svg role="img" aria-label="QR code for the page of Vanninspeksjon"' in page


@pytest.mark.parametrize(("value", "found"), [("true", 1), ("on", 1), ("unknown", 2), ("", 2)])
def test_required_only_is_a_checkbox_that_only_an_explicit_yes_ticks(
    client_for, employee, appowner, reviewer, water_app, value, found
):
    publish(
        owner=appowner,
        reviewer=reviewer,
        app=make_app(owner=appowner, name="Secure chat", is_required=True),
    )
    page = client_for(employee).get(f"/apps/search/?required={value}").content.decode()
    assert 'type="checkbox" name="required" value="true"' in page
    assert f"{found} app{'s' if found > 1 else ''} found" in page


IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
ANDROID = "Mozilla/5.0 (Linux; Android 15; Pixel 8) AppleWebKit/537.36 Chrome/131.0 Mobile"
DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0"


@pytest.fixture
def three_platform_app(appowner, reviewer):
    app = make_app(owner=appowner, name="Rota", summary="Shifts")
    platforms = (Platform.ANDROID, Platform.IOS, Platform.WEB)
    publish(owner=appowner, reviewer=reviewer, app=app, platforms=platforms)
    return app


@pytest.mark.parametrize(
    ("agent", "first", "qr"),
    [
        (IPHONE, "Install on iOS", False),
        (ANDROID, "Install on Android", False),
        (DESKTOP, "Install on Android", True),
    ],
)
def test_a_phone_sees_its_own_platform_first_and_no_qr_code(
    client_for, employee, three_platform_app, agent, first, qr
):
    response = client_for(employee).get(f"/apps/{three_platform_app.slug}/", HTTP_USER_AGENT=agent)
    page = response.content.decode()
    buttons = [
        page.index(label) for label in ("Install on iOS", "Install on Android", "Open the Web app")
    ]
    assert page.index(first) == min(buttons)  # the others stay reachable after it
    assert ("Scan to open this page on your phone" in page) is qr
    assert "User-Agent" in response["Vary"]


def test_the_filters_offer_all_instead_of_dashes(client_for, employee, water_app):
    page = client_for(employee).get("/apps/search/").content.decode()
    assert '<option value="" selected>All platforms</option>' in page
    assert '<option value="" selected>All categories</option>' in page
    assert "---------" not in page
