"""Every role against every app-store page and endpoint, for an app of their own
department's audience and one of another department. Generated, not written out: the
expected answer comes from the rule (audience, ownership, review role) for each case."""

from __future__ import annotations

import pytest

from appstore import services
from appstore.choices import Platform
from portal.choices import Role
from tests.appstore.factories import make_app, make_version, package_upload, pass_checklist
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PERSONAS = ["employee", "appowner", "other_owner", "reviewer", "manager", "logistics", "admin"]


def _published_with_package(owner, reviewer, **listing):
    app = make_app(owner=owner, **listing)
    version = make_version(owner=owner, app=app, platforms=())
    artifact = services.add_artifact(
        by=owner, version_id=version.pk, platform=Platform.ANDROID, package=package_upload()
    )
    services.submit_version(by=owner, version_id=version.pk)
    services.claim_version(by=reviewer, version_id=version.pk)
    pass_checklist(reviewer=reviewer, version=version)
    services.approve_version(by=reviewer, version_id=version.pk)
    return app, version, artifact


@pytest.fixture
def world(personas, appowner, reviewer, employee):
    other_owner = UserFactory(
        username="other-owner", department=employee.department, roles=[Role.APP_OWNER]
    )
    everyone = _published_with_package(appowner, reviewer, name="Leak alert")
    own_only = _published_with_package(
        appowner,
        reviewer,
        name="Sewer camera log",
        audience_everyone=False,
        audience_departments=[appowner.department],
    )
    return {**personas, "other_owner": other_owner}, {"everyone": everyone, "own": own_only}


def _expected(surface, persona, audience):
    sees = audience == "everyone" or persona == "appowner"
    owns = persona == "appowner"
    reviews = persona in ("reviewer",)
    if surface in ("page", "api_detail"):
        return 200 if sees else 404
    if surface in ("install", "rate"):
        return 302 if sees else 404
    if surface == "download":
        return 200 if sees or owns or reviews else 404
    if surface == "manage":
        if persona not in ("appowner", "other_owner"):
            return 403
        return 200 if owns else 404
    if surface == "api_submission":
        return 200 if owns else 404
    raise AssertionError(surface)


def _request(client, surface, app, version, artifact):
    if surface == "page":
        return client.get(f"/apps/{app.slug}/")
    if surface == "install":
        return client.post(f"/apps/{app.slug}/install/android/")
    if surface == "rate":
        return client.post(f"/apps/{app.slug}/rate/", {"stars": 4})
    if surface == "download":
        return client.get(f"/apps/packages/{artifact.pk}/download/")
    if surface == "manage":
        return client.get(f"/apps/manage/versions/{version.pk}/")
    if surface == "api_detail":
        return client.get(f"/api/v1/apps/{app.slug}/")
    if surface == "api_submission":
        return client.get(f"/api/v1/submissions/{version.pk}/")
    raise AssertionError(surface)


SURFACES = ["page", "install", "rate", "download", "manage", "api_detail", "api_submission"]


@pytest.mark.parametrize("audience", ["everyone", "own"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_role_against_every_store_surface(world, client_for, persona, audience):
    people, apps = world
    app, version, artifact = apps[audience]
    client = client_for(people[persona])
    for surface in SURFACES:
        response = _request(client, surface, app, version, artifact)
        expected = _expected(surface, persona, audience)
        assert response.status_code == expected, (persona, audience, surface)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_reviewers_and_administrators_open_the_review_in_the_admin(
    world, client_for, persona, settings
):
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = False
    people, apps = world
    _app, version, _artifact = apps["own"]
    response = client_for(people[persona]).get(f"/admin/appstore/appversion/{version.pk}/change/")
    allowed = persona in ("reviewer", "admin")
    assert (response.status_code == 200) == allowed, persona
    if not allowed:
        assert response.status_code in (302, 403)
