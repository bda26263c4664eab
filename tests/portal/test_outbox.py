"""The outbox: emails saved with the change that caused them are sent exactly once, even
when the broker was down or the worker died before handing them over."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager

import pytest
from django.core import mail
from django.urls import reverse
from kombu import pools

from portal import notifications
from portal.celery import app
from portal.models import Notification, OutboundEmail
from portal.tasks import reconcile_outbox
from tests.appstore.factories import image_upload
from tests.devices.factories import held_device

pytestmark = pytest.mark.django_db


def _forget_connections() -> None:
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def _broker(settings, url: str):
    """Tasks go to the broker at `url` (not run eagerly) for the duration."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    settings.CELERY_BROKER_URL = url
    app.conf.update(broker_url=url, task_always_eager=False)
    _forget_connections()
    try:
        yield
    finally:
        app.conf.update(saved)
        _forget_connections()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _frozen_broker():
    """A TCP server on 127.0.0.1 that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    accepted, stop = [], threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    finally:
        stop.set()
        thread.join(2)
        for conn in accepted:
            conn.close()
        server.close()


def _age(queryset, seconds: int = 600) -> None:
    from datetime import timedelta

    from django.utils import timezone

    queryset.update(created_at=timezone.now() - timedelta(seconds=seconds))


def test_reconcile_sends_notifications_saved_but_never_handed_over_exactly_once(employee, manager):
    # Saved, but the worker died before queueing their emails: no on-commit callback ran.
    notifications.notify(recipients=[employee, manager], key="lost", title="Lost")
    _age(Notification.objects.all())
    assert mail.outbox == []

    assert reconcile_outbox() == 2
    assert reconcile_outbox() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([employee.email, manager.email])
    assert not Notification.objects.filter(email_sent_at__isnull=True).exists()


def test_reconcile_sends_outbound_emails_never_handed_over_exactly_once():
    notifications.queue_email(to=["a@example.org"], subject="Sign in", body="Link")
    _age(OutboundEmail.objects.all())

    assert reconcile_outbox() == 1
    assert reconcile_outbox() == 0
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    assert OutboundEmail.objects.get().sent_at is not None


def test_reconcile_leaves_fresh_rows_and_notifications_without_email(employee, manager):
    notifications.notify(recipients=[employee], key="fresh", title="Fresh")
    notifications.notify(recipients=[manager], key="quiet", title="Quiet", email=False)
    _age(Notification.objects.filter(key="quiet"))
    assert reconcile_outbox() == 0
    assert mail.outbox == []


def test_reconcile_forgets_a_recipient_without_an_address(employee):
    employee.email = ""
    employee.save(update_fields=["email"])
    notifications.notify(recipients=[employee], key="k", title="T")
    _age(Notification.objects.all())
    assert reconcile_outbox() == 0
    assert Notification.objects.get().email_due is False


def test_a_retried_fan_out_queues_the_emails_its_first_run_did_not(
    employee, manager, django_capture_on_commit_callbacks
):
    notifications.notify(recipients=[employee], key="event", title="Event")  # died in the loop
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(recipients=[employee, manager], key="event", title="Event")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([employee.email, manager.email])


def test_a_password_reset_with_the_broker_down_answers_and_is_sent_later(
    client, employee, settings, django_capture_on_commit_callbacks
):
    down = f"redis://127.0.0.1:{_closed_port()}/0"
    with _broker(settings, down), django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": employee.email})
    assert response.status_code == 302
    outbox = OutboundEmail.objects.get()
    assert outbox.sent_at is None and mail.outbox == []

    _age(OutboundEmail.objects.all())
    assert reconcile_outbox() == 1
    assert [m.to for m in mail.outbox] == [[employee.email]]


def _report_fault(api_client, employee, logistics):
    device = held_device(holder=employee, desk=logistics)
    api_client.force_login(employee)
    return api_client.post(
        reverse("api:device_report_fault", kwargs={"pk": device.pk}),
        {"category": "screen", "description": "Cracked", "photos": [image_upload("one.png")]},
        format="multipart",
    )


def test_a_fault_report_with_the_broker_down_answers_and_the_desk_is_emailed_later(
    api_client, employee, logistics, settings, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    down = f"redis://127.0.0.1:{_closed_port()}/0"
    with _broker(settings, down), django_capture_on_commit_callbacks(execute=True):
        response = _report_fault(api_client, employee, logistics)
    assert response.status_code == 201, response.content
    pending = Notification.objects.filter(recipient=logistics, email_due=True)
    assert pending.filter(email_sent_at__isnull=True).count() == 1
    assert mail.outbox == []

    _age(Notification.objects.all())
    assert reconcile_outbox() >= 1
    assert logistics.email in [m.to[0] for m in mail.outbox]
    assert not pending.filter(email_sent_at__isnull=True).exists()


def test_with_a_frozen_broker_healthz_and_a_queueing_request_answer_within_seconds(
    client, employee, settings, django_capture_on_commit_callbacks
):
    with _frozen_broker() as url, _broker(settings, url):
        started = time.monotonic()
        response = client.get("/healthz")
        assert time.monotonic() - started < 3
        assert response.status_code == 503
        assert response.json()["failed"] == ["broker"]

        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/accounts/password/reset/", {"email": employee.email})
        assert time.monotonic() - started < 3
    assert response.status_code == 302
    assert OutboundEmail.objects.get().sent_at is None


def test_beat_runs_the_reconciler_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["portal-reconcile-outbox"]
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 60.0
