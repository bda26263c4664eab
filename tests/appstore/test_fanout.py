"""A publication's audience is told in chunks: short tasks, each idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from appstore import tasks
from appstore.services import announcements
from portal.models import Notification, User
from tests.appstore.factories import make_app, publish
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chunks_of_two(monkeypatch):
    monkeypatch.setattr(announcements, "CHUNK_SIZE", 2)
    queued = []
    original = tasks.announce_required.apply_async

    def counting(*args, **kwargs):
        queued.append(kwargs.get("args"))
        return original(*args, **kwargs)

    monkeypatch.setattr(tasks.announce_required, "apply_async", counting)
    return queued


def test_a_large_audience_is_told_in_chunks_each_person_once(
    appowner, reviewer, chunks_of_two, django_capture_on_commit_callbacks
):
    UserFactory.create_batch(5)
    app = make_app(owner=appowner, is_required=True)
    with django_capture_on_commit_callbacks(execute=True):
        publish(owner=appowner, reviewer=reviewer, app=app)

    everyone = set(User.objects.filter(is_active=True).values_list("pk", flat=True))
    key = f"app:{app.pk}:required"
    told = list(Notification.objects.filter(key=key).values_list("recipient_id", flat=True))
    assert sorted(told) == sorted(everyone)
    chunks = [args for args in chunks_of_two if args and len(args) == 2 and args[1]]
    assert len(chunks) == (len(everyone) + 1) // 2
    assert all(len(ids) <= 2 for _, ids in chunks)
    emailed = [m.to[0] for m in mail.outbox if "required app was assigned" in m.subject]
    assert len(emailed) == len(everyone) == len(set(emailed))
    assert not Notification.objects.filter(key=key, email_sent_at__isnull=True).exists()


def test_a_chunk_run_twice_tells_and_emails_nobody_twice(
    appowner, reviewer, chunks_of_two, django_capture_on_commit_callbacks
):
    people = UserFactory.create_batch(3)
    app = make_app(owner=appowner, is_required=True)
    with django_capture_on_commit_callbacks(execute=True):
        publish(owner=appowner, reviewer=reviewer, app=app)
    before = (Notification.objects.count(), len(mail.outbox))

    chunk = [people[0].pk, people[1].pk]
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.announce_required.apply(args=(app.pk, chunk)).result == 0
    assert (Notification.objects.count(), len(mail.outbox)) == before


def test_a_chunk_tells_only_those_still_in_the_audience(appowner, reviewer, chunks_of_two):
    stayed, left = UserFactory.create_batch(2)
    app = make_app(owner=appowner, is_required=True)
    publish(owner=appowner, reviewer=reviewer, app=app)
    Notification.objects.all().delete()
    User.objects.filter(pk=left.pk).update(is_active=False)

    assert announcements.announce_required(app_id=app.pk, user_ids=[stayed.pk, left.pk]) == 1
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [stayed.pk]


def test_the_fanout_benchmark_prints_its_figures_and_leaves_nothing_behind():
    out = StringIO()
    call_command("benchmark_fanout", people=520, emails=5, stdout=out)
    text = out.getvalue()
    assert "notified (all chunks)        520" in text
    assert "2 chunks of 500" in text
    assert "emailed (to memory)            5" in text
    assert not User.objects.filter(username__startswith="bench-fanout-").exists()


def _publish_with_the_broker_away(monkeypatch, django_capture_on_commit_callbacks, **kwargs):
    """Publish while handing the announcement to the broker fails (enqueue logs it)."""

    def refused(*args, **kwargs):
        raise ConnectionRefusedError("broker away")

    with monkeypatch.context() as patched:
        patched.setattr(tasks.announce_publication, "apply_async", refused)
        with django_capture_on_commit_callbacks(execute=True):
            return publish(**kwargs)


def test_a_publication_whose_announcement_never_ran_is_announced_by_the_reconciler(
    appowner, reviewer, monkeypatch, django_capture_on_commit_callbacks
):
    UserFactory.create_batch(3)
    app = make_app(owner=appowner, is_required=True)
    version = _publish_with_the_broker_away(
        monkeypatch, django_capture_on_commit_callbacks, owner=appowner, reviewer=reviewer, app=app
    )
    key = f"app:{app.pk}:required"
    assert not Notification.objects.filter(key=key).exists()
    version.refresh_from_db()
    assert version.announced_at is None

    assert announcements.reconcile_announcements(grace_seconds=3600) == []  # not yet due
    with django_capture_on_commit_callbacks(execute=True):
        queued = announcements.reconcile_announcements(grace_seconds=0)
        again = announcements.reconcile_announcements(grace_seconds=0)

    everyone = set(User.objects.filter(is_active=True).values_list("pk", flat=True))
    assert queued == [version.pk] and again == []
    told = list(Notification.objects.filter(key=key).values_list("recipient_id", flat=True))
    assert sorted(told) == sorted(everyone)
    version.refresh_from_db()
    assert version.announced_at is not None


def test_an_announced_publication_is_not_announced_again(
    appowner, reviewer, django_capture_on_commit_callbacks
):
    app = make_app(owner=appowner, is_required=True)
    with django_capture_on_commit_callbacks(execute=True):
        version = publish(owner=appowner, reviewer=reviewer, app=app)
    version.refresh_from_db()

    assert version.announced_at is not None
    assert announcements.reconcile_announcements(grace_seconds=0) == []
