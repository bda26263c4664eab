"""Email delivery: no secret kept after sending or shown in the admin, and a failing email
never fails the request that caused it."""

from __future__ import annotations

from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.mail import BadHeaderError
from django.core.mail.backends.base import BaseEmailBackend
from kombu.exceptions import OperationalError

from portal import notifications
from portal.models import Notification, OutboundEmail
from portal.tasks import send_email, send_notification_email

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"
RESET_LINK = "/accounts/password/reset/key/"


class RefusingBackend(BaseEmailBackend):
    """A mail library that refuses every message for good (a bad header, say)."""

    def send_messages(self, messages):
        raise BadHeaderError("Header values can't contain newlines")


class AwayBackend(BaseEmailBackend):
    """A mail server that is away: a transient error, every time."""

    calls = 0

    def send_messages(self, messages):
        AwayBackend.calls += 1
        raise SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth limits password resets per address (in the cache); each test starts anew."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def refusing_mail(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"


@pytest.fixture
def mail_server_away(settings, monkeypatch):
    """Run eagerly, a task's retries run at once, one after the other, as a worker would
    run them later; propagating the Retry (as the settings do) would stop after the first."""
    from portal.celery import app

    settings.EMAIL_BACKEND = f"{__name__}.AwayBackend"
    AwayBackend.calls = 0
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)


def _ask_for_a_reset(client, person, capture) -> OutboundEmail:
    with capture(execute=True):
        response = client.post(RESET, {"email": person.email})
    assert response.status_code == 302
    return OutboundEmail.objects.get()


def test_a_sent_email_keeps_no_text(client, employee, django_capture_on_commit_callbacks):
    outbox = _ask_for_a_reset(client, employee, django_capture_on_commit_callbacks)
    assert RESET_LINK in mail.outbox[0].body
    assert outbox.sent_at is not None
    assert (outbox.body, outbox.html_body) == ("", "")
    assert outbox.subject and outbox.to == [employee.email]


def test_the_admin_never_shows_the_text_of_an_unsent_email(
    client, client_for, admin_user, employee, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = False
    with django_capture_on_commit_callbacks(execute=False):
        client.post(RESET, {"email": employee.email})
    outbox = OutboundEmail.objects.get()
    assert RESET_LINK in outbox.body
    admin = client_for(admin_user)
    for page in [
        "/admin/portal/outboundemail/",
        f"/admin/portal/outboundemail/{outbox.pk}/change/",
    ]:
        response = admin.get(page)
        assert response.status_code == 200
        assert RESET_LINK not in response.content.decode()
        assert outbox.subject in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_email_that_fails_for_good_does_not_fail_the_request(client, employee, refusing_mail):
    response = client.post(RESET, {"email": employee.email})
    assert response.status_code == 302
    outbox = OutboundEmail.objects.get()
    assert outbox.sent_at is None and outbox.failed_at is not None
    assert "newlines" in outbox.error
    assert (outbox.body, outbox.html_body) == ("", "")
    assert send_email.apply(kwargs={"outbox_id": outbox.pk}).result is False


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_is_away_does_not_fail_the_request(client, employee, monkeypatch):
    def broker_away(**kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(send_email, "apply_async", broker_away)
    assert client.post(RESET, {"email": employee.email}).status_code == 302
    outbox = OutboundEmail.objects.get()
    assert outbox.sent_at is None and outbox.failed_at is None
    assert RESET_LINK in outbox.body  # still there for a later try


def test_a_transient_failure_is_retried_then_marked_failed(employee, mail_server_away):
    outbox = notifications.queue_email(to=[employee.email], subject="Hello", body="Secret link")
    assert send_email.apply(kwargs={"outbox_id": outbox.pk}).result is False
    assert AwayBackend.calls == send_email.max_retries + 1
    outbox.refresh_from_db()
    assert outbox.failed_at is not None and outbox.sent_at is None
    assert "unexpectedly closed" in outbox.error
    assert outbox.body == ""


def test_a_line_break_in_a_notification_title_is_sent_on_one_line(
    employee, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(recipients=[employee], key="k", title="Meter\nreader 2.0\r\n")
    assert [m.subject for m in mail.outbox] == [f"[{settings.PORTAL_NAME}] Meter reader 2.0"]
    assert Notification.objects.get().email_sent_at is not None


def test_a_notification_email_that_fails_for_good_is_marked_failed(
    employee, refusing_mail, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(recipients=[employee], key="k", title="Hello")
    notification = Notification.objects.get()
    assert notification.email_sent_at is None and notification.email_failed_at is not None
    assert send_notification_email.apply(args=[notification.pk]).result is False


def test_a_notification_email_is_retried_while_the_server_is_away(employee, mail_server_away):
    notifications.notify(recipients=[employee], key="k", title="Hello", email=False)
    notification = Notification.objects.get()
    assert send_notification_email.apply(args=[notification.pk]).result is False
    assert AwayBackend.calls == send_notification_email.max_retries + 1
    notification.refresh_from_db()
    assert notification.email_failed_at is not None
