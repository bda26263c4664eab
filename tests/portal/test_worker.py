"""Tasks through a real Celery worker and the machine's Redis broker."""

from __future__ import annotations

import os
import time

import pytest
from django.core import mail

from portal import notifications
from portal.celery import app
from portal.models import Notification

BROKER_URL = os.environ.get("PORTAL_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")


def _redis_answers() -> bool:
    import redis

    try:
        return redis.Redis.from_url(BROKER_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def _forget_connections() -> None:
    """Celery builds its connection and producer pools lazily from broker_url."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def real_worker(transactional_db, settings):
    if not _redis_answers():
        if os.environ.get("CI"):
            pytest.fail(f"Redis does not answer at {BROKER_URL}")
        pytest.skip(f"Redis does not answer at {BROKER_URL}")
    from celery.contrib.testing.worker import start_worker

    settings.CELERY_BROKER_URL = BROKER_URL
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=BROKER_URL, task_always_eager=False)
    _forget_connections()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.update(saved)
        _forget_connections()


@pytest.mark.broker
def test_notification_email_is_sent_by_a_real_worker_after_commit(real_worker):
    from tests.factories import UserFactory

    person = UserFactory()
    notifications.notify(recipients=[person], key="worker-test", title="From the worker")
    notification = Notification.objects.get(recipient=person)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        notification.refresh_from_db()
        if notification.email_sent_at:
            break
        time.sleep(0.2)
    assert notification.email_sent_at is not None
    assert [m.subject for m in mail.outbox] == ["[Workforce Portal] From the worker"]
