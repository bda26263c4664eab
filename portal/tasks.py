"""Background jobs of the portal: email delivery and the outbox reconciler. Thin: each loads
by id and calls `portal.notifications`. Services queue them by name through
`portal.queue` (`enqueue`, `enqueue_on_commit`, re-exported here for older callers)."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal import notifications
from portal.models import Notification, OutboundEmail
from portal.queue import enqueue, enqueue_each, enqueue_on_commit

logger = logging.getLogger(__name__)

__all__ = ["enqueue", "enqueue_each", "enqueue_on_commit"]

# Mail servers fail transiently: retry with exponential backoff, for about an hour, then
# mark the email failed. Any other error fails the email at once (see notifications).
EMAIL_TASK = {"bind": True, "max_retries": 8}
BACKOFF_SECONDS, BACKOFF_MAX_SECONDS = 30, 600


def _send_or_retry(task, send, give_up, **ids) -> bool:
    try:
        return send(**ids)
    except notifications.TRANSIENT_ERRORS as error:
        if task.request.retries >= task.max_retries:
            give_up(error=error, **ids)
            return False
        countdown = get_exponential_backoff_interval(
            BACKOFF_SECONDS, task.request.retries, BACKOFF_MAX_SECONDS, full_jitter=True
        )
        raise task.retry(exc=error, countdown=countdown) from error


@shared_task(**EMAIL_TASK)
def send_notification_email(self, notification_id: int) -> bool:
    """Email one notification. Idempotent: a notification is emailed at most once."""
    return _send_or_retry(
        self,
        notifications.deliver_email,
        notifications.give_up_notification_email,
        notification_id=notification_id,
    )


@shared_task(**EMAIL_TASK)
def send_email(self, *, outbox_id: int) -> bool:
    """Send one queued email (sign-in emails). Idempotent through the outbox row."""
    return _send_or_retry(
        self,
        notifications.send_outbox_email,
        notifications.give_up_outbox_email,
        outbox_id=outbox_id,
    )


def _claim(pending, *, older_than: timedelta, batch: int) -> list[int]:
    """Ids of rows pending for longer than `older_than`, skipping those another worker
    holds (a send task or a second reconciler)."""
    cutoff = timezone.now() - older_than
    with transaction.atomic():
        return list(
            pending.filter(created_at__lt=cutoff)
            .order_by("created_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:batch]
        )


def _send_all(ids, send, *, key: str) -> int:
    """Send each row (each send locks its row and sends only if unsent: exactly once).
    A mail server that is away stops the batch; the next run tries again."""
    sent = 0
    for pk in ids:
        try:
            sent += bool(send(**{key: pk}))
        except notifications.TRANSIENT_ERRORS:
            logger.warning("Mail server away: the outbox is retried on the next run")
            break
    return sent


@shared_task
def reconcile_outbox(grace_seconds: int | None = None, batch: int | None = None) -> int:
    """Send what was saved but never handed to the broker (it was away, or the worker
    died while queueing): notifications whose email is due and outbound emails, pending
    for longer than PORTAL_OUTBOX_GRACE_SECONDS. Run every minute by beat."""
    older_than = timedelta(
        seconds=settings.PORTAL_OUTBOX_GRACE_SECONDS if grace_seconds is None else grace_seconds
    )
    batch = batch or settings.PORTAL_OUTBOX_BATCH_SIZE
    due = Notification.objects.filter(
        email_due=True, email_sent_at__isnull=True, email_failed_at__isnull=True
    )
    emails = OutboundEmail.objects.filter(sent_at__isnull=True, failed_at__isnull=True)
    sent = _send_all(
        _claim(due, older_than=older_than, batch=batch),
        notifications.deliver_email,
        key="notification_id",
    )
    sent += _send_all(
        _claim(emails, older_than=older_than, batch=batch),
        notifications.send_outbox_email,
        key="outbox_id",
    )
    if sent:
        logger.info("Outbox reconciled: %s emails sent that the broker had missed", sent)
    return sent
