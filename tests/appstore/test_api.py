"""The app store API: catalogue, app detail, MDM catalogue, installations, submissions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from appstore import services
from appstore.api import serializers as s
from appstore.choices import Category, Platform, VersionState
from appstore.models import App, AppVersion, Installation
from portal import services as portal_services
from portal.choices import ApiScope, Role, WorkPattern
from tests.appstore.factories import (
    image_upload,
    make_app,
    make_version,
    package_upload,
    publish,
    publish_draft,
)
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

APPS = reverse("api:app_list")
CATALOGUE = reverse("api:catalogue")
INSTALLATIONS = reverse("api:installation_list")
SUBMISSIONS = reverse("api:submission_list")


def app_url(slug):
    return reverse("api:app_detail", kwargs={"slug": slug})


def submission_url(pk, action=None):
    if action:
        return reverse(f"api:submission_{action}", kwargs={"pk": pk})
    return reverse("api:submission_detail", kwargs={"pk": pk})


def bearer(user, *scopes):
    _token, raw = portal_services.create_api_token(name="MDM", user=user, scopes=scopes, by=None)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def slugs(response):
    assert response.status_code == 200, response.content
    return [app["slug"] for app in response.json()["results"]]


@pytest.fixture
def store(appowner, reviewer, department, other_department):
    """Four apps of the water department: two for everyone (one only a draft), one for
    home nursing, one for the water department only."""
    water = make_app(
        owner=appowner,
        name="Vanninspeksjon",
        summary="Inspect water mains",
        is_required=True,
    )
    publish(
        owner=appowner,
        reviewer=reviewer,
        app=water,
        platforms=(Platform.ANDROID, Platform.IOS),
    )
    care = make_app(
        owner=appowner,
        name="Care notes",
        summary="Notes at the bedside",
        category=Category.HEALTH_CARE,
        audience_everyone=False,
        audience_departments=[department],
    )
    publish(owner=appowner, reviewer=reviewer, app=care, platforms=(Platform.WEB,))
    draft = make_app(owner=appowner, name="Draft only")
    make_version(owner=appowner, app=draft)
    pipes = make_app(
        owner=appowner,
        name="Pipes",
        audience_everyone=False,
        audience_departments=[other_department],
    )
    publish(owner=appowner, reviewer=reviewer, app=pipes)
    return {"water": water, "care": care, "draft": draft, "pipes": pipes}


# The catalogue as the requester sees it.


def test_the_list_shows_only_published_apps_of_the_requesters_audience(api_client, employee, store):
    api_client.force_login(employee)
    response = api_client.get(APPS)
    assert slugs(response) == [store["care"].slug, store["water"].slug]
    assert response.json()["count"] == 2
    water = response.json()["results"][1]
    assert water["current_version"] == "1.0.0"
    assert water["platforms"] == ["android", "ios"]
    assert water["department"] == {"name": "Water and sewerage", "code": "water-sewerage"}
    assert water["category_label"] == "Technical services and inspection"
    assert water["is_required"] is True
    assert water["rating_count"] == 0
    assert water["page_url"].startswith("http://testserver/")
    assert water["icon_url"] is None


def test_a_sub_department_sees_the_apps_of_the_department_above(api_client, department, store):
    ward = DepartmentFactory(name="Ward 3", code="ward-3", parent=department)
    nurse = UserFactory(username="nurse", department=ward)
    api_client.force_login(nurse)
    assert store["care"].slug in slugs(api_client.get(APPS))
    assert api_client.get(app_url(store["care"].slug)).status_code == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "vann"}, ["water"]),
        ({"platform": "web"}, ["care"]),
        ({"platform": "ios"}, ["water"]),
        ({"category": "health_care"}, ["care"]),
        ({"required": "true"}, ["water"]),
    ],
)
def test_the_list_filters_like_the_pages(api_client, employee, store, query, expected):
    api_client.force_login(employee)
    assert slugs(api_client.get(APPS, query)) == [store[key].slug for key in expected]


def test_the_list_filters_by_owning_department(
    api_client, employee, store, other_department, department
):
    api_client.force_login(employee)
    assert len(slugs(api_client.get(APPS, {"department": other_department.pk}))) == 2
    response = api_client.get(APPS, {"platform": "beos"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "platform" in response.json()["fields"]


def _published_copies(app, count):
    """`count` more published apps like `app`, written in bulk."""
    version = app.versions.get()
    copies = App.objects.bulk_create(
        [
            App(
                name=f"{app.name} {number}",
                slug=f"{app.slug}-{number}",
                summary=app.summary,
                category=app.category,
                department=app.department,
                support_contact=app.support_contact,
                audience_everyone=True,
                created_by=app.created_by,
            )
            for number in range(count)
        ]
    )
    fields = {
        name: getattr(version, name)
        for name in ("version", "major", "minor", "patch", "state", "published_at")
    }
    AppVersion.objects.bulk_create([AppVersion(app=copy, **fields) for copy in copies])


def test_a_page_has_at_most_200_apps(api_client, employee, store):
    _published_copies(store["water"], 200)
    api_client.force_login(employee)
    response = api_client.get(APPS, {"page_size": 1000})
    body = response.json()
    assert body["count"] == 202
    assert len(body["results"]) == 200
    assert body["next"].endswith("page=2&page_size=1000")
    assert len(api_client.get(APPS).json()["results"]) == 50


def test_missing_addresses_are_null_as_the_schema_says(api_client, employee, store, client):
    api_client.force_login(employee)
    [version] = api_client.get(app_url(store["water"].slug)).json()["versions"]
    store_artifact = version["artifacts"][0]
    assert store_artifact["web_url"] is None and store_artifact["download_url"] is None
    schema = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    for name in ("store_url", "web_url", "download_url"):
        assert schema["Artifact"]["properties"][name]["nullable"] is True
        assert schema["CurrentArtifact"]["properties"][name]["nullable"] is True
    assert schema["AppList"]["properties"]["icon_url"]["nullable"] is True
    assert schema["Screenshot"]["properties"]["thumbnail_url"]["nullable"] is True


def test_detail_has_versions_and_artifacts(api_client, employee, store):
    api_client.force_login(employee)
    response = api_client.get(app_url(store["water"].slug))
    assert response.status_code == 200
    body = response.json()
    assert body["support_contact"] == "support@example.org"
    assert body["screenshots"] == []
    [version] = body["versions"]
    assert version["version"] == "1.0.0"
    assert version["state"] == "published"
    assert {a["platform"] for a in version["artifacts"]} == {"android", "ios"}
    android = next(a for a in version["artifacts"] if a["platform"] == "android")
    assert android["kind"] == "store"
    assert android["mdm_identifier"].startswith("org.example.")
    assert android["download_url"] is None


def test_icon_and_screenshots_are_absolute_urls(api_client, employee, appowner, reviewer):
    app = make_app(owner=appowner, name="Gravestones", icon=image_upload())
    draft = make_version(owner=appowner, app=app)
    shot = services.add_screenshot(
        by=appowner, version_id=draft.pk, image=image_upload("s.png"), alt_text="The map"
    )
    publish_draft(owner=appowner, reviewer=reviewer, version=draft)
    api_client.force_login(employee)
    [listed] = api_client.get(APPS).json()["results"]
    assert listed["icon_url"].startswith("http://testserver/")
    assert listed["icon_url"].endswith(app.icon.name.rsplit("/", 1)[-1])
    [screenshot] = api_client.get(app_url(app.slug)).json()["screenshots"]
    assert screenshot == {
        "url": "http://testserver" + shot.image.url,
        "thumbnail_url": None,
        "alt_text": "The map",
    }
    # Once the thumbnails are made, lists show the small icon.
    services.make_icon_thumbnail(app_id=app.pk)
    services.make_screenshot_thumbnail(screenshot_id=shot.pk)
    app.refresh_from_db()
    shot.refresh_from_db()
    [listed] = api_client.get(APPS).json()["results"]
    assert listed["icon_url"] == "http://testserver" + app.icon_thumbnail.url
    [screenshot] = api_client.get(app_url(app.slug)).json()["screenshots"]
    assert screenshot["thumbnail_url"] == "http://testserver" + shot.thumbnail.url


@pytest.mark.parametrize("releases", [1, 6])
def test_app_detail_queries_do_not_grow_with_versions(
    api_client, employee, appowner, reviewer, releases, django_assert_max_num_queries
):
    app = make_app(owner=appowner, name="Busy app")
    for minor in range(releases):
        draft = make_version(
            owner=appowner,
            app=app,
            version=f"1.{minor}.0",
            platforms=(Platform.ANDROID, Platform.IOS, Platform.WEB),
        )
        services.add_screenshot(
            by=appowner, version_id=draft.pk, image=image_upload(), alt_text="A screen"
        )
        publish_draft(owner=appowner, reviewer=reviewer, version=draft)
    api_client.force_login(employee)
    api_client.get(app_url(app.slug))  # the audience's visible apps are cached from here on
    with django_assert_max_num_queries(8):
        body = api_client.get(app_url(app.slug)).json()
    assert len(body["versions"]) == releases
    assert body["current_version"] == f"1.{releases - 1}.0"
    assert len(body["screenshots"]) == 1
    assert all(len(v["artifacts"]) == 3 for v in body["versions"])


def test_an_uploaded_package_links_to_its_permission_checked_download(
    api_client, employee, logistics, appowner, reviewer
):
    app = make_app(owner=appowner, name="Meter reader")
    draft = make_version(owner=appowner, app=app, platforms=())
    artifact = services.add_artifact(
        by=appowner, version_id=draft.pk, platform=Platform.ANDROID, package=package_upload()
    )
    publish_draft(owner=appowner, reviewer=reviewer, version=draft)
    download = "http://testserver" + reverse(
        "api:package_download", kwargs={"artifact_id": artifact.pk}
    )
    api_client.force_login(employee)
    [version] = api_client.get(app_url(app.slug)).json()["versions"]
    [package] = version["artifacts"]
    assert package["kind"] == "package"
    assert package["download_url"] == download
    assert package["package_sha256"] == artifact.package_sha256
    assert package["package_size"] == artifact.package_size
    assert package["store_url"] is None and package["web_url"] is None
    assert api_client.get(download).status_code == 200
    api_client.logout()
    response = api_client.get(CATALOGUE, **bearer(logistics, ApiScope.CATALOGUE_READ))
    [listed] = response.json()["results"]
    assert listed["artifacts"] == [
        {
            "platform": "android",
            "version": "1.0.0",
            "mdm_identifier": "",
            "store_url": None,
            "min_os_version": artifact.min_os_version,
            "web_url": None,
            "package_sha256": artifact.package_sha256,
            "download_url": download,
        }
    ]


@pytest.mark.parametrize("key", ["pipes", "draft"])
def test_an_invisible_app_is_a_404(api_client, employee, store, key):
    api_client.force_login(employee)
    response = api_client.get(app_url(store[key].slug))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert store[key].slug not in slugs(api_client.get(APPS))


# The catalogue of an audience group, for MDM systems.


def test_mdm_catalogue_for_a_department(api_client, logistics, store):
    response = api_client.get(
        CATALOGUE, {"department": "home-nursing"}, **bearer(logistics, ApiScope.CATALOGUE_READ)
    )
    assert slugs(response) == [store["care"].slug, store["water"].slug]
    water = response.json()["results"][1]
    assert [a["platform"] for a in water["artifacts"]] == ["android", "ios"]
    assert water["artifacts"][0]["version"] == "1.0.0"
    assert water["artifacts"][0]["mdm_identifier"]
    care = response.json()["results"][0]
    assert care["artifacts"][0]["web_url"].startswith("https://apps.example.org/")


def test_mdm_catalogue_includes_sub_departments(api_client, logistics, department, store):
    DepartmentFactory(name="Ward 3", code="ward-3", parent=department)
    headers = bearer(logistics, ApiScope.CATALOGUE_READ)
    assert store["care"].slug in slugs(
        api_client.get(CATALOGUE, {"department": "ward-3"}, **headers)
    )
    # Without a department, only what is for everyone.
    assert slugs(api_client.get(CATALOGUE, **headers)) == [store["water"].slug]


def test_mdm_catalogue_for_a_role_and_a_work_pattern(api_client, logistics, appowner, reviewer):
    for name, audience in [
        ("Route planner", {"audience_roles": [Role.LOGISTICS]}),
        ("Field kit", {"audience_work_patterns": [WorkPattern.FRONTLINE]}),
    ]:
        app = make_app(owner=appowner, name=name, audience_everyone=False, **audience)
        publish(owner=appowner, reviewer=reviewer, app=app)
    headers = bearer(logistics, ApiScope.CATALOGUE_READ)
    assert slugs(api_client.get(CATALOGUE, {"role": "logistics_desk"}, **headers)) == [
        "route-planner"
    ]
    assert slugs(api_client.get(CATALOGUE, {"work_pattern": "frontline"}, **headers)) == [
        "field-kit"
    ]


def test_mdm_catalogue_of_a_persons_group_is_what_that_person_sees(
    api_client, employee, logistics, appowner, reviewer, store
):
    """One audience rule for pages and MDM: the catalogue of the employee's department
    and work pattern lists exactly the apps the employee sees."""
    frontline = make_app(
        owner=appowner,
        name="Hybrid rota",
        audience_everyone=False,
        audience_work_patterns=[employee.work_pattern],
    )
    publish(owner=appowner, reviewer=reviewer, app=frontline)
    api_client.force_login(employee)
    seen = slugs(api_client.get(APPS))
    api_client.logout()
    group = {"department": employee.department.code, "work_pattern": employee.work_pattern}
    mdm = slugs(api_client.get(CATALOGUE, group, **bearer(logistics, ApiScope.CATALOGUE_READ)))
    assert sorted(mdm) == sorted(seen)
    assert frontline.slug in seen


def test_mdm_catalogue_unknown_department_is_a_field_error(api_client, logistics, store):
    response = api_client.get(
        CATALOGUE, {"department": "nowhere"}, **bearer(logistics, ApiScope.CATALOGUE_READ)
    )
    assert response.status_code == 400
    assert "department" in response.json()["fields"]


def test_mdm_catalogue_needs_the_scope(api_client, logistics, store):
    response = api_client.get(CATALOGUE, **bearer(logistics, ApiScope.INSTALLATIONS_WRITE))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    api_client.force_login(logistics)
    assert api_client.get(CATALOGUE).status_code == 403


# Installations reported by MDM systems.


def _batch(employee, store, version="1.0.0", platform="android"):
    return {
        "installations": [
            {
                "user": employee.employee_number,
                "app": store["water"].slug,
                "version": version,
                "platform": platform,
            },
            {"user": "employee", "app": store["care"].slug, "version": "1.0.0", "platform": "web"},
        ]
    }


def test_installations_are_an_idempotent_upsert(api_client, logistics, employee, store):
    headers = bearer(logistics, ApiScope.INSTALLATIONS_WRITE)
    first = api_client.post(INSTALLATIONS, _batch(employee, store), **headers)
    assert first.status_code == 200, first.content
    assert first.json()["results"] == [
        {"index": 0, "result": "created"},
        {"index": 1, "result": "created"},
    ]
    again = api_client.post(INSTALLATIONS, _batch(employee, store), **headers)
    assert [r["result"] for r in again.json()["results"]] == ["unchanged", "unchanged"]
    assert Installation.objects.count() == 2


def test_a_newer_version_answers_updated(
    api_client, logistics, employee, appowner, reviewer, store
):
    headers = bearer(logistics, ApiScope.INSTALLATIONS_WRITE)
    api_client.post(INSTALLATIONS, _batch(employee, store), **headers)
    publish(owner=appowner, reviewer=reviewer, app=store["water"], version="1.1.0")
    response = api_client.post(INSTALLATIONS, _batch(employee, store, "1.1.0"), **headers)
    assert [r["result"] for r in response.json()["results"]] == ["updated", "unchanged"]
    assert Installation.objects.get(app=store["water"]).version.version == "1.1.0"


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"user": "nobody"}, "user", "not_found"),
        ({"app": "no-such-app"}, "app", "not_found"),
        ({"app": "pipes"}, "app", "not_found"),  # exists, but not for this person
        ({"app": "draft-only"}, "app", "not_found"),
        ({"version": "9.9.9"}, "version", "invalid"),
        ({"platform": "beos"}, "platform", "invalid"),  # a shape error, same answer
    ],
)
def test_one_bad_item_writes_nothing(api_client, logistics, employee, store, change, field, code):
    body = _batch(employee, store)
    body["installations"][1].update(change)
    response = api_client.post(
        INSTALLATIONS, body, **bearer(logistics, ApiScope.INSTALLATIONS_WRITE)
    )
    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == "invalid"
    assert answer["detail"] == "1 installation is refused; nothing was written."
    assert list(answer["fields"]["installations"]["1"]) == [field]
    [error] = answer["errors"]
    assert (error["index"], error["field"], error["code"]) == (1, field, code)
    assert error["detail"]
    assert Installation.objects.count() == 0


def test_every_bad_item_is_named(api_client, logistics, employee, store):
    body = _batch(employee, store)
    body["installations"][0]["user"] = "nobody"
    body["installations"][1]["version"] = "0.0.1"
    response = api_client.post(
        INSTALLATIONS, body, **bearer(logistics, ApiScope.INSTALLATIONS_WRITE)
    )
    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [
        (0, "user"),
        (1, "version"),
    ]
    assert Installation.objects.count() == 0


def test_a_good_item_before_a_bad_one_is_rolled_back(api_client, logistics, employee, store):
    """The first item is written by the service before the second is refused: the whole
    batch is one transaction, so nothing stays, and a re-send of the fixed batch creates."""
    headers = bearer(logistics, ApiScope.INSTALLATIONS_WRITE)
    body = _batch(employee, store)
    body["installations"][1]["version"] = "9.9.9"
    assert api_client.post(INSTALLATIONS, body, **headers).status_code == 400
    assert Installation.objects.count() == 0
    fixed = api_client.post(INSTALLATIONS, _batch(employee, store), **headers)
    assert [r["result"] for r in fixed.json()["results"]] == ["created", "created"]


def test_installations_need_the_scope_and_a_token(api_client, logistics, employee, store):
    headers = bearer(logistics, ApiScope.CATALOGUE_READ)
    assert api_client.post(INSTALLATIONS, _batch(employee, store), **headers).status_code == 403
    api_client.force_login(logistics)
    assert api_client.post(INSTALLATIONS, _batch(employee, store)).status_code == 403
    assert Installation.objects.count() == 0


def test_a_batch_has_at_most_500_items(api_client, logistics, employee, store):
    body = {"installations": _batch(employee, store)["installations"][:1] * 501}
    response = api_client.post(
        INSTALLATIONS, body, **bearer(logistics, ApiScope.INSTALLATIONS_WRITE)
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Ensure this field has no more than 500 elements.",
        "code": "invalid",
        "fields": {"installations": ["Ensure this field has no more than 500 elements."]},
        "errors": [],
    }
    assert Installation.objects.count() == 0


def test_a_batch_over_500_items_is_refused_before_any_item_is_read(
    api_client, logistics, employee, store, monkeypatch
):
    read = []
    item = s.InstallationItemSerializer
    original = item.to_internal_value
    monkeypatch.setattr(
        item, "to_internal_value", lambda self, d: read.append(d) or original(self, d)
    )
    body = {
        "installations": [{"user": "x", "app": "y", "version": "1", "platform": "ios"}] * 20_001
    }
    response = api_client.post(
        INSTALLATIONS, body, **bearer(logistics, ApiScope.INSTALLATIONS_WRITE)
    )
    assert response.status_code == 400
    assert response.json()["errors"] == []
    assert len(response.content) < 1000
    assert read == []
    assert Installation.objects.count() == 0


@pytest.mark.parametrize("body", [[], {"installations": "all"}, {}])
def test_a_batch_refused_as_a_whole_has_the_batch_error_form(api_client, logistics, body):
    headers = bearer(logistics, ApiScope.INSTALLATIONS_WRITE)
    response = api_client.post(INSTALLATIONS, body, format="json", **headers)
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "code", "fields", "errors"}
    assert response.json()["errors"] == []


def test_a_batch_that_is_not_json_has_the_batch_error_form(api_client, logistics):
    headers = bearer(logistics, ApiScope.INSTALLATIONS_WRITE)
    response = api_client.post(INSTALLATIONS, "{", content_type="application/json", **headers)
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert set(response.json()) == {"detail", "code", "fields", "errors"}


# The owners' submissions.


def test_an_owner_follows_their_submissions(api_client, appowner, reviewer, store):
    draft = make_version(owner=appowner, app=store["water"], version="2.0.0")
    services.submit_version(by=appowner, version_id=draft.pk)
    services.claim_version(by=reviewer, version_id=draft.pk)
    services.request_changes(by=reviewer, version_id=draft.pk, comment="Add the SSO login.")
    api_client.force_login(appowner)
    response = api_client.get(SUBMISSIONS)
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert (
        response.json()["count"]
        == AppVersion.objects.filter(app__department=store["water"].department).count()
    )
    row = rows[draft.pk]
    assert row["state"] == "changes_requested"
    assert row["reviewer_comment"] == "Add the SSO login."
    assert row["reviewer_name"]
    detail = api_client.get(submission_url(draft.pk)).json()
    assert [e["to_state"] for e in detail["events"]] == [
        "submitted",
        "in_review",
        "changes_requested",
    ]
    assert detail["allowed_actions"] == ["resubmit"]
    response = api_client.post(submission_url(draft.pk, "submit"), {"comment": "Done."})
    assert response.status_code == 200, response.content
    # Straight back to the reviewer who asked for the changes.
    assert response.json()["state"] == "in_review"


def test_the_checklist_shows_on_the_detail(api_client, appowner, store):
    version = AppVersion.objects.get(app=store["water"])
    api_client.force_login(appowner)
    detail = api_client.get(submission_url(version.pk)).json()
    assert {answer["result"] for answer in detail["checklist"]} == {"pass"}
    assert detail["checklist"][0]["item"]
    assert "withdraw" in detail["allowed_actions"]


def test_submit_and_withdraw_through_the_api(api_client, appowner, store):
    draft = AppVersion.objects.get(app=store["draft"])
    api_client.force_login(appowner)
    response = api_client.post(submission_url(draft.pk, "submit"), {})
    assert response.status_code == 200, response.content
    draft.refresh_from_db()
    assert draft.state == VersionState.SUBMITTED
    published = AppVersion.objects.get(app=store["pipes"])
    response = api_client.post(submission_url(published.pk, "withdraw"), {"comment": ""})
    assert response.status_code == 400
    assert "comment" in response.json()["fields"]
    response = api_client.post(submission_url(published.pk, "withdraw"), {"comment": "Leak."})
    assert response.status_code == 200
    assert response.json()["state"] == "withdrawn"


def test_an_illegal_transition_is_a_409(api_client, appowner, store):
    published = AppVersion.objects.get(app=store["water"])
    api_client.force_login(appowner)
    response = api_client.post(submission_url(published.pk, "submit"), {})
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert "Published" in response.json()["detail"]


def test_another_departments_owner_gets_404(api_client, department, store):
    nurse_owner = UserFactory(username="nurseowner", department=department, roles=[Role.APP_OWNER])
    version = AppVersion.objects.get(app=store["water"])
    api_client.force_login(nurse_owner)
    assert api_client.get(SUBMISSIONS).json()["count"] == 0
    assert api_client.get(submission_url(version.pk)).status_code == 404
    response = api_client.post(submission_url(version.pk, "withdraw"), {"comment": "x"})
    assert response.status_code == 404
    version.refresh_from_db()
    assert version.state == VersionState.PUBLISHED


# A permission matrix: every endpoint × persona, by session, and × token scope.

PERSONAS = ["employee", "appowner", "reviewer", "manager", "logistics", "trainer", "admin"]


def _version_of(key):
    return lambda s: AppVersion.objects.get(app=s[key]).pk


MATRIX = {
    # endpoint: (method, url builder, body builder, {persona: status}, default status)
    "apps": ("get", lambda s: APPS, None, {}, 200),
    "app_detail_for_everyone": ("get", lambda s: app_url(s["water"].slug), None, {}, 200),
    "app_detail_home_nursing": (
        "get",
        lambda s: app_url(s["care"].slug),
        None,
        {"employee": 200, "manager": 200},
        404,
    ),
    "app_detail_draft_only": ("get", lambda s: app_url(s["draft"].slug), None, {}, 404),
    "catalogue": ("get", lambda s: CATALOGUE, None, {}, 403),
    "installations": ("post", lambda s: INSTALLATIONS, lambda s: _matrix_batch(s), {}, 403),
    "submissions": ("get", lambda s: SUBMISSIONS, None, {}, 200),
    "submission_detail": (
        "get",
        lambda s: submission_url(_version_of("water")(s)),
        None,
        {"appowner": 200},
        404,
    ),
    "submission_submit": (
        "post",
        lambda s: submission_url(_version_of("draft")(s), "submit"),
        lambda s: {"comment": ""},
        {"appowner": 200},
        404,
    ),
    "submission_withdraw": (
        "post",
        lambda s: submission_url(_version_of("pipes")(s), "withdraw"),
        lambda s: {"comment": "Taken off."},
        {"appowner": 200},
        404,
    ),
}

# With an API token (of a person who sees the store, here the employee), by scope.
TOKEN_MATRIX = {
    "apps": {ApiScope.APPS_READ: 200},
    "app_detail_home_nursing": {ApiScope.APPS_READ: 200},
    "submissions": {ApiScope.APPS_READ: 200},
    "catalogue": {ApiScope.CATALOGUE_READ: 200},
    "installations": {ApiScope.INSTALLATIONS_WRITE: 200},
}


def _matrix_batch(store):
    item = {"user": "employee", "app": store["water"].slug, "version": "1.0.0"}
    return {"installations": [{**item, "platform": "android"}]}


def _call(client, store, endpoint, **headers):
    method, url, body, _expected, _default = MATRIX[endpoint]
    data = body(store) if body else None
    return getattr(client, method)(url(store), data, **headers)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_permission_matrix(api_client, personas, employee, store, endpoint, persona):
    _method, _url, _body, expected, default = MATRIX[endpoint]
    api_client.force_login(personas[persona])
    response = _call(api_client, store, endpoint)
    assert response.status_code == expected.get(persona, default), response.content
    assert Installation.objects.count() == 0


@pytest.mark.parametrize(
    "scope",
    [None, ApiScope.APPS_READ, ApiScope.CATALOGUE_READ, ApiScope.INSTALLATIONS_WRITE],
)
@pytest.mark.parametrize("endpoint", sorted(TOKEN_MATRIX))
def test_token_matrix(api_client, employee, store, endpoint, scope):
    """A token reaches only the endpoints of its scopes: the person's endpoints (as the
    person) with apps:read, the MDM endpoints with theirs, whoever the person is."""
    headers = bearer(employee, *([scope] if scope else []))
    response = _call(api_client, store, endpoint, **headers)
    expected = TOKEN_MATRIX[endpoint].get(scope, 403)
    assert response.status_code == expected, response.content
    if expected == 403:
        assert set(response.json()) == {"detail", "code"}


@pytest.mark.parametrize("endpoint", [APPS, SUBMISSIONS])
def test_anonymous_is_refused(api_client, endpoint):
    response = api_client.get(endpoint)
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"detail", "code"}


# A constant number of queries, however many apps.


def _apps(count, *, appowner, reviewer):
    for number in range(count):
        app = make_app(owner=appowner, name=f"Bulk app {number:02d}")
        publish(
            owner=appowner, reviewer=reviewer, app=app, platforms=(Platform.ANDROID, Platform.IOS)
        )


@pytest.mark.parametrize("count", [2, 20])
def test_queries_do_not_grow_with_the_apps(
    api_client, employee, appowner, reviewer, logistics, count, django_assert_max_num_queries
):
    _apps(count, appowner=appowner, reviewer=reviewer)
    slug = "bulk-app-01"
    headers = bearer(logistics, ApiScope.CATALOGUE_READ)
    api_client.force_login(employee)
    with django_assert_max_num_queries(8):
        assert len(slugs(api_client.get(APPS))) == count
    with django_assert_max_num_queries(8):
        assert api_client.get(app_url(slug)).status_code == 200
    api_client.force_login(appowner)
    with django_assert_max_num_queries(8):
        assert api_client.get(SUBMISSIONS).json()["count"] == count
    api_client.logout()
    with django_assert_max_num_queries(8):
        assert len(slugs(api_client.get(CATALOGUE, **headers))) == count


@pytest.mark.parametrize("count", [2, 20])
def test_an_installation_batch_costs_the_same_queries_however_long(
    api_client, logistics, appowner, reviewer, department, count, django_assert_max_num_queries
):
    """People and apps are looked up once for the batch, visibility once per audience
    (department, roles, work pattern), releases and installations once: 20 items cost
    what 2 do. Sent again, every item is unchanged; a newer version is an update."""
    _apps(count, appowner=appowner, reviewer=reviewer)
    items = [
        {
            "user": UserFactory(username=f"field{number}", department=department).username,
            "app": f"bulk-app-{number:02d}",
            "version": "1.0.0",
            "platform": "android",
        }
        for number in range(count)
    ]
    headers = bearer(logistics, ApiScope.INSTALLATIONS_WRITE)
    with django_assert_max_num_queries(13):
        response = api_client.post(INSTALLATIONS, {"installations": items}, **headers)
    assert {r["result"] for r in response.json()["results"]} == {"created"}
    assert Installation.objects.filter(source="mdm").count() == count
    with django_assert_max_num_queries(13):
        again = api_client.post(INSTALLATIONS, {"installations": items}, **headers)
    assert {r["result"] for r in again.json()["results"]} == {"unchanged"}


def test_an_installation_batch_with_the_same_item_twice_and_an_update(
    api_client, logistics, appowner, reviewer, employee
):
    app = make_app(owner=appowner, name="Twice")
    publish(owner=appowner, reviewer=reviewer, app=app, platforms=(Platform.ANDROID,))
    publish(
        owner=appowner, reviewer=reviewer, app=app, platforms=(Platform.ANDROID,), version="1.1.0"
    )
    item = {"user": employee.username, "app": app.slug, "platform": "android"}
    batch = [
        {**item, "version": "1.0.0"},
        {**item, "version": "1.0.0"},
        {**item, "version": "1.1.0"},
    ]
    headers = bearer(logistics, ApiScope.INSTALLATIONS_WRITE)
    response = api_client.post(INSTALLATIONS, {"installations": batch}, **headers)
    assert [r["result"] for r in response.json()["results"]] == ["created", "unchanged", "updated"]
    installation = Installation.objects.get(user=employee, app=app)
    assert installation.version.version == "1.1.0"


def test_packages_download_through_the_api_for_people_and_mdm_tokens(
    api_client, appowner, reviewer, employee, client_for
):
    from appstore import services as store
    from appstore.choices import Platform
    from portal.services import create_api_token
    from tests.appstore.factories import make_app, make_version, package_upload, pass_checklist

    app = make_app(
        owner=appowner, audience_everyone=False, audience_departments=[appowner.department]
    )
    draft = make_version(owner=appowner, app=app, platforms=())
    artifact = store.add_artifact(
        by=appowner, version_id=draft.pk, platform=Platform.ANDROID, package=package_upload()
    )
    url = f"/api/v1/packages/{artifact.pk}/download/"
    _token, mdm_key = create_api_token(
        user=reviewer, name="MDM", scopes=["catalogue:read"], by=reviewer
    )
    _token, plain_key = create_api_token(
        user=employee, name="Mine", scopes=["apps:read"], by=employee
    )
    assert api_client.get(url, HTTP_AUTHORIZATION=f"Bearer {plain_key}").status_code == 404
    assert client_for(appowner).get(url).status_code == 200  # the owner, a draft
    store.submit_version(by=appowner, version_id=draft.pk)
    store.claim_version(by=reviewer, version_id=draft.pk)
    pass_checklist(reviewer=reviewer, version=draft)
    store.approve_version(by=reviewer, version_id=draft.pk)
    response = api_client.get(url, HTTP_AUTHORIZATION=f"Bearer {mdm_key}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    # The employee is outside the app's audience: still a 404 with their own token.
    assert api_client.get(url, HTTP_AUTHORIZATION=f"Bearer {plain_key}").status_code == 404
