"""Telling staff about publications: a required app assigned to them, a new version of
an app they installed or of a required app in their audience. Each person once per event,
in their own language. Run from Celery tasks, after the publication committed."""

from __future__ import annotations

from django.utils.translation import gettext as _

from appstore import selectors
from appstore.choices import VersionState
from appstore.models import App, AppVersion
from portal.notifications import notify_in_their_language


def announce_publication(*, version_id: int) -> int:
    """Who hears of a publication: for a required app's first publication, its audience
    (as an assignment); afterwards the audience of a required app and everyone in the
    audience who installed an earlier version. Returns how many were newly told."""
    version = AppVersion.objects.select_related("app").filter(pk=version_id).first()
    if version is None or version.state != VersionState.PUBLISHED:
        return 0
    app = version.app
    audience = selectors.audience_members(app)
    first = not app.versions.exclude(pk=version.pk).filter(published_at__isnull=False).exists()
    if first:
        return announce_required(app_id=app.pk) if app.is_required else 0
    if app.is_required:
        recipients = audience
    else:
        installed = app.installations.exclude(version=version).values("user_id")
        recipients = audience.filter(pk__in=installed)
    return notify_in_their_language(
        recipients,
        key=f"appversion:{version.pk}:published",
        title=lambda: (
            _("New version of %(app)s: %(version)s") % {"app": app.name, "version": version.version}
        ),
        body=version.release_notes,
        url=f"/apps/{app.slug}/",
    )


def announce_required(*, app_id: int) -> int:
    """Everyone in a required app's audience hears once that it was assigned to them."""
    app = App.objects.filter(pk=app_id, is_required=True).first()
    if app is None or not app.versions.filter(state=VersionState.PUBLISHED).exists():
        return 0
    return notify_in_their_language(
        selectors.audience_members(app),
        key=f"app:{app.pk}:required",
        title=lambda: _("A required app was assigned to you: %(app)s") % {"app": app.name},
        body=app.summary,
        url=f"/apps/{app.slug}/",
    )
