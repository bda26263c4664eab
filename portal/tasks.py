"""Background jobs of the portal: email delivery."""

from __future__ import annotations

from celery import shared_task

from portal import notifications

# Mail servers fail transiently: retry with exponential backoff, for about an hour.
EMAIL_RETRY = {
    "autoretry_for": (OSError,),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**EMAIL_RETRY)
def send_notification_email(notification_id: int) -> bool:
    """Email one notification. Idempotent: a notification is emailed at most once."""
    return notifications.deliver_email(notification_id=notification_id)


@shared_task(**EMAIL_RETRY)
def send_email(*, outbox_id: int) -> bool:
    """Send one queued email (sign-in emails). Idempotent through the outbox row."""
    return notifications.send_outbox_email(outbox_id=outbox_id)
