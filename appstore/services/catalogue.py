"""What staff do with published apps: ask for them from the store (an MDM's report says
they are installed) and rate them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from appstore import cache, selectors
from appstore.choices import InstallSource, Platform, VersionState
from appstore.models import App, AppArtifact, AppVersion, Installation, InstallationRequest, Rating
from portal.db import retry_on_deadlock
from portal.errors import DomainError, NotFound, RuleViolation
from portal.models import User

EVER_PUBLISHED = (VersionState.PUBLISHED, VersionState.SUPERSEDED, VersionState.WITHDRAWN)


def _current_artifact(by, app_id: int, platform: str) -> AppArtifact:
    """The artefact of the current version of an app the person may see, on one platform."""
    app = selectors.apps_visible_to(by).filter(pk=app_id).first()
    if app is None:
        raise NotFound(_("No such app."))
    current = selectors.current_artifacts(app).get(platform)
    if current is None:
        raise RuleViolation(_("This app is not available for that platform."), field="platform")
    return current


@transaction.atomic
def request_installation(*, by, app_id: int, platform: str) -> InstallationRequest:
    """A person asks the store for the current version of an app on one platform: the
    store or MDM entry to install it from, or the package. Nothing is installed yet, so
    this writes a request, never an `Installation`: the MDM's report confirms that. A web
    app is opened at its address, not installed, so asking for one is refused."""
    current = _current_artifact(by, app_id, platform)
    if current.kind == "web":
        raise RuleViolation(
            _("A web app is not installed: open it with the link on its page."), field="platform"
        )
    asked, _created = InstallationRequest.objects.update_or_create(
        user=by, app_id=app_id, platform=platform, defaults={"version": current.version}
    )
    asked.artifact = current  # how to install it, for the page that answers
    return asked


@transaction.atomic
def install_app(*, by, app_id: int, platform: str) -> Installation:
    """Record that a person has the current version of an app they may see on one
    platform, as the portal itself knows it (demo data, tests). The store's buttons call
    `request_installation` instead: only an MDM report confirms an installation there."""
    current = _current_artifact(by, app_id, platform)
    installation, _outcome = report_installation(
        user=by,
        app_id=app_id,
        version=current.version.version,
        platform=platform,
        source=InstallSource.PORTAL,
    )
    return installation


@dataclass(frozen=True)
class InstallationReport:
    """An MDM's word that `user` has `version` of an app on a platform (`user` or `app_id`
    None: the MDM named a person or an app that does not exist)."""

    user: User | None
    app_id: int | None
    version: str
    platform: str


def mdm_reports(items: Sequence[dict]) -> list[InstallationReport]:
    """An MDM's items (`user`: employee number or user name, `app`: slug, `version`,
    `platform`) as reports, each person and app looked up once. An employee number wins
    over a user name that happens to be the same; deactivated people are not found."""
    keys = {item["user"] for item in items}
    people: dict[str, User] = {}
    found = User.objects.filter(
        Q(employee_number__in=keys) | Q(username__in=keys), is_active=True
    ).select_related("department")
    for person in found:
        people.setdefault(person.username, person)
        if person.employee_number:
            people[person.employee_number] = person
    apps = dict(
        App.objects.filter(slug__in={item["app"] for item in items}).values_list("slug", "pk")
    )
    return [
        InstallationReport(
            people.get(item["user"]), apps.get(item["app"]), item["version"], item["platform"]
        )
        for item in items
    ]


def report_installations(
    *, reports: Sequence[InstallationReport], source: str = InstallSource.MDM
) -> tuple[list[str], dict[int, DomainError]]:
    """An MDM's batch, all or nothing: the outcome of each report ("created", "updated" or
    "unchanged": a re-sent report changes nothing), or, when any is refused, no writes and
    the refusal of each refused one by its position.

    The rules of one report: the app must be one the person may see and the version one
    that was published. Queries: one per distinct audience (department, roles, work
    pattern) in the batch, plus a constant few, whatever its length.

    Batches running at the same moment lock and write their rows in one order (by person,
    app and platform), so they wait for each other instead of deadlocking; a batch the
    database still rolls back as a deadlock runs once more, then is refused (`Conflict`).
    """
    return retry_on_deadlock(lambda: _report_installations(reports=reports, source=source))


@transaction.atomic
def _report_installations(
    *, reports: Sequence[InstallationReport], source: str
) -> tuple[list[str], dict[int, DomainError]]:
    people = {report.user.pk: report.user for report in reports if report.user is not None}
    User.load_role_names(people.values())
    app_ids = {report.app_id for report in reports if report.app_id is not None}
    seen: dict[tuple, set[int]] = {}

    def sees(person, app_id: int) -> bool:
        audience = (person.department_id, frozenset(person.role_names), person.work_pattern)
        if audience not in seen:
            visible = selectors.apps_visible_to(person).filter(pk__in=app_ids)
            seen[audience] = set(visible.values_list("pk", flat=True))
        return app_id in seen[audience]

    releases = {
        (release.app_id, release.version): release
        for release in AppVersion.objects.filter(app_id__in=app_ids, state__in=EVER_PUBLISHED)
    }
    installed = {
        (row.user_id, row.app_id, row.platform): row
        for row in Installation.objects.select_for_update()
        .filter(user_id__in=people, app_id__in=app_ids)
        .order_by("user_id", "app_id", "platform")
    }
    outcomes: list[str] = []
    refused: dict[int, DomainError] = {}
    new: dict[tuple, Installation] = {}
    changed: dict[tuple, Installation] = {}
    for index, report in enumerate(reports):
        if report.user is None:
            refused[index] = NotFound(_("No such person."), field="user")
            continue
        if report.app_id is None or not sees(report.user, report.app_id):
            refused[index] = NotFound(_("No such app."), field="app")
            continue
        if report.platform not in Platform.values:
            refused[index] = RuleViolation(_("Unknown platform."), field="platform")
            continue
        release = releases.get((report.app_id, report.version.strip()))
        if release is None:
            refused[index] = RuleViolation(
                _("This app has no published version %(v)s.") % {"v": report.version},
                field="version",
            )
            continue
        key = (report.user.pk, report.app_id, report.platform)
        row = installed.get(key)
        if row is None:
            row = Installation(
                user=report.user,
                app_id=report.app_id,
                platform=report.platform,
                version=release,
                source=source,
            )
            installed[key] = new[key] = row
            outcomes.append("created")
        elif row.version_id == release.pk:
            outcomes.append("unchanged")
        else:
            row.version, row.source = release, source
            if key not in new:
                changed[key] = row
            outcomes.append("updated")
    if refused:
        return [], refused
    _write_installations(new, changed)
    return outcomes, {}


def _write_installations(new: dict[tuple, Installation], changed: dict[tuple, Installation]):
    """Insert and update in the order of the unique key (person, app, platform), the order
    every batch takes its locks in. A row another batch created meanwhile is updated, not
    duplicated."""
    Installation.objects.bulk_create(
        [new[key] for key in sorted(new)],
        update_conflicts=True,
        unique_fields=["user", "app", "platform"],
        update_fields=["version", "source", "updated_at"],
    )
    now = timezone.now()
    for row in changed.values():
        row.updated_at = now
    Installation.objects.bulk_update(
        [changed[key] for key in sorted(changed)], ["version", "source", "updated_at"]
    )


def report_installation(
    *, user, app_id: int, version: str, platform: str, source: str = InstallSource.MDM
):
    """One report, by the rules of a batch: (the installation, its outcome), or the error."""
    outcomes, refused = report_installations(
        reports=[InstallationReport(user, app_id, version, platform)], source=source
    )
    if refused:
        raise refused[0]
    installation = Installation.objects.get(user=user, app_id=app_id, platform=platform)
    return installation, outcomes[0]


@transaction.atomic
def rate_app(*, by, app_id: int, stars: int, comment: str = "") -> Rating:
    """One rating per person per app; rating again changes the earlier one."""
    app = selectors.apps_visible_to(by).filter(pk=app_id).first()
    if app is None:
        raise NotFound(_("No such app."))
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        raise RuleViolation(_("Choose from 1 to 5 stars."), field="stars")
    if len(comment) > 2000:
        raise RuleViolation(_("Keep the comment under 2,000 characters."), field="comment")
    rating, _created = Rating.objects.update_or_create(
        user=by, app=app, defaults={"stars": stars, "comment": comment.strip()}
    )
    cache.cards_changed()  # the average on its card, the reviews on its page
    return rating


@transaction.atomic
def remove_rating(*, by, app_id: int) -> None:
    if Rating.objects.filter(user=by, app_id=app_id).delete()[0]:
        cache.cards_changed()
