"""Versions and their review workflow: drafts, submission, review, publication
(superseding per platform) and withdrawal. A version's artefacts and screenshots are
in `appstore.services.media`.

Each service takes keyword-only arguments with the acting user (`by=`), validates,
runs in one transaction, locks the version it changes, and raises a domain error of
`portal.errors` that each surface shows in its own way.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appstore import cache, permissions, selectors, task_names
from appstore.choices import CheckResult, VersionState
from appstore.models import App, AppVersion, ChecklistAnswer, ChecklistItem
from appstore.workflow import VERSION_WORKFLOW
from portal.errors import Conflict, NotFound, NotPermitted, RuleViolation
from portal.notifications import notify, resolve
from portal.queue import enqueue

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
EDITABLE = (VersionState.DRAFT, VersionState.CHANGES_REQUESTED)
VERSION_FIELDS = {
    "release_notes",
    "data_classification",
    "processes_personal_data",
    "personal_data_description",
    "dpia_done",
}


def parse_version(text: str) -> tuple[int, int, int]:
    match = SEMVER.match(text.strip())
    if not match:
        raise RuleViolation(
            _("Write the version as three numbers, e.g. 1.4.0 (semantic versioning)."),
            field="version",
        )
    return tuple(int(part) for part in match.groups())


@transaction.atomic
def add_version(*, by, app_id: int, version: str, **answers) -> AppVersion:
    """A new draft version; its number must be higher than every earlier version's."""
    app = App.objects.select_for_update().filter(pk=app_id).first()
    if app is None or not permissions.owns_app(by, app):
        raise NotFound(_("No such app."))
    number = parse_version(version)
    highest = app.versions.order_by("-major", "-minor", "-patch").first()
    if highest is not None and number <= highest.number:
        raise RuleViolation(
            _("The version must be higher than %(version)s.") % {"version": highest.version},
            field="version",
        )
    _only_known(answers, VERSION_FIELDS)
    new = AppVersion(app=app, version=version.strip(), created_by=by, **answers)
    new.major, new.minor, new.patch = number
    _full_clean(new)
    new.save()
    return new


@transaction.atomic
def update_version(*, by, version_id: int, **answers) -> AppVersion:
    """The owner changes a draft's (or a returned version's) release notes and answers."""
    version = _editable_version(version_id, by)
    _only_known(answers, VERSION_FIELDS)
    for name, value in answers.items():
        setattr(version, name, value)
    _full_clean(version)
    version.save(update_fields=[*answers])
    return version


def _editable_version(version_id: int, by) -> AppVersion:
    version = (
        AppVersion.objects.select_for_update(of=("self",))
        .select_related("app")
        .filter(pk=version_id)
        .first()
    )
    if version is None or not permissions.owns_version(by, version):
        raise NotFound(_("No such app version."))
    if version.state not in EDITABLE:
        raise Conflict(
            _("A version that is %(state)s cannot be changed; add a new version instead.")
            % {"state": version.get_state_display().lower()}
        )
    return version


def _only_known(fields: dict, known: set[str]) -> None:
    unknown = set(fields) - known
    if unknown:
        raise RuleViolation(_("Unknown field: %(field)s") % {"field": sorted(unknown)[0]})


def _full_clean(obj, **options) -> None:
    """Model validation as a RuleViolation on the first field that failed."""
    from django.core.exceptions import ValidationError

    try:
        obj.full_clean(**options)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise RuleViolation(messages[0], field=None if field == "__all__" else field) from None


def _locked_version(version_id: int, user) -> AppVersion:
    """The version, row-locked, if the user may see it in the workflow at all."""
    version = (
        AppVersion.objects.select_for_update(of=("self",))
        .select_related("app")
        .filter(pk=version_id)
        .first()
    )
    if version is None or not (
        permissions.owns_version(user, version) or permissions.may_review_version(user, version)
    ):
        raise NotFound(_("No such app version."))
    return version


def _check_answers(version: AppVersion) -> None:
    if not version.artifacts.exists():
        raise RuleViolation(
            _("Add at least one platform (store or MDM entry, package or web address)."),
            field="artifacts",
        )
    if not version.release_notes.strip():
        raise RuleViolation(_("Write release notes before you submit."), field="release_notes")
    if version.processes_personal_data and not version.personal_data_description.strip():
        raise RuleViolation(
            _("Say which personal data the app processes."), field="personal_data_description"
        )


def _subject(version: AppVersion) -> str:
    """What the version's workflow notifications are about: each transition resolves them."""
    return f"appversion:{version.pk}"


def _move(version: AppVersion, *, target: str, by, comment: str = "", **changes):
    """Apply one transition; the notifications that asked for the step before it (review
    it, answer the requested changes, ...) are resolved for everyone, in the same call."""
    event = VERSION_WORKFLOW.apply(version, target=target, by=by, comment=comment, **changes)
    resolve(subject=_subject(version))
    return event


def _tell_owners(version: AppVersion, event, title) -> None:
    """`title`: a callable, called in each owner's own language."""
    notify(
        recipients=selectors.app_owners_of(version.app),
        key=f"appversion:{version.pk}:event:{event.pk}",
        subject=_subject(version),
        title=title,
        body=event.comment,
        url=f"/apps/manage/versions/{version.pk}/",
    )


def _tell_reviewers(version: AppVersion, event, recipients, title) -> None:
    notify(
        recipients=recipients,
        key=f"appversion:{version.pk}:event:{event.pk}",
        subject=_subject(version),
        title=title,
        url=f"/admin/appstore/appversion/{version.pk}/change/",
    )


@transaction.atomic
def submit_version(*, by, version_id: int, comment: str = ""):
    """The owner sends a draft (or a version with requested changes) to IT review. The
    app's row is locked first, as listing edits lock it: an edit lands either before the
    submission (the reviewer sees it) or after (it waits for review as a listing change).

    A resubmitted version goes straight back to the reviewer who requested the changes
    (in review, theirs, without claiming it again) while they may still review it;
    otherwise it joins the queue and every reviewer is told."""
    app_id = AppVersion.objects.filter(pk=version_id).values_list("app_id", flat=True).first()
    App.objects.select_for_update().filter(pk=app_id).first()
    version = _locked_version(version_id, by)
    _check_answers(version)
    previous = version.reviewer if version.state == VersionState.CHANGES_REQUESTED else None
    event = _move(
        version, target=VersionState.SUBMITTED, by=by, comment=comment, submitted_at=timezone.now()
    )
    names = _names(version)
    if (
        previous is not None
        and previous.is_active
        and permissions.may_review_version(previous, version)
    ):
        VERSION_WORKFLOW.apply(
            version,
            target=VersionState.IN_REVIEW,
            by=previous,
            comment=_("Returned to the reviewer who requested the changes."),
            reviewer=previous,
        )
        _tell_reviewers(
            version,
            event,
            [previous],
            lambda: _("%(app)s %(version)s is back for your review") % names,
        )
        return event
    _tell_reviewers(
        version,
        event,
        selectors.reviewers_for(version.app),
        lambda: _("%(app)s %(version)s waits for review") % names,
    )
    return event


@transaction.atomic
def claim_version(*, by, version_id: int):
    """A reviewer takes a submitted version from the queue."""
    version = _locked_version(version_id, by)
    event = _move(version, target=VersionState.IN_REVIEW, by=by, reviewer=by)
    names = _names(version)
    _tell_owners(version, event, lambda: _("%(app)s %(version)s is being reviewed") % names)
    return event


Checklist = dict[int, tuple[str, str]]


@transaction.atomic
def request_changes(*, by, version_id: int, comment: str, checklist: Checklist | None = None):
    """The assigned reviewer returns the version to its owners, with the checklist as filled
    in on the same form (saved with the decision, or not at all)."""
    version = _locked_version(version_id, by)
    target = VersionState.CHANGES_REQUESTED
    _record_with_decision(version, by=by, target=target, comment=comment, checklist=checklist)
    event = _move(version, target=target, by=by, comment=comment)
    names = _names(version)
    _tell_owners(version, event, lambda: _("Changes requested for %(app)s %(version)s") % names)
    return event


@transaction.atomic
def reject_version(*, by, version_id: int, comment: str, checklist: Checklist | None = None):
    version = _locked_version(version_id, by)
    target = VersionState.REJECTED
    _record_with_decision(version, by=by, target=target, comment=comment, checklist=checklist)
    event = _move(version, target=target, by=by, comment=comment)
    names = _names(version)
    _tell_owners(version, event, lambda: _("%(app)s %(version)s was rejected") % names)
    return event


def _record_with_decision(version, *, by, target, comment, checklist) -> None:
    """A decision may carry the checklist: the decision is checked first (so a refusal
    names the decision's problem), then the answers are saved in its transaction."""
    VERSION_WORKFLOW.check(version, target=target, by=by, comment=comment)
    if checklist:
        _record_answers(version, by=by, answers=checklist)


@transaction.atomic
def record_checklist(*, by, version_id: int, answers: Checklist) -> None:
    """The assigned reviewer records pass / fail / not applicable, with a note, per item.

    `answers` maps checklist item id -> (result, note). A failed item needs a note.
    """
    version = _locked_version(version_id, by)
    _record_answers(version, by=by, answers=answers)


def _record_answers(version: AppVersion, *, by, answers: Checklist) -> None:
    if not permissions.may_fill_checklist(by, version):
        raise NotPermitted(_("Claim the version before you fill in its checklist."))
    items = {item.pk: item for item in ChecklistItem.objects.filter(pk__in=answers, is_active=True)}
    for item_id, (result, note) in sorted(answers.items()):
        if item_id not in items:
            raise RuleViolation(_("Unknown checklist item."), field="checklist")
        if result not in CheckResult.values:
            raise RuleViolation(_("Choose pass, fail or not applicable."), field="checklist")
        if result == CheckResult.FAIL and not note.strip():
            raise RuleViolation(
                _("Explain the failure of “%(item)s”.") % {"item": items[item_id].text},
                field="checklist",
            )
        ChecklistAnswer.objects.update_or_create(
            version=version,
            item=items[item_id],
            defaults={"result": result, "note": note.strip(), "answered_by": by},
        )


def _check_required_items_passed(version: AppVersion) -> None:
    passed = set(
        version.checklist.filter(
            result__in=[CheckResult.PASS, CheckResult.NOT_APPLICABLE]
        ).values_list("item_id", flat=True)
    )
    missing = [
        item.text
        for item in ChecklistItem.objects.filter(is_active=True, is_required=True)
        if item.pk not in passed
    ]
    if missing:
        raise RuleViolation(
            _("Every required check must pass before approval. Not passed: %(items)s")
            % {"items": "; ".join(missing)},
            field="checklist",
        )


@transaction.atomic
def approve_version(*, by, version_id: int, comment: str = "", checklist: Checklist | None = None):
    """Approve when every required checklist item passed (the answers given with the
    decision count); publish at once unless APPSTORE_PUBLISH_ON_APPROVAL is off."""
    version = _locked_version(version_id, by)
    target = VersionState.APPROVED
    _record_with_decision(version, by=by, target=target, comment=comment, checklist=checklist)
    _check_required_items_passed(version)
    event = _move(version, target=target, by=by, comment=comment)
    names = _names(version)
    _tell_owners(version, event, lambda: _("%(app)s %(version)s was approved") % names)
    if settings.APPSTORE_PUBLISH_ON_APPROVAL:
        return publish_version(by=by, version_id=version.pk)
    return event


@transaction.atomic
def publish_version(*, by, version_id: int):
    """Publish an approved version. An earlier published version of the app is superseded
    once newer published versions cover every platform it was published for."""
    version = _locked_version(version_id, by)
    VERSION_WORKFLOW.check(version, target=VersionState.PUBLISHED, by=by)
    published = list(
        AppVersion.objects.select_for_update()
        .filter(app_id=version.app_id, state=VersionState.PUBLISHED)
        .exclude(pk=version.pk)
        .prefetch_related("artifacts")
        .order_by("pk")
    )
    platforms = {a.platform for a in version.artifacts.all()}
    newer = [v for v in published if v.number > version.number]
    covered_by_newer = {a.platform for v in newer for a in v.artifacts.all()}
    if platforms <= covered_by_newer:
        raise Conflict(_("A newer version is already published for every platform of this one."))
    event = _move(version, target=VersionState.PUBLISHED, by=by, published_at=timezone.now())
    for old in published:
        if old.number > version.number:
            continue
        newer_platforms = platforms | {
            a.platform for v in published if v.number > old.number for a in v.artifacts.all()
        }
        if {a.platform for a in old.artifacts.all()} <= newer_platforms:
            old.app = version.app
            _move(
                old,
                target=VersionState.SUPERSEDED,
                by=by,
                comment=_("Superseded by %(version)s") % {"version": version.version},
            )
    cache.catalogue_changed()
    names = _names(version)
    _tell_owners(version, event, lambda: _("%(app)s %(version)s is published") % names)
    transaction.on_commit(lambda: _queue_announcement(version.pk))
    return event


def _queue_announcement(version_id: int) -> None:
    enqueue(task_names.ANNOUNCE_PUBLICATION, version_id)


@transaction.atomic
def withdraw_version(*, by, version_id: int, comment: str):
    """The owner (or, for a security problem, a reviewer) takes a published version out of
    the catalogue."""
    version = _locked_version(version_id, by)
    event = _move(version, target=VersionState.WITHDRAWN, by=by, comment=comment)
    cache.catalogue_changed()
    return event


def _names(version: AppVersion) -> dict[str, str]:
    return {"app": version.app.name, "version": version.version}
