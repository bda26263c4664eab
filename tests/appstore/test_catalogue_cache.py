"""The visible apps are cached per audience and catalogue version: publishing,
withdrawing and re-targeting are seen on the very next request, and people with the same
audience share one computation."""

from __future__ import annotations

import pytest
from django.test import Client

from appstore import cache, selectors, services
from appstore.models import App, AppScreenshot, Rating
from portal.choices import Role
from tests.appstore.factories import image_upload, make_app, make_version, publish, publish_draft
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = False


def _pages_see(client, app) -> dict[str, int]:
    return {
        "search": app.name in client.get("/apps/search/").content.decode(),
        "detail": client.get(f"/apps/{app.slug}/").status_code,
        "api": client.get(f"/api/v1/apps/{app.slug}/").status_code,
    }


def test_a_published_app_is_seen_on_the_next_request(client_for, employee, appowner, reviewer):
    client = client_for(employee)
    first = make_app(owner=appowner)
    publish(owner=appowner, reviewer=reviewer, app=first)
    assert _pages_see(client, first) == {"search": True, "detail": 200, "api": 200}
    second = make_app(owner=appowner)
    publish(owner=appowner, reviewer=reviewer, app=second)
    assert _pages_see(client, second) == {"search": True, "detail": 200, "api": 200}


def test_a_withdrawn_app_is_a_404_on_the_next_request(client_for, employee, appowner, reviewer):
    client = client_for(employee)
    app = make_app(owner=appowner)
    version = publish(owner=appowner, reviewer=reviewer, app=app)
    assert _pages_see(client, app) == {"search": True, "detail": 200, "api": 200}
    services.withdraw_version(by=appowner, version_id=version.pk, comment="Security fix coming")
    assert _pages_see(client, app) == {"search": False, "detail": 404, "api": 404}


def test_retargeting_makes_the_app_a_404_at_once_for_who_is_outside_the_new_audience(
    client_for, employee, appowner, reviewer, department, other_department
):
    app = make_app(owner=appowner, audience_everyone=False, audience_departments=[department.pk])
    publish(owner=appowner, reviewer=reviewer, app=app)
    outsider = UserFactory(department=other_department)
    assert _pages_see(client_for(employee), app)["detail"] == 200
    assert _pages_see(client_for(outsider), app)["detail"] == 404
    change = services.update_listing(
        by=appowner, app_id=app.pk, audience_departments=[other_department.pk]
    )
    services.approve_listing_change(by=reviewer, change_id=change.pk, revision=change.revision)
    assert _pages_see(client_for(employee), app) == {"search": False, "detail": 404, "api": 404}
    assert _pages_see(client_for(outsider), app) == {"search": True, "detail": 200, "api": 200}


def test_people_of_one_audience_share_one_computation(
    employee, department, appowner, reviewer, monkeypatch
):
    publish(owner=appowner, reviewer=reviewer, app=make_app(owner=appowner))
    colleague = UserFactory(department=department)
    calls = []
    rule = selectors.apps_for_audience
    monkeypatch.setattr(selectors, "apps_for_audience", lambda **kw: calls.append(kw) or rule(**kw))
    assert selectors.visible_app_ids(employee) == selectors.visible_app_ids(colleague)
    assert len(calls) == 1
    UserFactory(department=appowner.department)  # no change of what is visible
    selectors.visible_app_ids(employee)
    assert len(calls) == 1


def test_what_was_read_before_the_commit_is_not_served_after_it(
    employee, appowner, reviewer, django_capture_on_commit_callbacks
):
    app = make_app(owner=appowner)
    with django_capture_on_commit_callbacks(execute=True):
        publish(owner=appowner, reviewer=reviewer, app=app)
        # Another request reading now (before the commit) caches under this version...
        during = cache.catalogue_version()
        selectors.visible_app_ids(employee)
    # ...and the commit replaces the version, so that entry is never read again.
    assert cache.catalogue_version() != during


def test_the_author_of_a_rating_is_read_without_the_password_hash(
    employee, appowner, reviewer, django_assert_num_queries
):
    app = make_app(owner=appowner)
    publish(owner=appowner, reviewer=reviewer, app=app)
    services.rate_app(by=employee, app_id=app.pk, stars=4, comment="Good")
    with django_assert_num_queries(1):
        review = selectors.reviews(app).get()
        assert review.user.get_full_name() or review.user.username
    assert "password" in review.user.get_deferred_fields()
    assert Rating.objects.filter(app=app).count() == 1


def test_featuring_an_app_shows_it_on_the_store_home_at_once(
    client_for, employee, appowner, reviewer, admin_user
):
    app = make_app(owner=appowner, name="Snow clearing")
    publish(owner=appowner, reviewer=reviewer, app=app)
    client = client_for(employee)
    assert "featured-heading" not in client.get("/apps/").content.decode()
    services.set_featured(by=admin_user, app_id=app.pk, featured=True)
    page = client.get("/apps/").content.decode()
    assert page.count("Snow clearing") == 2  # new and updated, and featured


def test_the_owning_department_filter_escapes_names_and_keeps_the_choice(
    client_for, employee, appowner, reviewer
):
    department = appowner.department
    department.name = 'Water & <b>"sewerage"</b>'
    department.save()
    publish(owner=appowner, reviewer=reviewer, app=make_app(owner=appowner))
    page = client_for(employee).get(f"/apps/search/?department={department.pk}").content.decode()
    expected = f'<option value="{department.pk}" selected>Water &amp; &lt;b&gt;&quot;sewerage'
    assert expected in page
    assert "<b>" not in page


# Cards and the shared parts of an app's page are rendered once per language and cards
# version: every change of what they show is seen on the next request.


def _text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_rating_shows_on_the_cards_and_the_page_at_once(
    client_for, employee, appowner, reviewer, department
):
    app = make_app(owner=appowner, name="Gritting routes")
    publish(owner=appowner, reviewer=reviewer, app=app)
    colleague = UserFactory(department=department)
    client = client_for(employee)
    pages = ["/apps/", "/apps/search/?q=gritting", f"/apps/{app.slug}/"]
    assert not any("of 5 (" in _text(client, url) for url in pages)  # now cached
    api = "/api/v1/apps/?q=gritting"
    assert client.get(api).json()["results"][0]["rating_count"] == 0  # now cached
    services.rate_app(by=colleague, app_id=app.pk, stars=4, comment="Handy on the road")
    for url in pages:
        assert "4.0 of 5 (1 rating)" in _text(client, url), url
    assert client.get(api).json()["results"][0]["rating_average"] == 4.0
    page = _text(client, f"/apps/{app.slug}/")
    assert "Handy on the road" in page
    # The review is shared; the rating form is the reader's own.
    assert "Your rating (you can change it)" not in page
    assert "Remove my rating" not in page
    page = _text(client_for(colleague), f"/apps/{app.slug}/")
    assert "Your rating (you can change it)" in page
    assert "Handy on the road</textarea>" in page
    services.remove_rating(by=colleague, app_id=app.pk)
    client = client_for(employee)
    assert not any("of 5 (" in _text(client, url) for url in pages)
    assert "No ratings yet." in _text(client, f"/apps/{app.slug}/")


def test_cards_are_kept_per_language(client_for, employee, appowner, reviewer, department):
    app = make_app(owner=appowner, name="Gritting routes")
    publish(owner=appowner, reviewer=reviewer, app=app)
    services.rate_app(by=UserFactory(department=department), app_id=app.pk, stars=5)
    assert "5.0 of 5 (1 rating)" in _text(client_for(employee), "/apps/")
    client = Client()  # no language cookie from the English session
    client.force_login(UserFactory(department=department, preferred_language="nb"))
    for url in ["/apps/", "/apps/search/?q=gritting", f"/apps/{app.slug}/"]:
        page = _text(client, url)
        assert "5,0 av 5 (1 vurdering)" in page, url
        assert "of 5" not in page, url


def test_a_renamed_department_shows_on_the_cards_and_the_page_at_once(
    client_for, employee, appowner, reviewer
):
    app = make_app(owner=appowner, name="Gritting routes")
    publish(owner=appowner, reviewer=reviewer, app=app)
    client = client_for(employee)
    pages = ["/apps/", "/apps/search/?q=gritting", f"/apps/{app.slug}/"]
    assert all("Water and sewerage" in _text(client, url) for url in pages)
    owner = appowner.department
    owner.name = "Water, sewerage and roads"
    owner.save()
    for url in pages:
        assert "Water, sewerage and roads" in _text(client, url), url


def test_thumbnails_show_on_the_cards_and_the_page_once_made(
    client_for, employee, appowner, reviewer
):
    app = make_app(owner=appowner, name="Gritting routes", icon=image_upload("icon.png"))
    draft = make_version(owner=appowner, app=app)
    shot = services.add_screenshot(
        by=appowner, version_id=draft.pk, image=image_upload("s.png"), alt_text="The map"
    )
    App.objects.filter(pk=app.pk).update(icon_thumbnail="")  # as before the worker ran
    AppScreenshot.objects.filter(pk=shot.pk).update(thumbnail="")
    publish_draft(owner=appowner, reviewer=reviewer, version=draft)
    client = client_for(employee)
    _text(client, "/apps/")
    _text(client, f"/apps/{app.slug}/")
    assert services.make_icon_thumbnail(app_id=app.pk)
    assert services.make_screenshot_thumbnail(screenshot_id=shot.pk)
    app.refresh_from_db()
    shot.refresh_from_db()
    assert app.icon_thumbnail.url in _text(client, "/apps/")
    page = _text(client, f"/apps/{app.slug}/")
    assert app.icon_thumbnail.url in page
    assert shot.thumbnail.url in page


def test_the_owner_filter_offers_only_departments_owning_an_app_the_person_sees(
    client_for, employee, appowner, reviewer, department
):
    publish(owner=appowner, reviewer=reviewer, app=make_app(owner=appowner))
    hidden_owner = UserFactory(
        department=DepartmentFactory(name="Harbour office"), roles=[Role.APP_OWNER]
    )
    make_app(owner=hidden_owner)  # never published
    page = _text(client_for(employee), "/apps/search/")
    assert "Water and sewerage</option>" in page
    assert "Harbour office" not in page


def test_search_results_are_not_shared_across_audiences(
    client_for, employee, appowner, reviewer, department, other_department
):
    app = make_app(
        owner=appowner,
        name="Gritting routes",
        audience_everyone=False,
        audience_departments=[department.pk],
    )
    publish(owner=appowner, reviewer=reviewer, app=app)
    url = "/apps/search/?q=gritting"
    inside = _text(client_for(employee), url)
    assert "Gritting routes" in inside
    assert "1 app found" in inside
    api = "/api/v1/apps/?q=gritting"
    assert client_for(employee).get(api).json()["count"] == 1
    outsider = client_for(UserFactory(department=other_department))
    outside = _text(outsider, url)
    assert "Gritting routes" not in outside
    assert "0 apps found" in outside
    assert outsider.get(api).json()["count"] == 0
    # A bad filter value is shown with its error for whoever asks, cached or not.
    for _ in range(2):
        page = _text(client_for(employee), "/apps/search/?q=gritting&platform=nokia")
        assert "Select a valid choice" in page
