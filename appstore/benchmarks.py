"""The app store's share of the `city` profile: 300 apps with 3,000 versions (two platforms
each) for mixed audiences (everyone, a department, a work pattern), ten ratings and twenty
installations per app, and a dozen apps installed by the benchmark's employee."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from appstore.choices import Category, DataClassification, InstallSource, Platform, VersionState
from appstore.models import App, AppArtifact, AppVersion, Installation, Rating
from portal.benchmarking import CityBuild, CityPage, register_city_builder, register_city_pages
from portal.choices import WorkPattern

SLUG_PREFIX = "city-app-"
EMPLOYEE = "city-employee"
WORDS = ["Vann", "Visit", "School", "Route", "Secure", "Field", "Meter", "Care", "Waste", "Road"]
NOUNS = ["planner", "inspection", "log", "check", "guide", "rota", "report"]
RATINGS, INSTALLS, MINE = 10, 20, 12  # per app, per app, the employee's


def build(city: CityBuild) -> None:
    units, people = city.made["unit_ids"], city.made["person_ids"]
    apps = _apps(city.count(300, least=3), units)
    per_app = max(1, city.count(3_000, least=3) // len(apps))
    latest = _versions(apps, per_app)
    others = people[1:]  # the first is the benchmark's employee, who installs on their own
    Rating.objects.bulk_create(
        [
            Rating(user_id=others[(n * RATINGS + k) % len(others)], app=app, stars=1 + (n + k) % 5)
            for n, app in enumerate(apps)
            for k in range(min(RATINGS, len(others)))
        ],
        batch_size=5000,
    )
    installs = [
        Installation(
            user_id=others[(n * INSTALLS + k) % len(others)],
            app=app,
            version=latest[app.pk],
            platform=Platform.ANDROID,
            source=InstallSource.MDM,
        )
        for n, app in enumerate(apps)
        for k in range(min(INSTALLS, len(others)))
    ]
    installs += [
        Installation(
            user_id=people[0],
            app=app,
            version=latest[app.pk],
            platform=Platform.IOS,
            source=InstallSource.PORTAL,
        )
        for app in [a for a in apps if a.audience_everyone][:MINE]
    ]
    Installation.objects.bulk_create(installs, batch_size=5000, ignore_conflicts=True)
    from appstore import services

    services.refresh_search(app_ids=[app.pk for app in apps])
    city.stdout.write(f"  {len(apps)} apps, {len(latest) * per_app} versions")


def _apps(count: int, units: list[int]) -> list[App]:
    categories = Category.values
    apps = App.objects.bulk_create(
        [
            App(
                name=f"{WORDS[i % len(WORDS)]} {NOUNS[(i // len(WORDS)) % len(NOUNS)]} {i}",
                slug=f"{SLUG_PREFIX}{i}",
                summary=f"{WORDS[i % len(WORDS)]} work in the field, app number {i}",
                description="Made to measure the catalogue at the city profile.",
                category=categories[i % len(categories)],
                department_id=units[i % len(units)],
                support_contact="city@example.org",
                audience_everyone=i % 3 == 1,
                audience_work_patterns=[WorkPattern.FRONTLINE] if i % 3 == 2 else [],
                is_required=i % 25 == 0,
                is_featured=i % 30 == 0,
            )
            for i in range(count)
        ],
        batch_size=1000,
    )
    targeted = App.audience_departments.through
    targeted.objects.bulk_create(
        [
            targeted(app_id=app.pk, department_id=units[n % len(units)])
            for n, app in enumerate(apps)
            if n % 3 == 0
        ],
        batch_size=5000,
    )
    return apps


def _versions(apps: list[App], per_app: int) -> dict[int, AppVersion]:
    now = timezone.now()
    rows = [
        AppVersion(
            app=app,
            version=f"1.{n}.0",
            major=1,
            minor=n,
            patch=0,
            state=VersionState.PUBLISHED if n == per_app - 1 else VersionState.SUPERSEDED,
            release_notes="Faster.",
            data_classification=DataClassification.INTERNAL,
            submitted_at=now,
            published_at=now,
        )
        for app in apps
        for n in range(per_app)
    ]
    made = AppVersion.objects.bulk_create(rows, batch_size=5000)
    AppArtifact.objects.bulk_create(
        [
            AppArtifact(version=v, platform=p, mdm_identifier=f"org.city.{v.pk}")
            for v in made
            for p in (Platform.ANDROID, Platform.IOS)
        ],
        batch_size=5000,
    )
    return {v.app_id: v for v in made}


def clear() -> None:
    App.objects.filter(slug__startswith=SLUG_PREFIX).delete()


def pages() -> list[CityPage]:
    shown = App.objects.filter(slug__startswith=SLUG_PREFIX, audience_everyone=True)
    sample = shown.order_by("pk")[shown.count() // 2]
    return [
        CityPage("/apps/ store home", reverse("appstore:home"), EMPLOYEE),
        CityPage("/apps/search/?q=care", reverse("appstore:search") + "?q=care", EMPLOYEE),
        CityPage("an app page", reverse("appstore:detail", args=[sample.slug]), EMPLOYEE),
        CityPage("/apps/mine/", reverse("appstore:mine"), EMPLOYEE),
        CityPage(
            "/api/v1/apps/", reverse("api:app_list"), EMPLOYEE, {"Accept": "application/json"}
        ),
    ]


def register() -> None:
    register_city_builder("apps", 10, build, clear)
    register_city_pages(pages, order=10)
