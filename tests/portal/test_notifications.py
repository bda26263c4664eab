"""Notifications: once per person per event, emailed after commit, at most once."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection, transaction

from portal import notifications
from portal.models import Notification
from portal.tasks import send_notification_email
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _notify_committed(capture, **kwargs) -> int:
    """`notify` as a service would call it, with its on-commit callbacks run."""
    with capture(execute=True):
        return notifications.notify(**kwargs)


def test_a_person_is_told_once_per_event(employee, manager, django_capture_on_commit_callbacks):
    event = {"recipients": [employee, manager], "key": "app:7:published", "title": "New"}
    first = _notify_committed(django_capture_on_commit_callbacks, **event)
    again = _notify_committed(django_capture_on_commit_callbacks, **event)
    assert (first, again) == (2, 0)
    assert Notification.objects.filter(recipient=employee).count() == 1
    assert Notification.objects.filter(recipient=manager).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([employee.email, manager.email])


def test_a_new_event_tells_the_person_again(employee, django_capture_on_commit_callbacks):
    _notify_committed(django_capture_on_commit_callbacks, recipients=[employee], key="a", title="A")
    _notify_committed(django_capture_on_commit_callbacks, recipients=[employee], key="b", title="B")
    assert Notification.objects.filter(recipient=employee).count() == 2
    assert len(mail.outbox) == 2


def test_recipients_may_be_ids_and_duplicates_count_once(employee):
    assert notifications.notify(recipients=[employee, employee.pk], key="k", title="T") == 1
    assert Notification.objects.filter(recipient=employee).count() == 1


def test_no_recipients_is_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        assert notifications.notify(recipients=[], key="k", title="T") == 0
    assert callbacks == []
    assert not Notification.objects.exists()


def test_the_email_is_queued_after_commit_not_before(employee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notifications.notify(recipients=[employee], key="k", title="Hello")
    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_the_email_names_the_portal_and_links_back(
    employee, settings, django_capture_on_commit_callbacks
):
    _notify_committed(
        django_capture_on_commit_callbacks,
        recipients=[employee],
        key="k",
        title="Your order was approved",
        body="Pick it up at the desk.",
        url="/orders/7/",
    )
    (message,) = mail.outbox
    assert message.subject == f"[{settings.PORTAL_NAME}] Your order was approved"
    assert message.to == [employee.email]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert "Pick it up at the desk." in message.body
    assert f"{settings.PORTAL_BASE_URL}/orders/7/" in message.body


def test_deliver_email_run_twice_sends_once(employee):
    notifications.notify(recipients=[employee], key="k", title="Hello", email=False)
    notification = Notification.objects.get()
    assert notifications.deliver_email(notification_id=notification.pk) is True
    assert notifications.deliver_email(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.email_sent_at is not None


def test_the_email_task_run_twice_sends_once(employee):
    notifications.notify(recipients=[employee], key="k", title="Hello", email=False)
    notification = Notification.objects.get()
    assert send_notification_email.apply(args=[notification.pk]).get() is True
    assert send_notification_email.apply(args=[notification.pk]).get() is False
    assert len(mail.outbox) == 1


def test_the_email_task_for_a_deleted_notification_does_nothing():
    assert send_notification_email.apply(args=[987654321]).get() is False
    assert mail.outbox == []


def test_an_inactive_person_gets_no_email(django_capture_on_commit_callbacks):
    leaver = UserFactory(is_active=False)
    _notify_committed(django_capture_on_commit_callbacks, recipients=[leaver], key="k", title="T")
    assert mail.outbox == []
    assert Notification.objects.get(recipient=leaver).email_sent_at is None


def test_a_person_without_an_address_gets_no_email(django_capture_on_commit_callbacks):
    person = UserFactory(email="")
    _notify_committed(django_capture_on_commit_callbacks, recipients=[person], key="k", title="T")
    assert mail.outbox == []


def test_nothing_is_emailed_when_the_change_is_rolled_back(
    employee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                notifications.notify(recipients=[employee], key="k", title="Hello")
                raise RuntimeError("the service failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_nothing_is_emailed_when_a_real_transaction_rolls_back(employee):
    with pytest.raises(RuntimeError), transaction.atomic():
        notifications.notify(recipients=[employee], key="k", title="Hello")
        raise RuntimeError("the service failed")
    assert not Notification.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_two_services_telling_the_same_event_at_once_make_one_row_and_one_email(employee):
    start = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []

    def tell():
        try:
            start.wait()
            notifications.notify(recipients=[employee], key="race", title="Once")
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tell) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert Notification.objects.filter(recipient=employee, key="race").count() == 1
    assert len(mail.outbox) == 1


def test_mark_read_with_ids_marks_only_those(employee):
    for key in ("a", "b"):
        notifications.notify(recipients=[employee], key=key, title=key, email=False)
    first = Notification.objects.get(key="a")
    assert notifications.mark_read(user=employee, notification_ids=[first.pk]) == 1
    assert set(Notification.objects.filter(read_at__isnull=True).values_list("key", flat=True)) == {
        "b"
    }


def test_mark_read_cannot_touch_someone_elses(employee, manager):
    notifications.notify(recipients=[manager], key="k", title="T", email=False)
    theirs = Notification.objects.get()
    assert notifications.mark_read(user=employee, notification_ids=[theirs.pk]) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_callable_title_is_written_in_each_recipients_language(
    django_capture_on_commit_callbacks,
):
    from django.utils.translation import gettext as _

    norwegian = UserFactory(preferred_language="nb")
    swede = UserFactory(preferred_language="sv")
    english = UserFactory(preferred_language="en")
    _notify_committed(
        django_capture_on_commit_callbacks,
        recipients=[norwegian, swede, english],
        key="language-test",
        title=lambda: _("Notifications"),
    )
    titles = dict(
        Notification.objects.filter(key="language-test").values_list("recipient_id", "title")
    )
    assert titles[english.pk] == "Notifications"
    assert titles[norwegian.pk] != "Notifications" and titles[swede.pk] != "Notifications"
    by_address = {m.to[0]: m.subject for m in mail.outbox}
    assert titles[norwegian.pk] in by_address[norwegian.email]


def test_resolving_marks_the_subjects_unread_notifications_read_for_everyone_at_once(
    employee, manager, django_assert_num_queries
):
    notifications.notify(
        recipients=[employee, manager], key="work:1:asked", subject="work:1", title="Do it"
    )
    notifications.notify(recipients=[employee], key="other", subject="work:2", title="Other")

    with django_assert_num_queries(1):
        assert notifications.resolve(subject="work:1") == 2

    unread = Notification.objects.filter(read_at__isnull=True)
    assert list(unread.values_list("key", flat=True)) == ["other"]
    assert notifications.resolve(subject="") == 0


def test_a_task_is_queued_by_its_name(employee, django_capture_on_commit_callbacks):
    from portal import queue

    notifications.notify(recipients=[employee], key="by-name", title="T", email=False)
    notification = Notification.objects.get(key="by-name")
    Notification.objects.filter(pk=notification.pk).update(email_due=True)

    assert queue.enqueue("portal.tasks.send_notification_email", notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.email_sent_at is not None
