"""`manage.py benchmark_catalogue`: the store at the `city` profile, with figures.

Creates 300 apps with 3,000 versions (two platforms each), 3,000 ratings and installations
inside a transaction that is rolled back, then times the pages and endpoints an employee
uses most and prints the median of several runs with the number of SQL queries.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.utils import timezone

from appstore import services
from appstore.choices import Category, DataClassification, InstallSource, Platform, VersionState
from appstore.models import App, AppArtifact, AppVersion, Installation, Rating
from portal.benchmarking import rolled_back, time_pages
from portal.models import Department, User

WORDS = ["Vann", "Visit", "School", "Route", "Secure", "Field", "Meter", "Care", "Waste", "Road"]


class Command(BaseCommand):
    help = "Time the app store with 300 apps and 3,000 versions (rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--apps", type=int, default=300)
        parser.add_argument("--versions", type=int, default=10, help="versions per app")
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, apps: int, versions: int, runs: int, **options):
        rolled_back(lambda: self._run(apps=apps, versions=versions, runs=runs), self.stdout)

    def _run(self, *, apps: int, versions: int, runs: int) -> None:
        started = time.perf_counter()
        department = Department.objects.create(name="Bench", code="bench-store", cost_centre="BS")
        person = User.objects.create(username="bench-employee", department=department)
        categories = Category.values
        made = App.objects.bulk_create(
            [
                App(
                    name=f"{WORDS[i % len(WORDS)]}inspeksjon {i}",
                    slug=f"bench-app-{i}",
                    summary=f"Benchmark app number {i}",
                    description="Made to measure the catalogue at the city profile.",
                    category=categories[i % len(categories)],
                    department=department,
                    support_contact="bench@example.org",
                    audience_everyone=True,
                    is_required=i % 25 == 0,
                    is_featured=i % 30 == 0,
                )
                for i in range(apps)
            ],
            batch_size=1000,
        )
        now = timezone.now()
        rows = []
        for app in made:
            for n in range(versions):
                state = VersionState.PUBLISHED if n == versions - 1 else VersionState.SUPERSEDED
                rows.append(
                    AppVersion(
                        app=app,
                        version=f"1.{n}.0",
                        major=1,
                        minor=n,
                        patch=0,
                        state=state,
                        release_notes="Faster.",
                        data_classification=DataClassification.INTERNAL,
                        submitted_at=now,
                        published_at=now,
                    )
                )
        made_versions = AppVersion.objects.bulk_create(rows, batch_size=2000)
        AppArtifact.objects.bulk_create(
            [
                AppArtifact(version=v, platform=p, mdm_identifier=f"org.bench.{v.pk}")
                for v in made_versions
                for p in (Platform.ANDROID, Platform.IOS)
            ],
            batch_size=5000,
        )
        latest = {v.app_id: v for v in made_versions}
        Rating.objects.bulk_create(
            [Rating(user=person, app=app, stars=1 + app.pk % 5) for app in made], batch_size=2000
        )
        Installation.objects.bulk_create(
            [
                Installation(
                    user=person,
                    app=app,
                    version=latest[app.pk],
                    platform=Platform.ANDROID,
                    source=InstallSource.MDM,
                )
                for app in made[:50]
            ]
        )
        services.refresh_search(app_ids=[app.pk for app in made])
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE appstore_app; ANALYZE appstore_appversion;")
            cursor.execute("ANALYZE appstore_appartifact; ANALYZE appstore_rating;")
        elapsed = time.perf_counter() - started
        self.stdout.write(f"data: {apps} apps, {len(made_versions)} versions in {elapsed:.1f} s")

        client = Client()
        client.force_login(person)
        sample = made[len(made) // 2]
        time_pages(
            self.stdout,
            client,
            {
                "store home": "/apps/",
                "search 'vann'": "/apps/search/?q=vann",
                "search + platform filter": "/apps/search/?q=insp&platform=ios",
                "search, page 5": "/apps/search/?page=5",
                "app page": f"/apps/{sample.slug}/",
                "my apps": "/apps/mine/",
                "API apps list": "/api/v1/apps/",
                "API apps search": "/api/v1/apps/?q=vann",
                "API app detail": f"/api/v1/apps/{sample.slug}/",
            },
            runs=runs,
        )
