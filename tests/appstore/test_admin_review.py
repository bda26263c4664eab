"""The review in the admin: the checklist travels with the decision; the review queue's
title, columns and audience."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appstore import services
from appstore.choices import CheckResult
from appstore.choices import VersionState as S
from appstore.models import ChecklistAnswer
from portal.errors import RuleViolation
from tests.appstore.factories import ensure_checklist, make_app, make_version
from tests.appstore.test_admin import (
    QUEUE,
    _change_page,
    _checklist_post,
    _messages,
    _no_mfa,  # noqa: F401 - the autouse fixture of the admin tests
    _submitted,
)
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def _in_review(appowner, reviewer, **app_fields):
    version = _submitted(appowner, make_app(owner=appowner, **app_fields))
    services.claim_version(by=reviewer, version_id=version.pk)
    return version


def _decision_post(decision: str, comment: str, answers) -> dict:
    """What the browser posts when the reviewer presses a decision button: the whole form,
    the checklist's fields included."""
    data = _checklist_post(answers)
    del data["_checklist"]
    return {**data, "_decision": decision, "decision-comment": comment}


# --- item: the checklist is saved with the decision ------------------------------------


def test_requesting_changes_saves_the_checklist_typed_on_the_same_form(
    client_for, appowner, reviewer
):
    version = _in_review(appowner, reviewer)
    items = ensure_checklist()
    answers = dict.fromkeys(items, (CheckResult.PASS, ""))
    answers[items[0]] = (CheckResult.FAIL, "Own login form.")
    client = client_for(reviewer)

    response = client.post(
        _change_page(version), _decision_post("request_changes", "Use SSO.", answers)
    )

    assert response.status_code == 302
    version.refresh_from_db()
    assert version.state == S.CHANGES_REQUESTED
    failed = ChecklistAnswer.objects.get(version=version, item=items[0])
    assert (failed.result, failed.note, failed.answered_by) == (
        CheckResult.FAIL,
        "Own login form.",
        reviewer,
    )
    assert version.checklist.count() == len(items)
    page = client.get(_change_page(version)).content.decode()
    assert "Own login form." in page
    assert "The checklist has not been filled in." not in page


def test_approving_with_the_checklist_passed_on_the_same_form_approves(
    client_for, appowner, reviewer, settings
):
    settings.APPSTORE_PUBLISH_ON_APPROVAL = False
    version = _in_review(appowner, reviewer)
    answers = dict.fromkeys(ensure_checklist(), (CheckResult.PASS, ""))

    response = client_for(reviewer).post(
        _change_page(version), _decision_post("approve", "", answers)
    )

    assert response.status_code == 302
    version.refresh_from_db()
    assert version.state == S.APPROVED
    assert version.checklist.filter(result=CheckResult.PASS).count() == len(answers)


def test_a_refused_decision_keeps_what_the_reviewer_typed(client_for, appowner, reviewer):
    version = _in_review(appowner, reviewer)
    items = ensure_checklist()
    required = next(item for item in items if item.is_required)
    answers = dict.fromkeys(items, (CheckResult.PASS, ""))
    answers[required] = (CheckResult.FAIL, "No accessibility statement yet.")

    response = client_for(reviewer).post(
        _change_page(version), _decision_post("approve", "Looks good.", answers)
    )

    assert response.status_code == 200
    assert any(required.text in message for message in _messages(response))
    form = response.context["checklist_form"]
    assert form[f"result_{required.pk}"].value() == CheckResult.FAIL
    assert "No accessibility statement yet." in response.content.decode()
    assert "Looks good." in response.content.decode()
    version.refresh_from_db()
    assert version.state == S.IN_REVIEW
    assert not version.checklist.exists()  # all or nothing: the decision was refused


def test_the_decision_and_its_checklist_are_one_transaction_in_the_service(appowner, reviewer):
    version = _in_review(appowner, reviewer)
    items = ensure_checklist()
    failing = {item.pk: (CheckResult.PASS, "") for item in items}
    failing[items[0].pk] = (CheckResult.FAIL, "")  # a failure needs a note

    with pytest.raises(RuleViolation):
        services.request_changes(
            by=reviewer, version_id=version.pk, comment="Use SSO.", checklist=failing
        )

    version.refresh_from_db()
    assert version.state == S.IN_REVIEW and not version.checklist.exists()


# --- item: the review queue -------------------------------------------------------------


def test_the_queue_is_titled_review_queue_and_other_states_app_versions(client_for, reviewer):
    client = client_for(reviewer)
    queue = client.get(QUEUE)
    assert queue.context["title"] == "Review queue"
    assert re.search(r"<title>[^<]*Review queue", queue.content.decode())
    assert "Select app version to change" not in queue.content.decode()
    assert client.get(QUEUE, {"state": "all"}).context["title"] == "App versions"
    assert client.get(QUEUE, {"state": S.PUBLISHED}).context["title"] == "App versions"


def test_the_queue_shows_the_audience_in_few_columns(client_for, appowner, reviewer):
    nursing, care = DepartmentFactory(name="Nursing"), DepartmentFactory(name="Home care")
    everyone = _submitted(appowner, make_app(owner=appowner, name="Rota"))
    two = _submitted(
        appowner,
        make_app(
            owner=appowner,
            name="Wound care",
            audience_everyone=False,
            audience_departments=[nursing, care],
        ),
    )

    response = client_for(reviewer).get(QUEUE)

    changelist = response.context["cl"]
    admin = changelist.model_admin
    assert len(admin.list_display) <= 5  # with the checkbox, fits a 1280 px screen
    assert "reviewed_by" in admin.list_display
    rows = {row.pk: row for row in changelist.result_list}
    assert str(admin.audience(rows[everyone.pk])) == "Everyone"
    assert str(admin.audience(rows[two.pk])) == "Home care and 1 more"
    page = response.content.decode()
    assert "Everyone" in page and "Home care and 1 more" in page


def test_the_queue_needs_as_many_queries_for_20_versions_as_for_2(client_for, appowner, reviewer):
    department = DepartmentFactory()
    client = client_for(reviewer)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(QUEUE).status_code == 200
        return len(queries)

    for _n in range(2):
        _submitted(
            appowner,
            make_app(owner=appowner, audience_everyone=False, audience_departments=[department]),
        )
    with_two = count()
    for _n in range(18):
        _submitted(
            appowner,
            make_app(owner=appowner, audience_everyone=False, audience_departments=[department]),
        )
    assert count() == with_two


def test_the_submitted_column_says_how_long_a_queued_version_waited_else_the_date(
    client_for, appowner, reviewer, settings
):
    settings.APPSTORE_PUBLISH_ON_APPROVAL = False
    waiting = _submitted(appowner, make_app(owner=appowner), days_ago=3)
    decided = _in_review(appowner, reviewer)
    services.reject_version(by=reviewer, version_id=decided.pk, comment="Not for us.")
    decided.refresh_from_db()
    admin = client_for(reviewer).get(QUEUE).context["cl"].model_admin

    assert "3 days ago" in str(admin.review_state(waiting))
    assert f'datetime="{waiting.submitted_at.isoformat()}"' in str(admin.age(waiting))
    assert "ago" not in str(admin.age(decided))
    assert admin.age(make_version(owner=appowner, app=make_app(owner=appowner))) is None
