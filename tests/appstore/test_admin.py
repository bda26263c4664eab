"""The IT reviewers' screens in the admin: the queue, claiming, the checklist, decisions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from appstore import services
from appstore.choices import CheckResult
from appstore.choices import VersionState as S
from appstore.models import AppVersion, ChecklistAnswer
from portal.choices import Role
from tests.appstore.factories import ensure_checklist, make_app, make_version, pass_checklist
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

QUEUE = "/admin/appstore/appversion/"
ADMIN_PAGES = [QUEUE, "/admin/appstore/app/", "/admin/appstore/checklistitem/"]


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
    assert "3\xa0days" in text and appowner.department.name in text


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
    for page in [*ADMIN_PAGES, _change_page(version)]:
        response = client.get(page)
        if person.is_staff:
            assert response.status_code == 403, page
        else:
            assert response.status_code == 302, page
            assert response["Location"].startswith("/admin/login/")
    response = client.post(_change_page(version), {"_decision": "claim"})
    assert response.status_code in {302, 403}
    version.refresh_from_db()
    assert version.state == S.SUBMITTED


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


@pytest.mark.parametrize("count", [2, 20])
def test_queue_needs_the_same_queries_for_2_and_20_versions(
    client_for, appowner, reviewer, django_assert_max_num_queries, count
):
    for number in range(count):
        version = _submitted(appowner, make_app(owner=appowner))
        if number % 2:
            services.claim_version(by=reviewer, version_id=version.pk)
    client = client_for(reviewer)
    client.get(QUEUE)  # the session and the permission caches

    with django_assert_max_num_queries(7):
        response = client.get(QUEUE)

    assert len(_listed(response)) == count


def test_change_page_queries_do_not_grow_with_the_history(
    client_for, appowner, reviewer, django_assert_max_num_queries
):
    version = _submitted(appowner, make_app(owner=appowner))
    services.claim_version(by=reviewer, version_id=version.pk)
    pass_checklist(reviewer=reviewer, version=version)
    for round_ in range(3):
        services.request_changes(by=reviewer, version_id=version.pk, comment=f"Round {round_}")
        services.submit_version(by=appowner, version_id=version.pk)
        services.claim_version(by=reviewer, version_id=version.pk)
    client = client_for(reviewer)
    client.get(_change_page(version))

    with django_assert_max_num_queries(10):
        response = client.get(_change_page(version))

    assert response.status_code == 200
