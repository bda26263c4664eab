"""`manage.py benchmark_fanout`: a required app announced to 30,000 people, with figures.

Creates N people in one department and a required app for that department inside a
transaction that is rolled back, then times, with tasks run eagerly: the announcement
(the audience listed and split into chunks, each chunk's notifications written in its own
task) and the emails (the outbox reconciler sending every due email, to memory).
"""

from __future__ import annotations

import math
import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from appstore import tasks
from appstore.choices import Category, DataClassification, VersionState
from appstore.models import App, AppVersion
from appstore.services import announcements
from portal.benchmarking import rolled_back
from portal.celery import app as celery_app
from portal.models import Department, Notification, User
from portal.tasks import reconcile_outbox


class Command(BaseCommand):
    help = "Time announcing a required app to 30,000 people in chunks (rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=30_000)
        parser.add_argument("--emails", type=int, default=3_000, help="how many to email")

    def handle(self, *args, people: int, emails: int, **options):
        self.emails = min(emails, people)
        saved = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = True
        try:
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                rolled_back(lambda: self._run(people=people), self.stdout)
        finally:
            celery_app.conf.task_always_eager = saved

    def _run(self, *, people: int) -> None:
        started = time.perf_counter()
        app = self._required_app(people)
        self._figure("setup", time.perf_counter() - started, people)

        started = time.perf_counter()
        tasks.announce_required.apply(args=(app.pk,))
        elapsed = time.perf_counter() - started
        told = Notification.objects.filter(key=f"app:{app.pk}:required").count()
        chunks = math.ceil(people / announcements.CHUNK_SIZE)
        self._figure("notified (all chunks)", elapsed, told)
        self.stdout.write(
            f"{chunks} chunks of {announcements.CHUNK_SIZE}: "
            f"{elapsed / chunks * 1000:.0f} ms per chunk task on average"
        )

        started = time.perf_counter()
        emailed = reconcile_outbox(grace_seconds=0, batch=self.emails)
        self._figure("emailed (to memory)", time.perf_counter() - started, emailed)

    def _figure(self, label: str, seconds: float, count: int) -> None:
        rate = count / seconds if seconds else 0
        self.stdout.write(f"{label:24} {count:7d} in {seconds:7.1f} s ({rate:,.0f}/s)")

    def _required_app(self, people: int) -> App:
        department = Department.objects.create(name="Bench", code="bench-fanout", cost_centre="BF")
        User.objects.bulk_create(
            [
                User(
                    username=f"bench-fanout-{i}",
                    email=f"bench-fanout-{i}@example.org",
                    department=department,
                    preferred_language=("nb", "en", "")[i % 3],
                )
                for i in range(people)
            ],
            batch_size=2000,
        )
        app = App.objects.create(
            name="Bench fan-out",
            slug="bench-fanout",
            summary="Announced to everyone",
            category=Category.values[0],
            department=department,
            support_contact="bench@example.org",
            audience_everyone=False,
            is_required=True,
        )
        app.audience_departments.add(department)
        with connection.cursor() as cursor:  # statistics as autovacuum would keep them
            cursor.execute(f"ANALYZE {User._meta.db_table}")
        AppVersion.objects.create(
            app=app,
            version="1.0.0",
            major=1,
            minor=0,
            patch=0,
            state=VersionState.PUBLISHED,
            data_classification=DataClassification.INTERNAL,
            published_at=timezone.now(),
        )
        return app
