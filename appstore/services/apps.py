"""Apps and their listings: creation, edits, and the review of listing changes.

While no version of an app is with IT or published, its owners edit the listing
directly. Once a version is submitted (the reviewer reviews the listing with it) or
published, a change waits as a ListingChange until an IT reviewer approves it; each
owner edit bumps its revision, and a decision names the revision the reviewer saw.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVector
from django.db import transaction
from django.db.models import Value
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from appstore import cache, permissions, selectors, task_names
from appstore.choices import Category, ListingChangeState, VersionState
from appstore.models import App, ListingChange, ListingChangeEvent
from appstore.services.versions import _full_clean, _only_known
from portal.errors import Conflict, NotFound, NotPermitted, RuleViolation
from portal.models import Department
from portal.notifications import notify, resolve
from portal.queue import enqueue
from portal.uploads import clean_image
from portal.workflow import Transition, Workflow

LISTING_FIELDS = {
    "name",
    "summary",
    "description",
    "category",
    "support_contact",
    "audience_everyone",
    "audience_roles",
    "audience_work_patterns",
    "is_required",
}
ICON_SIDE = 512  # the longer side of a stored icon, in pixels
ICON_MAX_PIXELS = 1024 * 1024  # an icon's master is at most 1024 x 1024 (or as many pixels)
# Addresses under /apps/ that are pages, not apps.
RESERVED_SLUGS = {"search", "mine", "manage", "packages"}
# A version in these states has been shown to IT (or staff) with the app's listing.
REVIEWED_STATES = (
    VersionState.SUBMITTED,
    VersionState.IN_REVIEW,
    VersionState.APPROVED,
    VersionState.PUBLISHED,
)

S = ListingChangeState
LISTING_WORKFLOW = Workflow(
    event_model=ListingChangeEvent,
    event_field="change",
    state_labels=dict(S.choices),
    transitions=[
        Transition(
            S.SUBMITTED, S.APPROVED, "approve", lambda u, c: permissions.may_review(u, c.app)
        ),
        Transition(
            S.SUBMITTED,
            S.REJECTED,
            "reject",
            lambda u, c: permissions.may_review(u, c.app),
            comment_required=True,
        ),
        Transition(
            S.SUBMITTED, S.WITHDRAWN, "withdraw", lambda u, c: permissions.owns_app(u, c.app)
        ),
    ],
)


@transaction.atomic
def create_app(*, by, audience_departments=(), icon=None, **fields) -> App:
    """An app owner creates an app for their own department."""
    _only_known(fields, LISTING_FIELDS)
    app = App(department=by.department, created_by=by, **fields)
    if not permissions.owns_app(by, app):
        raise NotPermitted(_("Only app owners can create apps, for their own department."))
    departments = _departments(audience_departments)
    _check_audience(app, departments)
    base = slugify(fields.get("name", ""))[:120] or "app"
    slug, counter = base, 2
    while slug in RESERVED_SLUGS or App.objects.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    app.slug = slug
    _full_clean_listing(app)
    if icon is not None:
        clean = _clean_icon(icon)
        app.icon.save(clean.name, clean, save=False)
    app.save()
    app.audience_departments.set(departments)
    refresh_search(app_ids=[app.pk])
    cache.catalogue_changed()  # the audience or the category may have changed
    if icon is not None:
        transaction.on_commit(lambda: _queue_icon_thumbnail(app.pk))
    return app


@transaction.atomic
def update_listing(*, by, app_id: int, audience_departments=None, icon=None, **fields):
    """Change an app's listing. Applied at once (returns the App) only while no version is
    submitted, in review, approved or published and no change waits; otherwise proposed
    for review (returns the ListingChange: one open change per app, its revision bumped
    by every edit), so what IT reviewed changes only through IT."""
    _only_known(fields, LISTING_FIELDS)
    app = App.objects.select_for_update().filter(pk=app_id).first()
    if app is None or not permissions.owns_app(by, app):
        raise NotFound(_("No such app."))
    current = list(app.audience_departments.values_list("pk", flat=True))
    departments = _departments(current if audience_departments is None else audience_departments)
    candidate = App(**{f.attname: getattr(app, f.attname) for f in App._meta.concrete_fields})
    for name, value in fields.items():
        setattr(candidate, name, value)
    _check_audience(candidate, departments)
    _full_clean_listing(candidate, validate_unique=False)
    clean_icon = _clean_icon(icon) if icon is not None else None
    change = ListingChange.objects.select_for_update().filter(app=app, state=S.SUBMITTED).first()
    if change is None and not app.versions.filter(state__in=REVIEWED_STATES).exists():
        _apply_listing(app, fields, departments, clean_icon)
        return app
    proposed = {**fields, "audience_departments": [d.pk for d in departments]}
    if change is None:
        change = ListingChange(app=app, created_by=by)
    else:
        change.revision += 1
    change.proposed = {**change.proposed, **proposed}
    if clean_icon is not None:
        change.icon.save(clean_icon.name, clean_icon, save=False)
    change.save()
    names = {"app": app.name}
    notify(
        recipients=selectors.reviewers_for(app),
        key=f"listingchange:{change.pk}:submitted",
        subject=_subject(change),
        title=lambda: _("A listing change of %(app)s waits for review") % names,
        url=f"/admin/appstore/listingchange/{change.pk}/change/",
    )
    return change


def _clean_icon(icon):
    return clean_image(icon, field="icon", max_side=ICON_SIDE, max_pixels=ICON_MAX_PIXELS)


def _apply_listing(app: App, fields: dict, departments, clean_icon) -> None:
    for name, value in fields.items():
        setattr(app, name, value)
    if clean_icon is not None:
        app.icon.save(clean_icon.name, clean_icon, save=False)
        app.icon_thumbnail = ""
    app.save()
    app.audience_departments.set(departments)
    refresh_search(app_ids=[app.pk])
    cache.catalogue_changed()  # the audience or the category may have changed
    if clean_icon is not None:
        transaction.on_commit(lambda: _queue_icon_thumbnail(app.pk))


@transaction.atomic
def approve_listing_change(*, by, change_id: int, revision: int | None, comment: str = ""):
    """A reviewer accepts the revision of a listing change they saw; it is applied to the
    app at once. A change the owners edited since (another revision) is refused."""
    change = _locked_change(change_id, by)
    app = change.app
    LISTING_WORKFLOW.check(change, target=S.APPROVED, by=by, comment=comment)
    _check_revision(change, revision)
    event = LISTING_WORKFLOW.apply(change, target=S.APPROVED, by=by, comment=comment, reviewer=by)
    resolve(subject=_subject(change))
    proposed = dict(change.proposed)
    departments = _departments(proposed.pop("audience_departments", []))
    _apply_listing(app, proposed, departments, None)
    if change.icon:
        app.icon = change.icon.name
        app.icon_thumbnail = ""
        app.save(update_fields=["icon", "icon_thumbnail"])
        transaction.on_commit(lambda: _queue_icon_thumbnail(app.pk))
    _tell_owners(change, event, lambda: _("The listing change of %(app)s was approved"))
    if app.is_required:
        transaction.on_commit(lambda: _queue_required_announcement(app.pk))
    return event


@transaction.atomic
def reject_listing_change(*, by, change_id: int, revision: int | None, comment: str):
    """A reviewer turns down the revision of a listing change they saw, saying why."""
    change = _locked_change(change_id, by)
    LISTING_WORKFLOW.check(change, target=S.REJECTED, by=by, comment=comment)
    _check_revision(change, revision)
    event = LISTING_WORKFLOW.apply(change, target=S.REJECTED, by=by, comment=comment, reviewer=by)
    resolve(subject=_subject(change))
    _tell_owners(change, event, lambda: _("The listing change of %(app)s was rejected"))
    return event


@transaction.atomic
def withdraw_listing_change(*, by, change_id: int, comment: str = ""):
    change = _locked_change(change_id, by)
    event = LISTING_WORKFLOW.apply(change, target=S.WITHDRAWN, by=by, comment=comment)
    resolve(subject=_subject(change))
    return event


def _locked_change(change_id: int, user) -> ListingChange:
    """The change and its app, both row-locked: the app first, in the order owners' edits
    lock them, so an edit and a decision wait for each other instead of deadlocking."""
    app_id = ListingChange.objects.filter(pk=change_id).values_list("app_id", flat=True).first()
    app = App.objects.select_for_update().filter(pk=app_id).first() if app_id else None
    change = ListingChange.objects.select_for_update().filter(pk=change_id).first()
    if (
        change is None
        or app is None
        or not (permissions.owns_app(user, app) or permissions.may_review(user, app))
    ):
        raise NotFound(_("No such listing change."))
    change.app = app
    return change


def _check_revision(change: ListingChange, revision: int | None) -> None:
    if revision != change.revision:
        raise Conflict(
            _("The owner changed this listing change after you opened it; review it again."),
            code="stale_revision",
        )


def _subject(change: ListingChange) -> str:
    """What the reviewers' "waits for review" is about: resolved once the change is decided."""
    return f"listingchange:{change.pk}"


def _tell_owners(change: ListingChange, event, title) -> None:
    """`title`: a callable giving the text with %(app)s, in each owner's own language."""
    names = {"app": change.app.name}
    notify(
        recipients=selectors.app_owners_of(change.app),
        key=f"listingchange:{change.pk}:event:{event.pk}",
        title=lambda: title() % names,
        body=event.comment,
        url=f"/apps/manage/{change.app.slug}/",
    )


def _departments(ids) -> list[Department]:
    """Departments given as instances or ids (as forms, the API and the JSON store them)."""
    ids = [getattr(d, "pk", d) for d in ids]
    try:
        ids = [int(pk) for pk in ids]
    except (TypeError, ValueError):
        raise RuleViolation(_("Unknown department."), field="audience_departments") from None
    found = list(Department.objects.filter(pk__in=ids).order_by("pk"))
    if len(found) != len(set(ids)):
        raise RuleViolation(_("Unknown department."), field="audience_departments")
    return found


def _check_audience(app: App, departments) -> None:
    if not (
        app.audience_everyone or departments or app.audience_roles or app.audience_work_patterns
    ):
        raise RuleViolation(
            _("Choose who the app is for: everyone, departments, roles or work patterns."),
            field="audience_everyone",
        )


def _full_clean_listing(app: App, **options) -> None:
    try:
        _full_clean(app, **options)
    except RuleViolation as error:
        if error.field == "slug":
            raise Conflict(_("Another app already has this name.")) from None
        raise


def refresh_search(*, app_ids) -> None:
    """Recompute the full-text document of these apps, with category names in every
    language so a search in any of them finds the category."""
    for app in App.objects.filter(pk__in=app_ids):
        labels = []
        for language in ("en", "nb", "sv"):
            with translation.override(language):
                labels.append(str(Category(app.category).label))
        App.objects.filter(pk=app.pk).update(
            search_vector=SearchVector("name", weight="A", config="simple")
            + SearchVector("summary", weight="B", config="simple")
            + SearchVector(Value(" ".join(labels)), weight="C", config="simple")
            + SearchVector("description", weight="D", config="simple")
        )


def make_icon_thumbnail(*, app_id: int) -> bool:
    """The icon's small WebP for lists; does nothing when it is already made."""
    from portal.uploads import thumbnail

    with transaction.atomic():
        app = App.objects.select_for_update().filter(pk=app_id).first()
        if app is None or not app.icon or app.icon_thumbnail:
            return False
        small = thumbnail(app.icon, size=128)
        app.icon_thumbnail.save(small.name, small, save=False)
        app.save(update_fields=["icon_thumbnail"])
        cache.cards_changed()
        return True


def _queue_icon_thumbnail(app_id: int) -> None:
    enqueue(task_names.MAKE_THUMBNAIL, "icon", app_id)


def _queue_required_announcement(app_id: int) -> None:
    enqueue(task_names.ANNOUNCE_REQUIRED, app_id)
