"""Background jobs of the portal: email delivery."""

from __future__ import annotations

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from portal import notifications

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
