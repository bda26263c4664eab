"""Email tasks through a real Celery worker and the machine's Redis broker.

Skipped when Redis does not answer, except in CI (env CI set), where that is a failure.
Each run uses a queue of its own, so test runs sharing the Redis database cannot take
each other's tasks.
"""

from __future__ import annotations

import os
import time
import uuid

import pytest
from django.core import mail
from kombu import pools

from portal import notifications
from portal.celery import app
from portal.choices import Role
from portal.models import Notification, User
from portal.tasks import send_notification_email
from tests.factories import DepartmentFactory, UserFactory

BROKER_URL = os.environ.get("PORTAL_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
WAIT_SECONDS = 20
ROUTING = ("task_default_queue", "task_default_exchange", "task_default_routing_key")


def _redis_answers() -> bool:
    import redis

    try:
        client = redis.Redis.from_url(BROKER_URL, socket_connect_timeout=1, socket_timeout=1)
        return bool(client.ping())
    except redis.RedisError:
        return False


def _forget_connections_and_routes() -> None:
    """Celery builds its pools, queues and router lazily from the configuration."""
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    for cached in ("queues", "default_queue", "default_exchange", "router"):
        app.amqp.__dict__.pop(cached, None)


@pytest.fixture
def real_worker(transactional_db, settings):
    if not _redis_answers():
        if os.environ.get("CI"):
            pytest.fail(f"Redis does not answer at {BROKER_URL}")
        pytest.skip(f"Redis does not answer at {BROKER_URL}")
    from celery.contrib.testing.worker import start_worker

    queue = f"portal-test-{uuid.uuid4().hex}"
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", *ROUTING)}
    settings.CELERY_BROKER_URL = BROKER_URL
    app.conf.update(broker_url=BROKER_URL, task_always_eager=False, **dict.fromkeys(ROUTING, queue))
    _forget_connections_and_routes()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.update(saved)
        _forget_connections_and_routes()
        _delete_queue(queue)


def _delete_queue(queue: str) -> None:
    import redis

    client = redis.Redis.from_url(BROKER_URL, socket_connect_timeout=1, socket_timeout=1)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def _wait_until_emailed(notification: Notification) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        notification.refresh_from_db()
        if notification.email_sent_at:
            return
        time.sleep(0.1)


@pytest.mark.broker
def test_a_real_worker_emails_a_notification(real_worker):
    person = UserFactory()
    notifications.notify(
        recipients=[person], key="worker-test", title="From the worker", email=False
    )
    notification = Notification.objects.get(recipient=person)

    send_notification_email.delay(notification.pk)

    _wait_until_emailed(notification)
    assert notification.email_sent_at is not None
    assert [m.subject for m in mail.outbox] == ["[Workforce Portal] From the worker"]
    assert mail.outbox[0].to == [person.email]


@pytest.mark.broker
def test_notify_queues_through_the_broker_after_commit(real_worker):
    person = UserFactory()
    notifications.notify(recipients=[person], key="worker-notify", title="Queued")
    notification = Notification.objects.get(recipient=person)
    _wait_until_emailed(notification)
    assert notification.email_sent_at is not None
    assert len(mail.outbox) == 1


def _wait_for(condition) -> bool:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.broker
def test_the_reconciler_on_a_real_worker_sends_what_was_never_handed_over(real_worker):
    from portal.tasks import reconcile_outbox

    people = UserFactory.create_batch(3)
    # Saved while the broker was away: written, never queued.
    Notification.objects.bulk_create(
        [Notification(recipient=p, key="missed", title="Missed", email_due=True) for p in people]
    )
    reconcile_outbox.delay(grace_seconds=0)
    reconcile_outbox.delay(grace_seconds=0)
    due = Notification.objects.filter(key="missed", email_sent_at__isnull=True)
    assert _wait_for(lambda: not due.exists())
    time.sleep(0.5)  # the second run finds nothing left
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)


@pytest.mark.broker
def test_a_chunked_announcement_on_a_real_worker_tells_and_emails_each_person_once(
    real_worker, monkeypatch
):
    from appstore import tasks
    from appstore.services import announcements
    from tests.appstore.factories import make_app, publish

    monkeypatch.setattr(announcements, "CHUNK_SIZE", 2)
    owner = UserFactory(department=DepartmentFactory(), roles=[Role.APP_OWNER])
    reviewer = UserFactory(roles=[Role.IT_REVIEWER])
    UserFactory.create_batch(4)
    app = make_app(owner=owner, is_required=True)
    publish(owner=owner, reviewer=reviewer, app=app)
    key = f"app:{app.pk}:required"
    everyone = set(User.objects.filter(is_active=True).values_list("pk", flat=True))
    told = Notification.objects.filter(key=key)
    assert _wait_for(lambda: told.filter(email_sent_at__isnull=False).count() == len(everyone))
    tasks.announce_required.delay(app.pk, sorted(everyone)[:2])  # a chunk delivered twice
    time.sleep(1)
    assert told.count() == len(everyone)
    assert len([m for m in mail.outbox if "required app" in m.subject]) == len(everyone)
