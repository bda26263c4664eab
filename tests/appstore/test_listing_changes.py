"""A listing change is decided on the revision the reviewer saw, and a listing IT has seen
(a version with IT, or published) changes only through review."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages

from appstore import services
from appstore.choices import ListingChangeState
from appstore.choices import VersionState as S
from appstore.models import App, ListingChange
from portal.errors import Conflict
from portal.models import Notification
from tests.appstore.factories import make_app, make_version, pass_checklist, publish

pytestmark = pytest.mark.django_db

STALE = "The owner changed this listing change after you opened it; review it again."


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = False


def _published_app(owner, reviewer) -> App:
    app = make_app(owner=owner, name="Water meter reading")
    publish(owner=owner, reviewer=reviewer, app=app)
    return app


def _change_url(change) -> str:
    return f"/admin/appstore/listingchange/{change.pk}/change/"


def _revision_on(page: str) -> str:
    match = re.search(r'<input type="hidden" name="decision-revision" value="(\d+)"', page)
    assert match, "the decision form carries the revision"
    return match.group(1)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- the revision ---------------------------------------------------------------------


def test_every_owner_edit_bumps_the_revision_of_the_waiting_change(appowner, reviewer):
    app = _published_app(appowner, reviewer)
    first = services.update_listing(by=appowner, app_id=app.pk, summary="Meters")
    second = services.update_listing(by=appowner, app_id=app.pk, name="Meter reading")
    third = services.update_listing(by=appowner, app_id=app.pk, summary="Meters and flowmeters")
    assert first.pk == second.pk == third.pk
    assert (first.revision, second.revision, third.revision) == (1, 2, 3)


def test_approving_a_revision_the_owner_edited_since_is_refused_and_changes_nothing(
    appowner, reviewer
):
    app = _published_app(appowner, reviewer)
    seen = services.update_listing(by=appowner, app_id=app.pk, summary="Meters")
    services.update_listing(by=appowner, app_id=app.pk, name="Leak reporter", summary="Leaks")

    with pytest.raises(Conflict, match="review it again") as refused:
        services.approve_listing_change(by=reviewer, change_id=seen.pk, revision=seen.revision)

    assert str(refused.value) == STALE
    app.refresh_from_db()
    change = ListingChange.objects.get(pk=seen.pk)
    assert (app.name, app.summary) == ("Water meter reading", "Work orders on the go")
    assert change.state == ListingChangeState.SUBMITTED and not change.events.exists()


def test_approving_the_revision_the_reviewer_saw_applies_exactly_it(appowner, reviewer):
    app = _published_app(appowner, reviewer)
    services.update_listing(by=appowner, app_id=app.pk, summary="Meters")
    change = services.update_listing(by=appowner, app_id=app.pk, name="Leak reporter")

    services.approve_listing_change(by=reviewer, change_id=change.pk, revision=2)

    app.refresh_from_db()
    assert (app.name, app.summary) == ("Leak reporter", "Meters")


@pytest.mark.parametrize("revision", [None, 0, 2])
def test_a_decision_on_another_revision_or_none_is_refused(appowner, reviewer, revision):
    app = _published_app(appowner, reviewer)
    change = services.update_listing(by=appowner, app_id=app.pk, summary="Meters")
    with pytest.raises(Conflict, match="review it again"):
        services.approve_listing_change(by=reviewer, change_id=change.pk, revision=revision)
    with pytest.raises(Conflict, match="review it again"):
        services.reject_listing_change(
            by=reviewer, change_id=change.pk, revision=revision, comment="No."
        )
    assert ListingChange.objects.get(pk=change.pk).state == ListingChangeState.SUBMITTED


def test_the_admin_refuses_an_approval_of_a_stale_revision_and_shows_the_new_one(
    client_for, appowner, reviewer
):
    app = _published_app(appowner, reviewer)
    change = services.update_listing(by=appowner, app_id=app.pk, summary="Meters")
    client = client_for(reviewer)
    opened = client.get(_change_url(change)).content.decode()
    seen = _revision_on(opened)
    services.update_listing(by=appowner, app_id=app.pk, name="Leak reporter")

    decision = {"_decision": "approve", "decision-comment": "Fine.", "decision-revision": seen}
    refused = client.post(_change_url(change), decision)

    assert refused.status_code == 200 and _messages(refused) == [STALE]
    app.refresh_from_db()
    assert app.name == "Water meter reading"
    assert ListingChange.objects.get(pk=change.pk).state == ListingChangeState.SUBMITTED
    page = refused.content.decode()
    assert "Leak reporter" in page and _revision_on(page) == "2"
    assert "\nFine.</textarea>" in page  # what the reviewer wrote is kept

    approved = client.post(_change_url(change), {**decision, "decision-revision": "2"})

    assert approved.status_code == 302
    app.refresh_from_db()
    assert (app.name, app.summary) == ("Leak reporter", "Meters")


# --- a listing IT has seen -------------------------------------------------------------


def _version_in(state, owner, reviewer, app, settings):
    version = make_version(owner=owner, app=app)
    if state == S.DRAFT:
        return version
    services.submit_version(by=owner, version_id=version.pk)
    if state == S.SUBMITTED:
        return version
    services.claim_version(by=reviewer, version_id=version.pk)
    if state == S.CHANGES_REQUESTED:
        services.request_changes(by=reviewer, version_id=version.pk, comment="Add SSO.")
    elif state == S.REJECTED:
        services.reject_version(by=reviewer, version_id=version.pk, comment="Not for us.")
    elif state == S.APPROVED:
        settings.APPSTORE_PUBLISH_ON_APPROVAL = False
        pass_checklist(reviewer=reviewer, version=version)
        services.approve_version(by=reviewer, version_id=version.pk)
    version.refresh_from_db()
    assert version.state == state
    return version


@pytest.mark.parametrize("state", [S.SUBMITTED, S.IN_REVIEW, S.APPROVED])
def test_listing_edits_while_the_first_version_is_with_it_wait_for_review(
    appowner, reviewer, settings, state
):
    app = make_app(owner=appowner, name="Hydrant check")
    _version_in(state, appowner, reviewer, app, settings)

    result = services.update_listing(by=appowner, app_id=app.pk, name="Hydrant inspection")

    assert isinstance(result, ListingChange) and result.proposed["name"] == "Hydrant inspection"
    assert App.objects.get(pk=app.pk).name == "Hydrant check"
    assert Notification.objects.filter(
        recipient=reviewer, key=f"listingchange:{result.pk}:submitted"
    ).exists()


@pytest.mark.parametrize("state", [S.DRAFT, S.CHANGES_REQUESTED, S.REJECTED])
def test_listing_edits_apply_at_once_while_no_version_is_with_it(
    appowner, reviewer, settings, state
):
    app = make_app(owner=appowner, name="Hydrant check")
    _version_in(state, appowner, reviewer, app, settings)

    result = services.update_listing(by=appowner, app_id=app.pk, name="Hydrant inspection")

    assert isinstance(result, App)
    assert App.objects.get(pk=app.pk).name == "Hydrant inspection"
    assert not ListingChange.objects.exists()


def test_edits_join_the_waiting_change_after_the_version_came_back(appowner, reviewer, settings):
    app = make_app(owner=appowner, name="Hydrant check")
    version = _version_in(S.IN_REVIEW, appowner, reviewer, app, settings)
    change = services.update_listing(by=appowner, app_id=app.pk, name="Hydrant inspection")
    services.request_changes(by=reviewer, version_id=version.pk, comment="Add SSO.")

    again = services.update_listing(by=appowner, app_id=app.pk, summary="Yearly checks")

    assert (again.pk, again.revision) == (change.pk, 2)
    assert again.proposed == {**change.proposed, "summary": "Yearly checks"}
    assert App.objects.get(pk=app.pk).name == "Hydrant check"


def test_a_reviewer_approves_a_listing_change_of_an_app_not_yet_published(
    appowner, reviewer, settings
):
    app = make_app(owner=appowner, name="Hydrant check")
    _version_in(S.SUBMITTED, appowner, reviewer, app, settings)
    change = services.update_listing(by=appowner, app_id=app.pk, name="Hydrant inspection")

    services.approve_listing_change(by=reviewer, change_id=change.pk, revision=change.revision)

    assert App.objects.get(pk=app.pk).name == "Hydrant inspection"


def test_the_owners_edit_page_sends_an_edit_during_review_for_review(
    client_for, appowner, reviewer, settings
):
    app = make_app(owner=appowner, name="Hydrant check")
    _version_in(S.IN_REVIEW, appowner, reviewer, app, settings)
    client = client_for(appowner)
    form = {
        "name": "Hydrant inspection",
        "summary": app.summary,
        "category": app.category,
        "support_contact": app.support_contact,
        "audience_everyone": "on",
    }

    response = client.post(f"/apps/manage/{app.slug}/edit/", form, follow=True)

    assert "Your changes are sent for review" in response.content.decode()
    assert App.objects.get(pk=app.pk).name == "Hydrant check"
    assert ListingChange.objects.get(app=app).proposed["name"] == "Hydrant inspection"
