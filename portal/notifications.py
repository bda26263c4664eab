"""Telling people things: in-portal notifications and email, once per person per event.

Every email leaves through a Celery task queued with `transaction.on_commit`, so nothing
is sent for a change that was rolled back, and a task run twice sends once.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone, translation

from portal.models import Notification, OutboundEmail, User


def notify_in_their_language(recipients, *, key: str, title, body="", url: str = "") -> int:
    """`notify`, with the title and body (callables returning text) written in each
    recipient's own language. `recipients` is a queryset of users."""
    by_language: dict[str, list[int]] = {}
    for pk, language in recipients.values_list("pk", "preferred_language").iterator(
        chunk_size=2000
    ):
        by_language.setdefault(language or "", []).append(pk)
    told = 0
    for language, ids in sorted(by_language.items()):
        with translation.override(language or None):
            told += notify(
                recipients=ids,
                key=key,
                title=str(title()),
                body=str(body() if callable(body) else body),
                url=url,
            )
    return told


def notify(
    *,
    recipients: Iterable[User | int],
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    email: bool = True,
) -> int:
    """Tell each recipient about the event `key`, at most once each. Returns how many are new."""
    ids = {r if isinstance(r, int) else r.pk for r in recipients}
    if not ids:
        return 0
    with transaction.atomic():
        already = set(
            Notification.objects.filter(key=key, recipient_id__in=ids).values_list(
                "recipient_id", flat=True
            )
        )
        Notification.objects.bulk_create(
            [
                Notification(recipient_id=rid, key=key, title=title, body=body, url=url)
                for rid in sorted(ids - already)
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        if email:
            pending = list(
                Notification.objects.filter(
                    key=key, recipient_id__in=ids - already, email_sent_at__isnull=True
                ).values_list("id", flat=True)
            )
            transaction.on_commit(lambda: _queue_notification_emails(pending))
    return len(ids - already)


def _queue_notification_emails(notification_ids: list[int]) -> None:
    from portal.tasks import send_notification_email

    for notification_id in notification_ids:
        send_notification_email.delay(notification_id)


def deliver_email(*, notification_id: int) -> bool:
    """Email one notification unless it was emailed already. Returns whether it sent."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, email_sent_at__isnull=True)
            .first()
        )
        if notification is None or not notification.recipient.email:
            return False
        if not notification.recipient.is_active:
            return False
        body = notification.body
        if notification.url:
            body = f"{body}\n\n{settings.PORTAL_BASE_URL}{notification.url}".strip()
        EmailMultiAlternatives(
            subject=f"[{settings.PORTAL_NAME}] {notification.title}",
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.recipient.email],
        ).send()
        notification.email_sent_at = timezone.now()
        notification.save(update_fields=["email_sent_at"])
    return True


def queue_email(
    *, to: list[str], subject: str, body: str, html_body: str = "", from_email: str = ""
) -> OutboundEmail:
    """Store an email and send it from the worker once the current transaction commits."""
    from portal.tasks import send_email

    outbox = OutboundEmail.objects.create(
        to=to,
        subject=subject,
        body=body,
        html_body=html_body,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
    )
    transaction.on_commit(lambda: send_email.delay(outbox_id=outbox.pk))
    return outbox


def send_outbox_email(*, outbox_id: int) -> bool:
    """Send one stored email unless it was sent already. Returns whether it sent."""
    with transaction.atomic():
        outbox = (
            OutboundEmail.objects.select_for_update()
            .filter(pk=outbox_id, sent_at__isnull=True)
            .first()
        )
        if outbox is None:
            return False
        message = EmailMultiAlternatives(
            subject=outbox.subject, body=outbox.body, from_email=outbox.from_email, to=outbox.to
        )
        if outbox.html_body:
            message.attach_alternative(outbox.html_body, "text/html")
        message.send()
        outbox.sent_at = timezone.now()
        outbox.save(update_fields=["sent_at"])
    return True


def mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())
