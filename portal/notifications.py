"""Telling people things: in-portal notifications and email, once per person per event.

The database is the outbox: a notification's email is due (`email_due`) and an
`OutboundEmail` pending from the transaction that caused them, and they are handed to a
Celery task after commit, so nothing is sent for a change that was rolled back, and a task
run twice sends once. A broker that is down or frozen, or a worker that dies while queueing,
never fails the request nor loses the email: `portal.tasks.reconcile_outbox` (every minute)
sends what is still pending. An email that fails is logged and recorded on the row (the
notification or the outbound email), after retries for what is transient.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone, translation

from portal.models import Notification, OutboundEmail, User
from portal.queue import enqueue_each, enqueue_on_commit

logger = logging.getLogger(__name__)

# What a mail server does when it is away or busy (smtplib's errors are OSErrors): the
# task retries these with backoff. Any other error fails that one email for good.
TRANSIENT_ERRORS = (OSError,)

# The tasks of portal.tasks that send, queued by name (the tasks import this module).
SEND_NOTIFICATION_EMAIL = "portal.tasks.send_notification_email"
SEND_EMAIL = "portal.tasks.send_email"


def notify_in_their_language(
    recipients,
    *,
    key: str,
    title,
    body="",
    url: str = "",
    email: bool = True,
    subject: str = "",
) -> int:
    """`notify`, with the title and body (text, or callables returning text) written in
    each recipient's own language (their saved one, else the site's default).
    `recipients` is a queryset of users."""
    by_language: dict[str, list[int]] = {}
    for pk, language in recipients.values_list("pk", "preferred_language").iterator(
        chunk_size=2000
    ):
        by_language.setdefault(language or "", []).append(pk)
    told = 0
    for language, ids in sorted(by_language.items()):
        with translation.override(language or settings.LANGUAGE_CODE):
            told += _notify(
                ids=set(ids),
                key=key,
                title=str(title() if callable(title) else title),
                body=str(body() if callable(body) else body),
                url=url,
                email=email,
                subject=subject,
            )
    return told


def notify(
    *,
    recipients: Iterable[User | int],
    key: str,
    title,
    body="",
    url: str = "",
    email: bool = True,
    subject: str = "",
) -> int:
    """Tell each recipient about the event `key`, at most once each. Returns how many are new.

    `title` and `body` are callables that return text (`lambda: _("...") % names`): each is
    called in the recipient's own language, so a notification and its email read in the
    language of the person told, not of the person acting. Plain text is stored as given.
    `subject` names the piece of work the notification asks for ("appversion:12"): once
    that work is done, `resolve` marks the notifications about it read for everyone."""
    ids = {r if isinstance(r, int) else r.pk for r in recipients}
    if not ids:
        return 0
    if callable(title) or callable(body):
        return notify_in_their_language(
            User.objects.filter(pk__in=ids),
            key=key,
            title=title,
            body=body,
            url=url,
            email=email,
            subject=subject,
        )
    return _notify(
        ids=ids, key=key, title=str(title), body=str(body), url=url, email=email, subject=subject
    )


def _notify(*, ids: set[int], key: str, title: str, body: str, url: str, email: bool, subject: str):
    with transaction.atomic():
        already = set(
            Notification.objects.filter(key=key, recipient_id__in=ids).values_list(
                "recipient_id", flat=True
            )
        )
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=rid,
                    key=key,
                    subject=subject,
                    title=title[:300],
                    body=body,
                    url=url,
                    email_due=email,
                )
                for rid in sorted(ids - already)
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        if email:
            # Everyone of this event whose email is still due, the already-told included:
            # a retried fan-out queues what its first run did not get to.
            pending = list(
                Notification.objects.filter(
                    key=key,
                    recipient_id__in=ids,
                    email_due=True,
                    email_sent_at__isnull=True,
                    email_failed_at__isnull=True,
                ).values_list("id", flat=True)
            )
            transaction.on_commit(lambda: _queue_notification_emails(pending))
    return len(ids - already)


def resolve(*, subject: str) -> int:
    """The work `subject` names is done (a version was decided, published, withdrawn):
    its unread notifications are marked read, for everyone they were sent to. One
    statement, whatever the number of people. Returns how many were marked."""
    if not subject:
        return 0
    return Notification.objects.filter(subject=subject, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def _queue_notification_emails(notification_ids: list[int]) -> None:
    enqueue_each(SEND_NOTIFICATION_EMAIL, notification_ids, key="notification_id")


def one_line(text: str) -> str:
    """A header (a subject) cannot hold a line break: the mail library would refuse it."""
    return " ".join(str(text).split())


def deliver_email(*, notification_id: int) -> bool:
    """Email one notification unless it was emailed already. Returns whether it sent.

    A transient failure (TRANSIENT_ERRORS) is raised for the task to retry; any other
    marks the notification's email failed, for good."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, email_sent_at__isnull=True, email_failed_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        if not (notification.recipient.email and notification.recipient.is_active):
            notification.email_due = False  # nobody to email: no longer pending
            notification.save(update_fields=["email_due"])
            return False
        body = notification.body
        if notification.url:
            body = f"{body}\n\n{settings.PORTAL_BASE_URL}{notification.url}".strip()
        message = EmailMultiAlternatives(
            subject=one_line(f"[{settings.PORTAL_NAME}] {notification.title}"),
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.recipient.email],
        )
        failure = _send(message, what=f"notification {notification_id}")
        field = "email_failed_at" if failure else "email_sent_at"
        setattr(notification, field, timezone.now())
        notification.save(update_fields=[field])
    return failure is None


def give_up_notification_email(*, notification_id: int, error: BaseException) -> None:
    """The mail server kept failing: the notification's email is marked failed."""
    logger.error("Notification %s not emailed: %s", notification_id, error)
    Notification.objects.filter(pk=notification_id, email_sent_at__isnull=True).update(
        email_failed_at=timezone.now()
    )


def _send(message: EmailMultiAlternatives, *, what: str) -> Exception | None:
    """Send; a transient error is raised (for a retry), any other returned (and logged)."""
    try:
        message.send()
    except TRANSIENT_ERRORS:
        raise
    except Exception as error:
        logger.exception("Email for %s failed for good", what)
        return error
    return None


def queue_email(
    *, to: list[str], subject: str, body: str, html_body: str = "", from_email: str = ""
) -> OutboundEmail:
    """Store an email and send it from the worker once the current transaction commits.
    The text stays in the database only until the email is sent (or fails for good)."""
    outbox = OutboundEmail.objects.create(
        to=to,
        subject=one_line(subject)[:300],
        body=body,
        html_body=html_body,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
    )
    enqueue_on_commit(SEND_EMAIL, outbox_id=outbox.pk)
    return outbox


def send_outbox_email(*, outbox_id: int) -> bool:
    """Send one stored email unless it was sent (or failed) already. Returns whether it sent.
    Either way the text is then forgotten: it may hold a password-reset link."""
    with transaction.atomic():
        outbox = (
            OutboundEmail.objects.select_for_update()
            .filter(pk=outbox_id, sent_at__isnull=True, failed_at__isnull=True)
            .first()
        )
        if outbox is None:
            return False
        message = EmailMultiAlternatives(
            subject=outbox.subject, body=outbox.body, from_email=outbox.from_email, to=outbox.to
        )
        if outbox.html_body:
            message.attach_alternative(outbox.html_body, "text/html")
        failure = _send(message, what=f"outbound email {outbox_id}")
        if failure is None:
            outbox.sent_at = timezone.now()
        else:
            outbox.failed_at, outbox.error = timezone.now(), str(failure)[:500]
        outbox.body = outbox.html_body = ""
        outbox.save(update_fields=["sent_at", "failed_at", "error", "body", "html_body"])
    return failure is None


def give_up_outbox_email(*, outbox_id: int, error: BaseException) -> None:
    """The mail server kept failing: the email is marked failed and its text forgotten."""
    logger.error("Outbound email %s not sent: %s", outbox_id, error)
    OutboundEmail.objects.filter(pk=outbox_id, sent_at__isnull=True).update(
        failed_at=timezone.now(), error=str(error)[:500], body="", html_body=""
    )


def mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())
