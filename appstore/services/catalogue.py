"""What staff do with published apps: install them (or an MDM reports it) and rate them."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from appstore import selectors
from appstore.choices import InstallSource, Platform, VersionState
from appstore.models import AppVersion, Installation, Rating
from portal.errors import NotFound, RuleViolation

EVER_PUBLISHED = (VersionState.PUBLISHED, VersionState.SUPERSEDED, VersionState.WITHDRAWN)


@transaction.atomic
def install_app(*, by, app_id: int, platform: str) -> Installation:
    """A person installs the current version of an app they may see, on one platform."""
    app = selectors.apps_visible_to(by).filter(pk=app_id).first()
    if app is None:
        raise NotFound(_("No such app."))
    current = selectors.current_artifacts(app).get(platform)
    if current is None:
        raise RuleViolation(_("This app is not available for that platform."), field="platform")
    installation, _outcome = _upsert(
        user=by, app=app, version=current.version, platform=platform, source=InstallSource.PORTAL
    )
    return installation


@transaction.atomic
def report_installation(
    *, user, app_id: int, version: str, platform: str
) -> tuple[Installation, str]:
    """An MDM reports that `user` has `version` of an app on a platform.

    Idempotent: the same report again changes nothing and answers "unchanged". The app
    must be one the person may see, and the version one that was published.
    """
    app = selectors.apps_visible_to(user).filter(pk=app_id).first()
    if app is None:
        raise NotFound(_("No such app."))
    if platform not in Platform.values:
        raise RuleViolation(_("Unknown platform."), field="platform")
    release = AppVersion.objects.filter(
        app=app, version=version.strip(), state__in=EVER_PUBLISHED
    ).first()
    if release is None:
        raise RuleViolation(
            _("This app has no published version %(v)s.") % {"v": version}, field="version"
        )
    return _upsert(user=user, app=app, version=release, platform=platform, source=InstallSource.MDM)


def _upsert(*, user, app, version, platform, source) -> tuple[Installation, str]:
    installation = (
        Installation.objects.select_for_update()
        .filter(user=user, app=app, platform=platform)
        .first()
    )
    if installation is None:
        installation, created = Installation.objects.get_or_create(
            user=user,
            app=app,
            platform=platform,
            defaults={"version": version, "source": source},
        )
        if created:
            return installation, "created"
    if installation.version_id == version.pk:
        return installation, "unchanged"
    installation.version = version
    installation.source = source
    installation.save(update_fields=["version", "source", "updated_at"])
    return installation, "updated"


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
    return rating


@transaction.atomic
def remove_rating(*, by, app_id: int) -> None:
    Rating.objects.filter(user=by, app_id=app_id).delete()
