"""Celery tasks of the app store: thin, idempotent, queued after commit."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from appstore import services


@shared_task(acks_late=True)
def make_thumbnail(kind: str, pk: int) -> bool:
    if kind == "icon":
        return services.make_icon_thumbnail(app_id=pk)
    return services.make_screenshot_thumbnail(screenshot_id=pk)


@shared_task(acks_late=True)
def announce_publication(version_id: int, user_ids: list[int] | None = None) -> int:
    """The whole audience (queueing one task per chunk of it) or one chunk of it."""
    return services.announce_publication(version_id=version_id, user_ids=user_ids)


@shared_task(acks_late=True)
def announce_required(app_id: int, user_ids: list[int] | None = None) -> int:
    """The whole audience (queueing one task per chunk of it) or one chunk of it."""
    return services.announce_required(app_id=app_id, user_ids=user_ids)


@shared_task(acks_late=True)
def reconcile_announcements() -> int:
    """Announce the publications whose announcement never ran (run every minute by beat)."""
    return len(services.reconcile_announcements(grace_seconds=settings.PORTAL_OUTBOX_GRACE_SECONDS))
