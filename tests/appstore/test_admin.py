"""The IT reviewers' screens in the admin: the queue, claiming, the checklist, decisions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from appstore import selectors, services
from appstore.choices import CheckResult, ListingChangeState, Platform
from appstore.choices import VersionState as S
from appstore.models import App, AppVersion, ChecklistAnswer, ListingChange
from portal.choices import Role
from portal.errors import NotPermitted
from tests.appstore.factories import (
    ensure_checklist,
    image_upload,
    make_app,
    make_version,
    package_upload,
    pass_checklist,
    publish,
)
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUE = "/admin/appstore/appversion/"
CHANGES = "/admin/appstore/listingchange/"
APPS = "/admin/appstore/app/"
ADMIN_PAGES = [QUEUE, APPS, "/admin/appstore/checklistitem/", CHANGES]


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    """MFA has its own tests (tests/portal/test_mfa.py); here the review screens are."""
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = False


def _submitted(owner, app, version="1.0.0", *, days_ago=None):
    draft = make_version(owner=owner, app=app, version=version)
    services.submit_version(by=owner, version_id=draft.pk)
    if days_ago is not None:
        AppVersion.objects.filter(pk=draft.pk).update(
            submitted_at=timezone.now() - timedelta(days=days_ago, hours=1)
        )
    draft.refresh_from_db()
    return draft


def _change_page(version) -> str:
    return f"{QUEUE}{version.pk}/change/"


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _listed(response) -> list[AppVersion]:
    return list(response.context["cl"].result_list)


def _checklist_post(answers) -> dict:
    data = {"_checklist": "1"}
    for item, (result, note) in answers.items():
        data[f"checklist-result_{item.pk}"] = result
        data[f"checklist-note_{item.pk}"] = note
    return data


def test_queue_shows_submitted_and_in_review_oldest_first_and_not_drafts(
    client_for, appowner, reviewer
):
    app = make_app(owner=appowner, name="Water meter reading")
    make_version(owner=appowner, app=make_app(owner=appowner), version="0.1.0")  # a draft
    recent = _submitted(appowner, app, "1.0.0", days_ago=1)
    oldest = _submitted(appowner, make_app(owner=appowner), "2.0.0", days_ago=3)
    claimed = _submitted(appowner, make_app(owner=appowner), "3.0.0", days_ago=2)
    services.claim_version(by=reviewer, version_id=claimed.pk)

    response = client_for(reviewer).get(QUEUE)

    assert response.status_code == 200
    assert _listed(response) == [oldest, claimed, recent]
    text = response.content.decode()
    assert "3 days ago" in text and appowner.department.name in text


def test_queue_filter_shows_other_states_and_search_finds_by_app_name(
    client_for, appowner, reviewer
):
    draft = make_version(owner=appowner, app=make_app(owner=appowner, name="Snow clearing"))
    submitted = _submitted(appowner, make_app(owner=appowner, name="Meal orders"))
    client = client_for(reviewer)

    assert _listed(client.get(QUEUE, {"state": S.DRAFT})) == [draft]
    assert set(_listed(client.get(QUEUE, {"state": "all"}))) == {draft, submitted}
    assert _listed(client.get(QUEUE, {"state": "all", "q": "snow"})) == [draft]


def test_reviewer_claims_fills_checklist_and_requests_changes_in_the_admin(
    client_for, appowner, reviewer
):
    version = _submitted(appowner, make_app(owner=appowner))
    items = ensure_checklist()
    client = client_for(reviewer)

    response = client.post(QUEUE, {"action": "claim", "_selected_action": [version.pk]})
    assert response.status_code == 302
    version.refresh_from_db()
    assert (version.state, version.reviewer) == (S.IN_REVIEW, reviewer)

    answers = dict.fromkeys(items, (CheckResult.PASS, ""))
    answers[items[0]] = (CheckResult.FAIL, "Signs in with its own passwords.")
    response = client.post(_change_page(version), _checklist_post(answers))
    assert response.status_code == 302
    failed = ChecklistAnswer.objects.get(version=version, item=items[0])
    assert (failed.result, failed.answered_by) == (CheckResult.FAIL, reviewer)
    assert version.checklist.count() == len(items)

    response = client.post(
        _change_page(version),
        {"_decision": "request_changes", "decision-comment": "Use the single sign-on."},
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.state == S.CHANGES_REQUESTED
    event = version.events.get(to_state=S.CHANGES_REQUESTED)
    assert (event.from_state, event.actor, event.comment) == (
        S.IN_REVIEW,
        reviewer,
        "Use the single sign-on.",
    )
    page = client.get(_change_page(version)).content.decode()
    assert "Use the single sign-on." in page and "Signs in with its own passwords." in page


def test_approving_with_a_required_check_not_passed_is_refused_and_changes_nothing(
    client_for, appowner, reviewer
):
    version = _submitted(appowner, make_app(owner=appowner))
    services.claim_version(by=reviewer, version_id=version.pk)
    required = next(item for item in ensure_checklist() if item.is_required)
    pass_checklist(reviewer=reviewer, version=version)
    services.record_checklist(
        by=reviewer,
        version_id=version.pk,
        answers={required.pk: (CheckResult.FAIL, "No accessibility statement.")},
    )
    events_before = version.events.count()

    response = client_for(reviewer).post(
        _change_page(version), {"_decision": "approve", "decision-comment": "Fine."}
    )

    assert response.status_code == 200
    assert any(required.text in message for message in _messages(response))
    version.refresh_from_db()
    assert version.state == S.IN_REVIEW and version.events.count() == events_before


def test_a_failed_check_without_a_note_is_refused_and_the_entries_are_shown_again(
    client_for, appowner, reviewer
):
    version = _submitted(appowner, make_app(owner=appowner))
    services.claim_version(by=reviewer, version_id=version.pk)
    item = ensure_checklist()[0]

    response = client_for(reviewer).post(
        _change_page(version), _checklist_post({item: (CheckResult.FAIL, "")})
    )

    assert response.status_code == 200
    assert any(item.text in message for message in _messages(response))
    assert response.context["checklist_form"][f"result_{item.pk}"].value() == CheckResult.FAIL
    assert not version.checklist.exists()


def test_requesting_changes_needs_a_comment(client_for, appowner, reviewer):
    version = _submitted(appowner, make_app(owner=appowner))
    services.claim_version(by=reviewer, version_id=version.pk)

    response = client_for(reviewer).post(_change_page(version), {"_decision": "request_changes"})

    assert response.status_code == 200
    version.refresh_from_db()
    assert version.state == S.IN_REVIEW


def test_reviewer_of_the_apps_own_department_cannot_claim(client_for, appowner):
    colleague = UserFactory(
        department=appowner.department, roles=[Role.APP_OWNER, Role.IT_REVIEWER]
    )
    version = _submitted(appowner, make_app(owner=appowner))
    client = client_for(colleague)

    response = client.post(
        QUEUE, {"action": "claim", "_selected_action": [version.pk]}, follow=True
    )
    assert response.status_code == 200
    assert any(str(version) in message for message in _messages(response))
    response = client.post(_change_page(version), {"_decision": "claim"})
    assert response.status_code == 200

    version.refresh_from_db()
    assert (version.state, version.reviewer) == (S.SUBMITTED, None)
    assert not version.events.filter(to_state=S.IN_REVIEW).exists()


def test_decision_buttons_are_what_the_workflow_allows(client_for, appowner, reviewer, admin_user):
    version = _submitted(appowner, make_app(owner=appowner))
    page = client_for(reviewer).get(_change_page(version)).content.decode()
    assert 'value="claim"' in page and 'value="approve"' not in page

    services.claim_version(by=reviewer, version_id=version.pk)
    page = client_for(reviewer).get(_change_page(version)).content.decode()
    assert 'value="claim"' not in page
    assert all(f'value="{a}"' in page for a in ["approve", "request_changes", "reject"])
    assert 'name="_checklist"' in page

    other_reviewer = UserFactory(roles=[Role.IT_REVIEWER])
    page = client_for(other_reviewer).get(_change_page(version)).content.decode()
    assert 'name="_decision"' not in page and 'name="_checklist"' not in page

    # A superuser without the IT reviewer role looks, but does not review.
    page = client_for(admin_user).get(_change_page(version)).content.decode()
    assert 'name="_decision"' not in page


def test_timeline_shows_who_moved_the_version_from_where_to_where(client_for, appowner, reviewer):
    version = _submitted(appowner, make_app(owner=appowner))
    services.claim_version(by=reviewer, version_id=version.pk)

    page = client_for(reviewer).get(_change_page(version)).content.decode()

    assert "Draft → Submitted" in page and "Submitted → In review" in page
    assert str(reviewer) in page and str(appowner) in page


@pytest.mark.parametrize("persona", ["employee", "appowner", "manager", "trainer", "logistics"])
def test_only_reviewers_and_administrators_reach_the_review_screens(
    client_for, personas, persona, appowner
):
    version = _submitted(appowner, make_app(owner=appowner))
    person = personas[persona]
    client = client_for(person)
    change = _listing_change(appowner, personas["reviewer"])
    for page in [*ADMIN_PAGES, _change_page(version), f"{CHANGES}{change.pk}/change/"]:
        response = client.get(page)
        if person.is_staff:
            assert response.status_code == 403, page
        else:
            assert response.status_code == 302, page
            assert response["Location"].startswith("/admin/login/")
    response = client.post(_change_page(version), {"_decision": "claim"})
    assert response.status_code in {302, 403}
    response = client.post(f"{CHANGES}{change.pk}/change/", {"_decision": "approve"})
    assert response.status_code in {302, 403}
    version.refresh_from_db()
    change.refresh_from_db()
    assert version.state == S.SUBMITTED and change.state == ListingChangeState.SUBMITTED


@pytest.mark.parametrize("persona", ["reviewer", "admin"])
def test_reviewers_and_administrators_see_the_review_screens(client_for, personas, persona):
    client = client_for(personas[persona])
    for page in ADMIN_PAGES:
        assert client.get(page).status_code == 200, page


def test_nobody_adds_or_edits_versions_in_the_admin(client_for, appowner, reviewer, admin_user):
    version = _submitted(appowner, make_app(owner=appowner))
    for person in [reviewer, admin_user]:
        client = client_for(person)
        assert client.get(f"{QUEUE}add/").status_code == 403
        response = client.post(_change_page(version), {"release_notes": "Changed."})
        assert response.status_code == 302
    version.refresh_from_db()
    assert version.release_notes == "First release."


def test_administrators_maintain_the_checklist_in_the_list(client_for):
    administrator = UserFactory(roles=[Role.ADMINISTRATOR])
    items = ensure_checklist()
    item = items[0]
    data = {
        "form-TOTAL_FORMS": str(len(items)),
        "form-INITIAL_FORMS": str(len(items)),
        "_save": "Save",
    }
    for index, each in enumerate(items):
        data[f"form-{index}-id"] = str(each.pk)
        data[f"form-{index}-position"] = str(each.position)
        if each.is_required:
            data[f"form-{index}-is_required"] = "on"
        if each.is_active and each != item:
            data[f"form-{index}-is_active"] = "on"

    response = client_for(administrator).post("/admin/appstore/checklistitem/", data)

    assert response.status_code == 302
    item.refresh_from_db()
    assert not item.is_active


def test_reviewers_read_the_checklist_but_do_not_edit_it(client_for, reviewer):
    ensure_checklist()
    page = client_for(reviewer).get("/admin/appstore/checklistitem/").content.decode()
    assert "form-0-position" not in page


# --- what the reviewer sees of a version ------------------------------------------------


def test_reviewer_sees_every_artefact_with_its_package_and_sha256(client_for, appowner, reviewer):
    app = make_app(owner=appowner, name="Hydrant check")
    draft = make_version(
        owner=appowner,
        app=app,
        platforms=(Platform.IOS, Platform.WEB),
        processes_personal_data=True,
        personal_data_description="Inspector's name.",
        dpia_done=True,
    )
    package = services.add_artifact(
        by=appowner, version_id=draft.pk, platform=Platform.ANDROID, package=package_upload()
    )
    services.add_screenshot(
        by=appowner, version_id=draft.pk, image=image_upload(), alt_text="The hydrant map"
    )
    services.submit_version(by=appowner, version_id=draft.pk)
    client = client_for(reviewer)

    queue = client.get(QUEUE).content.decode()
    page = client.get(_change_page(draft)).content.decode()

    assert "Android, iOS, Web" in page  # on the change page: the queue stays narrow
    assert app.name in queue
    assert len(package.package_sha256) == 64 and package.package_sha256 in page
    assert "app.apk" in page and f"https://apps.example.org/{app.slug}/" in page
    assert f"org.example.{app.slug.replace('-', '')}" in page
    assert 'alt="The hydrant map"' in page
    assert "Inspector&#x27;s name." in page and "First release." in page
    download = reverse("appstore:package_download", kwargs={"artifact_id": package.pk})
    assert f'href="{download}"' in page


def test_reviewer_downloads_the_package_to_inspect_it(client_for, appowner, reviewer):
    draft = make_version(owner=appowner, app=make_app(owner=appowner), platforms=())
    package = services.add_artifact(
        by=appowner, version_id=draft.pk, platform=Platform.ANDROID, package=package_upload()
    )
    services.submit_version(by=appowner, version_id=draft.pk)

    response = client_for(reviewer).get(
        reverse("appstore:package_download", kwargs={"artifact_id": package.pk})
    )

    assert response.status_code == 200
    assert b"AndroidManifest.xml" in b"".join(response.streaming_content)


# --- listing changes ------------------------------------------------------------------


def _listing_change(owner, reviewer, **fields) -> ListingChange:
    app = make_app(owner=owner, name="Water meter reading", audience_everyone=True)
    publish(owner=owner, reviewer=reviewer, app=app)
    proposed = {"name": "Meter reading with flowmeters", "summary": "Meters and flowmeters"}
    return services.update_listing(by=owner, app_id=app.pk, **{**proposed, **fields})


def _change_url(change) -> str:
    return f"{CHANGES}{change.pk}/change/"


def test_listing_changes_wait_oldest_first_with_current_and_proposed_values(
    client_for, appowner, reviewer
):
    change = _listing_change(appowner, reviewer, audience_work_patterns=["frontline"])
    client = client_for(reviewer)

    listed = client.get(CHANGES)
    page = client.get(_change_url(change)).content.decode()

    assert list(listed.context["cl"].result_list) == [change]
    assert appowner.department.name in listed.content.decode()
    assert "Water meter reading" in page and "Meter reading with flowmeters" in page
    assert "Frontline" in page
    assert all(f'value="{action}"' in page for action in ["approve", "reject"])


def test_reviewer_sees_the_proposed_icon_and_audience_in_words(client_for, appowner, reviewer):
    schools = DepartmentFactory(name="Schools")
    change = _listing_change(
        appowner,
        reviewer,
        icon=image_upload(),
        audience_everyone=False,
        audience_departments=[schools.pk],
        audience_roles=[Role.LINE_MANAGER],
    )

    page = client_for(reviewer).get(_change_url(change)).content.decode()

    assert change.icon and f'src="{change.icon.url}"' in page
    assert 'alt="Proposed icon"' in page
    assert "Schools" in page and "Line manager" in page


def test_approving_a_listing_change_applies_it_and_search_finds_the_new_name(
    client_for, appowner, reviewer
):
    change = _listing_change(appowner, reviewer)

    response = client_for(reviewer).post(
        _change_url(change),
        {"_decision": "approve", "decision-comment": "Fine.", "decision-revision": "1"},
    )

    assert response.status_code == 302
    change.refresh_from_db()
    assert (change.state, change.reviewer) == (ListingChangeState.APPROVED, reviewer)
    app = App.objects.get(pk=change.app_id)
    assert app.name == "Meter reading with flowmeters"
    assert list(selectors.search(App.objects.all(), "flowmeters")) == [app]
    assert change.events.get().comment == "Fine."
    assert (
        "Waiting for review → Approved"
        in client_for(reviewer).get(_change_url(change)).content.decode()
    )


def test_rejecting_a_listing_change_needs_a_comment_and_leaves_the_app_unchanged(
    client_for, appowner, reviewer
):
    change = _listing_change(appowner, reviewer)
    client = client_for(reviewer)

    response = client.post(_change_url(change), {"_decision": "reject", "decision-revision": "1"})
    assert response.status_code == 200
    assert _messages(response) == ["Say why: a comment is required."]
    change.refresh_from_db()
    assert change.state == ListingChangeState.SUBMITTED and not change.events.exists()

    response = client.post(
        _change_url(change),
        {"_decision": "reject", "decision-comment": "Keep the name.", "decision-revision": "1"},
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.state == ListingChangeState.REJECTED
    assert App.objects.get(pk=change.app_id).name == "Water meter reading"


def test_reviewer_of_the_apps_own_department_cannot_decide_a_listing_change(
    client_for, appowner, reviewer
):
    colleague = UserFactory(
        department=appowner.department, roles=[Role.APP_OWNER, Role.IT_REVIEWER]
    )
    change = _listing_change(appowner, reviewer)
    client = client_for(colleague)

    page = client.get(_change_url(change)).content.decode()
    assert 'name="_decision"' not in page
    response = client.post(
        _change_url(change), {"_decision": "approve", "decision-comment": "Mine."}
    )

    assert response.status_code == 200 and _messages(response)
    change.refresh_from_db()
    assert change.state == ListingChangeState.SUBMITTED
    assert App.objects.get(pk=change.app_id).name == "Water meter reading"


def test_nobody_adds_edits_or_deletes_listing_changes_in_the_admin(
    client_for, appowner, reviewer, admin_user
):
    change = _listing_change(appowner, reviewer)
    for person in [reviewer, admin_user]:
        client = client_for(person)
        assert client.get(f"{CHANGES}add/").status_code == 403
        assert client.get(f"{CHANGES}{change.pk}/delete/").status_code == 403
        client.post(_change_url(change), {"state": ListingChangeState.APPROVED})
    change.refresh_from_db()
    assert change.state == ListingChangeState.SUBMITTED


# --- featured apps ----------------------------------------------------------------------


@pytest.mark.parametrize("superuser", [True, False])
def test_administrators_feature_apps_with_the_admin_actions(client_for, appowner, superuser):
    apps = [make_app(owner=appowner), make_app(owner=appowner)]
    client = client_for(UserFactory(roles=[Role.ADMINISTRATOR], is_superuser=superuser))

    response = client.post(APPS, {"action": "feature", "_selected_action": [a.pk for a in apps]})
    assert response.status_code == 302
    assert App.objects.filter(is_featured=True).count() == 2

    client.post(APPS, {"action": "stop_featuring", "_selected_action": [apps[0].pk]})
    assert list(App.objects.filter(is_featured=True)) == [apps[1]]


def test_set_featured_is_refused_for_a_reviewer(client_for, appowner, reviewer):
    app = make_app(owner=appowner)

    with pytest.raises(NotPermitted):
        services.set_featured(by=reviewer, app_id=app.pk, featured=True)
    page = client_for(reviewer).get(APPS).content.decode()
    client_for(reviewer).post(APPS, {"action": "feature", "_selected_action": [app.pk]})

    assert 'value="feature"' not in page
    assert not App.objects.get(pk=app.pk).is_featured


def test_a_reviewer_withdraws_a_published_version_with_a_reason(
    client_for, appowner, reviewer, settings
):
    from tests.appstore.factories import make_app, publish

    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = False
    app = make_app(owner=appowner)
    version = publish(owner=appowner, reviewer=reviewer, app=app)
    url = f"/admin/appstore/appversion/{version.pk}/change/"
    client = client_for(reviewer)
    refused = client.post(url, {"_decision": "withdraw", "decision-comment": ""}, follow=True)
    assert "comment is required" in refused.content.decode()
    version.refresh_from_db()
    assert version.state == "published"
    client.post(url, {"_decision": "withdraw", "decision-comment": "Leaks tokens."})
    version.refresh_from_db()
    assert version.state == "withdrawn"
    assert version.events.order_by("-pk").first().comment == "Leaks tokens."
