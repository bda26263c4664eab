"""The app version workflow through its services: journey 1 without a browser."""

from __future__ import annotations

import pytest

from appstore import selectors, services
from appstore.choices import CheckResult
from appstore.choices import VersionState as S
from appstore.models import AppVersion
from portal.choices import Role, WorkPattern
from portal.errors import IllegalTransition, NotFound, NotPermitted, RuleViolation
from portal.models import Notification
from tests.appstore.factories import (
    ensure_checklist,
    make_app,
    make_version,
    pass_checklist,
    publish,
)
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _states(version):
    return list(version.events.values_list("from_state", "to_state"))


def test_submit_review_request_changes_resubmit_approve_publishes(appowner, reviewer):
    app = make_app(owner=appowner)
    version = make_version(owner=appowner, app=app)
    services.submit_version(by=appowner, version_id=version.pk)
    services.claim_version(by=reviewer, version_id=version.pk)
    services.request_changes(by=reviewer, version_id=version.pk, comment="Use the SSO login.")
    services.submit_version(by=appowner, version_id=version.pk, comment="Now with SSO.")
    pass_checklist(reviewer=reviewer, version=version)
    services.approve_version(by=reviewer, version_id=version.pk)
    version.refresh_from_db()
    assert version.state == S.PUBLISHED and version.published_at is not None
    assert _states(version) == [
        (S.DRAFT, S.SUBMITTED),
        (S.SUBMITTED, S.IN_REVIEW),
        (S.IN_REVIEW, S.CHANGES_REQUESTED),
        (S.CHANGES_REQUESTED, S.SUBMITTED),
        (S.SUBMITTED, S.IN_REVIEW),
        (S.IN_REVIEW, S.APPROVED),
        (S.APPROVED, S.PUBLISHED),
    ]
    event = version.events.get(to_state=S.CHANGES_REQUESTED)
    assert (event.actor, event.comment) == (reviewer, "Use the SSO login.")


def test_publishing_supersedes_the_earlier_version(appowner, reviewer):
    app = make_app(owner=appowner)
    first = publish(owner=appowner, reviewer=reviewer, app=app, version="1.0.0")
    second = publish(owner=appowner, reviewer=reviewer, app=app, version="1.1.0")
    first.refresh_from_db()
    assert (first.state, second.state) == (S.SUPERSEDED, S.PUBLISHED)


@pytest.mark.parametrize(
    ("service", "kwargs"),
    [
        (services.claim_version, {}),
        (services.approve_version, {}),
        (services.publish_version, {}),
        (services.withdraw_version, {"comment": "x"}),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(appowner, reviewer, service, kwargs):
    version = make_version(owner=appowner, app=make_app(owner=appowner))
    actor = appowner if service is services.withdraw_version else reviewer
    with pytest.raises(IllegalTransition):
        service(by=actor, version_id=version.pk, **kwargs)
    version.refresh_from_db()
    assert version.state == S.DRAFT and not version.events.exists()


def test_request_changes_and_reject_need_a_comment(appowner, reviewer):
    version = make_version(owner=appowner, app=make_app(owner=appowner))
    services.submit_version(by=appowner, version_id=version.pk)
    services.claim_version(by=reviewer, version_id=version.pk)
    for service in (services.request_changes, services.reject_version):
        with pytest.raises(RuleViolation):
            service(by=reviewer, version_id=version.pk, comment="  ")
    version.refresh_from_db()
    assert version.state == S.IN_REVIEW


def test_only_the_reviewer_who_claimed_decides(appowner, reviewer):
    other_reviewer = UserFactory(roles=[Role.IT_REVIEWER])
    version = make_version(owner=appowner, app=make_app(owner=appowner))
    services.submit_version(by=appowner, version_id=version.pk)
    services.claim_version(by=reviewer, version_id=version.pk)
    with pytest.raises(NotPermitted):
        services.approve_version(by=other_reviewer, version_id=version.pk)


def test_a_reviewer_never_reviews_their_own_departments_app(appowner):
    owner_and_reviewer = UserFactory(
        department=appowner.department, roles=[Role.APP_OWNER, Role.IT_REVIEWER]
    )
    version = make_version(owner=appowner, app=make_app(owner=appowner))
    services.submit_version(by=appowner, version_id=version.pk)
    with pytest.raises(NotPermitted):
        services.claim_version(by=owner_and_reviewer, version_id=version.pk)
    assert owner_and_reviewer not in selectors.reviewers_for(version.app)


@pytest.mark.parametrize("persona", ["employee", "manager", "logistics", "trainer"])
def test_other_roles_cannot_review(request, appowner, persona):
    version = make_version(owner=appowner, app=make_app(owner=appowner))
    services.submit_version(by=appowner, version_id=version.pk)
    with pytest.raises(NotFound):
        services.claim_version(by=request.getfixturevalue(persona), version_id=version.pk)


def test_owner_of_another_department_cannot_touch_the_app(appowner):
    stranger = UserFactory(department=DepartmentFactory(), roles=[Role.APP_OWNER])
    app = make_app(owner=appowner)
    with pytest.raises(NotFound):
        make_version(owner=stranger, app=app)
    version = make_version(owner=appowner, app=app)
    with pytest.raises(NotFound):
        services.submit_version(by=stranger, version_id=version.pk)


def test_an_employee_cannot_create_apps(employee):
    with pytest.raises(NotPermitted):
        make_app(owner=employee)


@pytest.mark.parametrize("number", ["1.0.0", "0.9.9", "1.0", "v2.0.0", "01.2.3"])
def test_version_numbers_must_be_semantic_and_higher(appowner, number):
    app = make_app(owner=appowner)
    make_version(owner=appowner, app=app, version="1.0.0")
    with pytest.raises(RuleViolation) as refused:
        make_version(owner=appowner, app=app, version=number)
    assert refused.value.field == "version"
    assert app.versions.count() == 1


def test_submission_needs_release_notes_and_personal_data_answers(appowner):
    app = make_app(owner=appowner)
    version = make_version(owner=appowner, app=app, release_notes="", processes_personal_data=True)
    with pytest.raises(RuleViolation) as refused:
        services.submit_version(by=appowner, version_id=version.pk)
    assert refused.value.field == "release_notes"
    AppVersion.objects.filter(pk=version.pk).update(release_notes="Notes")
    with pytest.raises(RuleViolation) as refused:
        services.submit_version(by=appowner, version_id=version.pk)
    assert refused.value.field == "personal_data_description"
    version.refresh_from_db()
    assert version.state == S.DRAFT


def test_reviewers_are_told_of_a_submission_and_owners_of_decisions(
    appowner, reviewer, django_capture_on_commit_callbacks
):
    version = make_version(owner=appowner, app=make_app(owner=appowner))
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_version(by=appowner, version_id=version.pk)
        services.claim_version(by=reviewer, version_id=version.pk)
        services.request_changes(by=reviewer, version_id=version.pk, comment="Fix it")
    assert Notification.objects.filter(recipient=reviewer).count() == 1
    assert Notification.objects.filter(recipient=appowner).count() == 2
    assert "Fix it" in Notification.objects.filter(recipient=appowner).first().body


def test_audience_decides_who_sees_a_published_app(appowner, reviewer):
    health = DepartmentFactory(code="health")
    nursing = DepartmentFactory(code="nursing", parent=health)
    nurse = UserFactory(department=nursing, work_pattern=WorkPattern.FRONTLINE)
    clerk = UserFactory(
        department=DepartmentFactory(code="finance"), work_pattern=WorkPattern.OFFICE
    )
    for_health = make_app(owner=appowner, audience_everyone=False, audience_departments=[health])
    for_frontline = make_app(
        owner=appowner, audience_everyone=False, audience_work_patterns=[WorkPattern.FRONTLINE]
    )
    for_everyone = make_app(owner=appowner)
    unpublished = make_app(owner=appowner)
    make_version(owner=appowner, app=unpublished)
    for app in (for_health, for_frontline, for_everyone):
        publish(owner=appowner, reviewer=reviewer, app=app)
    assert set(selectors.apps_visible_to(nurse)) == {for_health, for_frontline, for_everyone}
    assert set(selectors.apps_visible_to(clerk)) == {for_everyone}


def _required_items():
    items = {item.text: item for item in ensure_checklist()}
    return items["Uses the organisation's single sign-on"], items["Support contact set"]


def _in_review(appowner, reviewer):
    version = make_version(owner=appowner, app=make_app(owner=appowner))
    services.submit_version(by=appowner, version_id=version.pk)
    services.claim_version(by=reviewer, version_id=version.pk)
    return version


def test_approval_needs_every_required_check_passed(appowner, reviewer):
    sso, support = _required_items()
    version = _in_review(appowner, reviewer)
    services.record_checklist(
        by=reviewer,
        version_id=version.pk,
        answers={sso.pk: (CheckResult.PASS, ""), support.pk: (CheckResult.FAIL, "No contact")},
    )
    with pytest.raises(RuleViolation, match="Support contact set"):
        services.approve_version(by=reviewer, version_id=version.pk)
    services.record_checklist(
        by=reviewer, version_id=version.pk, answers={support.pk: (CheckResult.PASS, "")}
    )
    services.approve_version(by=reviewer, version_id=version.pk)
    version.refresh_from_db()
    assert version.state == S.PUBLISHED
    assert version.checklist.count() == 2


def test_a_failed_check_needs_a_note_and_saves_nothing_without_one(appowner, reviewer):
    sso, support = _required_items()
    version = _in_review(appowner, reviewer)
    with pytest.raises(RuleViolation):
        services.record_checklist(
            by=reviewer,
            version_id=version.pk,
            answers={sso.pk: (CheckResult.PASS, ""), support.pk: (CheckResult.FAIL, " ")},
        )
    assert not version.checklist.exists()


def test_only_the_claiming_reviewer_fills_the_checklist(appowner, reviewer):
    sso, _ = _required_items()
    version = make_version(owner=appowner, app=make_app(owner=appowner))
    services.submit_version(by=appowner, version_id=version.pk)
    with pytest.raises(NotPermitted):
        services.record_checklist(
            by=reviewer, version_id=version.pk, answers={sso.pk: (CheckResult.PASS, "")}
        )


def _decide(step, *, appowner, reviewer, version, settings):
    """Take a version in review past its review: the step and the state it ends in."""
    if step in ("request_changes", "resubmit"):
        services.request_changes(by=reviewer, version_id=version.pk, comment="Add SSO.")
        if step == "resubmit":
            services.submit_version(by=appowner, version_id=version.pk)
    elif step == "reject":
        services.reject_version(by=reviewer, version_id=version.pk, comment="Not for us.")
    else:
        settings.APPSTORE_PUBLISH_ON_APPROVAL = step == "publish"
        services.approve_version(by=reviewer, version_id=version.pk)


@pytest.mark.parametrize(
    ("step", "state"),
    [
        ("request_changes", S.CHANGES_REQUESTED),
        ("reject", S.REJECTED),
        ("approve", S.APPROVED),
        ("publish", S.PUBLISHED),
    ],
)
def test_the_checklist_is_closed_once_the_review_is_decided(
    appowner, reviewer, settings, step, state
):
    sso, support = _required_items()
    version = _in_review(appowner, reviewer)
    pass_checklist(reviewer=reviewer, version=version)
    _decide(step, appowner=appowner, reviewer=reviewer, version=version, settings=settings)
    version.refresh_from_db()
    # Still the reviewer who claimed it: only the state closes the checklist.
    assert (version.state, version.reviewer) == (state, reviewer)

    with pytest.raises(NotPermitted):
        services.record_checklist(
            by=reviewer,
            version_id=version.pk,
            answers={support.pk: (CheckResult.FAIL, "Changed my mind.")},
        )

    assert set(version.checklist.values_list("result", flat=True)) == {CheckResult.PASS}


def test_a_resubmitted_version_goes_back_to_the_reviewer_who_requested_the_changes(
    appowner, reviewer
):
    other_reviewer = UserFactory(roles=[Role.IT_REVIEWER])
    version = _in_review(appowner, reviewer)
    services.request_changes(by=reviewer, version_id=version.pk, comment="Add SSO.")

    services.submit_version(by=appowner, version_id=version.pk, comment="SSO added.")

    version.refresh_from_db()
    assert (version.state, version.reviewer) == (S.IN_REVIEW, reviewer)
    assert _states(version)[-2:] == [(S.CHANGES_REQUESTED, S.SUBMITTED), (S.SUBMITTED, S.IN_REVIEW)]
    back = version.events.last()
    assert back.actor == reviewer and back.comment
    told = Notification.objects.filter(key__startswith=f"appversion:{version.pk}:event:")
    assert told.filter(recipient=reviewer, read_at__isnull=True).count() == 1
    assert not told.filter(recipient=other_reviewer, read_at__isnull=True).exists()
    sso, _support = _required_items()
    services.record_checklist(  # theirs again, without claiming it
        by=reviewer, version_id=version.pk, answers={sso.pk: (CheckResult.PASS, "")}
    )


def test_a_resubmitted_version_joins_the_queue_when_its_reviewer_no_longer_reviews(
    appowner, reviewer
):
    other_reviewer = UserFactory(roles=[Role.IT_REVIEWER])
    version = _in_review(appowner, reviewer)
    services.request_changes(by=reviewer, version_id=version.pk, comment="Add SSO.")
    reviewer.is_active = False
    reviewer.save(update_fields=["is_active"])

    event = services.submit_version(by=appowner, version_id=version.pk)

    version.refresh_from_db()
    assert version.state == S.SUBMITTED
    key = f"appversion:{version.pk}:event:{event.pk}"
    assert Notification.objects.filter(key=key, recipient=other_reviewer).exists()
