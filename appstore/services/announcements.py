"""Telling staff about publications: a required app assigned to them, a new version of
an app they installed or of a required app in their audience. Each person once per event,
in their own language. Run from Celery tasks, after the publication committed.

Quiet by default: a new or updated optional app is a notification in the list only; a
required app is emailed too (it is assigned work).

An audience may be tens of thousands of people: above CHUNK_SIZE the task only lists who
hears and queues one short task per chunk of them, which applies the same rule to its
chunk (someone who left the audience meanwhile is not told). Each chunk is idempotent
through the notification's unique (recipient, key): a chunk run twice tells nobody twice,
and a chunk whose worker died comes back (acks late) and finishes its people's emails."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from appstore import selectors, task_names
from appstore.choices import VersionState
from appstore.models import App, AppVersion
from portal.notifications import notify_in_their_language
from portal.queue import enqueue, send

CHUNK_SIZE = 500
ANNOUNCE_WITHIN_DAYS = 14  # the default of settings.APPSTORE_ANNOUNCE_WITHIN_DAYS


@dataclass(frozen=True)
class Announcement:
    key: str
    recipients: QuerySet
    title: Callable[[], str]
    body: str
    url: str
    email: bool


def announce_publication(*, version_id: int, user_ids: Sequence[int] | None = None) -> int:
    """Who hears of a publication: for an app's first publication, its whole audience (a
    required app's as an assignment); afterwards the audience of a required app and
    everyone in the audience who installed an earlier version. `user_ids`: only those of
    them (a chunk). Returns how many were newly told here (0 when the audience was split
    into chunks). The whole announcement marks the version announced once it ran."""
    told = _announce_publication(version_id=version_id, user_ids=user_ids)
    if user_ids is None:
        AppVersion.objects.filter(pk=version_id, announced_at__isnull=True).update(
            announced_at=timezone.now()
        )
    return told


def reconcile_announcements(*, grace_seconds: int, limit: int = 50) -> list[int]:
    """Queue the announcement of published versions whose announcement never ran (the
    broker was away when they were published, or the task failed) after `grace_seconds`.
    Announcing is idempotent, so a version queued twice tells nobody twice."""
    waiting = list(
        AppVersion.objects.filter(
            state=VersionState.PUBLISHED,
            announced_at__isnull=True,
            published_at__lt=timezone.now() - timedelta(seconds=grace_seconds),
        )
        .order_by("published_at")
        .values_list("pk", flat=True)[:limit]
    )
    return [pk for pk in waiting if enqueue(task_names.ANNOUNCE_PUBLICATION, pk)]


def _announce_publication(*, version_id: int, user_ids: Sequence[int] | None) -> int:
    version = AppVersion.objects.select_related("app").filter(pk=version_id).first()
    if version is None or version.state != VersionState.PUBLISHED or _stale(version):
        return 0
    app = version.app
    first = not app.versions.exclude(pk=version.pk).filter(published_at__isnull=False).exists()
    if first and app.is_required:
        return announce_required(app_id=app.pk, user_ids=user_ids)
    audience = selectors.audience_members(app)
    names = {"app": app.name, "version": version.version}
    if first:
        recipients = audience
        title = lambda: _("New app for you: %(app)s") % names  # noqa: E731
        body = app.summary
    else:
        if app.is_required:
            recipients = audience
        else:
            installed = app.installations.exclude(version=version).values("user_id")
            recipients = audience.filter(pk__in=installed)
        title = lambda: _("New version of %(app)s: %(version)s") % names  # noqa: E731
        body = version.release_notes
    announcement = Announcement(
        key=f"appversion:{version.pk}:published",
        recipients=recipients,
        title=title,
        body=body,
        url=f"/apps/{app.slug}/",
        email=app.is_required,
    )
    return _fan_out(announcement, user_ids, task_names.ANNOUNCE_PUBLICATION, version_id)


def _stale(version: AppVersion) -> bool:
    """A publication is news for APPSTORE_ANNOUNCE_WITHIN_DAYS: announced later (the
    reconciler catching up after a long outage, history loaded or seeded afterwards) it
    would only fill people's lists with old news, so nobody is told."""
    days = getattr(settings, "APPSTORE_ANNOUNCE_WITHIN_DAYS", ANNOUNCE_WITHIN_DAYS)
    published = version.published_at
    return published is not None and published < timezone.now() - timedelta(days=days)


def announce_required(*, app_id: int, user_ids: Sequence[int] | None = None) -> int:
    """Everyone in a required app's audience hears once that it was assigned to them."""
    app = App.objects.filter(pk=app_id, is_required=True).first()
    if app is None or not app.versions.filter(state=VersionState.PUBLISHED).exists():
        return 0
    announcement = Announcement(
        key=f"app:{app.pk}:required",
        recipients=selectors.audience_members(app),
        title=lambda: _("A required app was assigned to you: %(app)s") % {"app": app.name},
        body=app.summary,
        url=f"/apps/{app.slug}/",
        email=True,
    )
    return _fan_out(announcement, user_ids, task_names.ANNOUNCE_REQUIRED, app_id)


def _fan_out(announcement: Announcement, user_ids, task_name: str, object_id: Any) -> int:
    """Tell a chunk, a small audience at once, or queue one task per chunk."""
    recipients = announcement.recipients
    if user_ids is not None:
        return _tell(announcement, recipients.filter(pk__in=list(user_ids)))
    ids = list(recipients.order_by("pk").values_list("pk", flat=True))
    if len(ids) <= CHUNK_SIZE:
        return _tell(announcement, recipients.model.objects.filter(pk__in=ids))
    for start in range(0, len(ids), CHUNK_SIZE):
        # Raises when the broker is away: the version stays unannounced and the reconciler
        # queues the whole announcement again, which tells nobody twice.
        send(task_name, object_id, ids[start : start + CHUNK_SIZE])
    return 0


def _tell(announcement: Announcement, recipients: QuerySet) -> int:
    return notify_in_their_language(
        recipients,
        key=announcement.key,
        title=announcement.title,
        body=announcement.body,
        url=announcement.url,
        email=announcement.email,
    )
