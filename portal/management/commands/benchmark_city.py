"""`manage.py benchmark_city`: every main page at the `city` profile, against a bare page.

Builds the `city` profile of PRODUCT.md (30,000 people, 400 departments, 55,000 devices,
300 apps with 3,000 versions, 15,000 repair cases and some return cases) ONCE into the
database it runs on, with bulk inserts, and keeps it: a later run finds the build (the
root department `city-root`, renamed when the build completed) and goes straight to the
measuring; `--rebuild` removes the build and makes it again. Each domain app registers its
share and its pages in its AppConfig.ready() (`portal.benchmarking`).

Then, with production-like settings (DEBUG off, so the template engine runs without debug
information and the cached template loader; SQL is not logged), it requests each page
through the test client as the person who uses it and prints the CPU one request costs:
this process's CPU time plus that of its PostgreSQL backend (read from /proc when the
server runs on this machine), the wall time, the SQL queries, and the ratio to a bare
50-card page (`portal/benchmark_cards.html`) measured the same way in the same run: its
requests alternate with the page's, so a busy machine weighs on both alike.
"""

from __future__ import annotations

import gc
import statistics
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.template import engines
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from portal.benchmark_urls import CARDS_URL
from portal.benchmarking import (
    CITY_ROOT_CODE,
    CityBuild,
    CityPage,
    CpuClock,
    city_builders,
    city_pages,
)
from portal.models import Department, User

BUILT = "City, built at scale "
TEMPLATE_LABEL = "bare 50-card template"


class Command(BaseCommand):
    help = "Build the city profile once (kept) and measure every main page against a bare page."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=None, help="of the city figures (default 1)"
        )
        parser.add_argument("--rebuild", action="store_true", help="remove the build, build again")
        parser.add_argument("--runs", type=int, default=10, help="requests per page measured")
        parser.add_argument("--build-only", action="store_true", help="build, do not measure")
        parser.add_argument(
            "--only", default="", help="measure only the pages whose label contains this"
        )

    def handle(self, *args, scale, rebuild, runs, build_only, only, **options):
        built = built_scale()
        if built is not None and not rebuild:
            self.stdout.write(f"Reusing the city build at scale {built:g} (--rebuild to redo).")
            if scale is not None and scale != built:
                self.stdout.write(f"  (asked for scale {scale:g}: pass --rebuild to build that)")
        else:
            self._build(scale=1.0 if scale is None else scale)
        if not build_only:
            self._measure(runs=max(1, runs), only=only)

    def _build(self, *, scale: float) -> None:
        if scale <= 0:
            raise CommandError("--scale must be above 0.")
        builders = city_builders()
        if Department.objects.filter(code=CITY_ROOT_CODE).exists():
            self.stdout.write("Removing the earlier city build...")
            with transaction.atomic():
                for builder in reversed(builders):
                    if builder.clear:
                        builder.clear()
        self.stdout.write(f"Building the city at scale {scale:g}...")
        started = time.perf_counter()
        city = CityBuild(scale=scale, stdout=self.stdout)
        with transaction.atomic():
            for builder in builders:
                begun = time.perf_counter()
                builder.build(city)
                self.stdout.write(f"  {builder.name}: {time.perf_counter() - begun:.1f} s")
            Department.objects.filter(code=CITY_ROOT_CODE).update(name=f"{BUILT}{scale:g}")
        begun = time.perf_counter()
        with connection.cursor() as cursor:
            # VACUUM cannot run in a transaction (the tests run in one): ANALYZE then.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        self.stdout.write(f"  statistics: {time.perf_counter() - begun:.1f} s")
        self.stdout.write(f"Built in {time.perf_counter() - started:.1f} s.")

    def _measure(self, *, runs: int, only: str = "") -> None:
        hosts = [*settings.ALLOWED_HOSTS, "testserver"]
        with override_settings(
            DEBUG=False,
            ALLOWED_HOSTS=hosts,
            ROOT_URLCONF="portal.benchmark_urls",
            # Staff would be sent to enrol a second factor first; the desk here has none.
            PORTAL_REQUIRE_MFA_FOR_STAFF=False,
        ):
            template = CityPage(TEMPLATE_LABEL, CARDS_URL, "city-employee")
            pages = [page for page in city_pages() if only in page.label]
            clients = _clients({page.as_user for page in [template, *pages]})
            clock = CpuClock(connection)
            self._header(clock, runs)
            base = Tally(queries=_warm(clients[template.as_user], template))
            for page in pages:
                tally = Tally(queries=_warm(clients[page.as_user], page))
                # The template's requests alternate with the page's, so that both meet the
                # same load on the machine; the ratio is to the template's figure beside it.
                beside = Tally()
                gc.collect()
                for _ in range(runs):
                    tally.add(clock, clients[page.as_user], page)
                    beside.add(clock, clients[template.as_user], template)
                base.merge(beside)
                self._row(page.label, tally, beside.cpu)
            self._row(f"{TEMPLATE_LABEL} (all runs)", base, base.cpu)

    def _row(self, label: str, tally: Tally, base_cpu: float) -> None:
        self.stdout.write(
            f"{label:32} {tally.cpu:7.1f} {tally.django:7.1f} {tally.postgres:8.1f} "
            f"{tally.wall:8.1f} {tally.queries:7d} {tally.cpu / max(base_cpu, 0.001):6.1f}x"
        )

    def _header(self, clock: CpuClock, runs: int) -> None:
        engine = engines["django"].engine
        loaders = ", ".join(type(loader).__module__ for loader in engine.template_loaders)
        source = (
            "this process + its PostgreSQL backend (/proc)"
            if clock.has_backend
            else "this process only (the PostgreSQL server is not on this machine)"
        )
        self.stdout.write(
            f"DEBUG off, template debug {'on' if engine.debug else 'off'}, loaders: {loaders}\n"
            f"CPU per request: {source}; mean of {runs} requests after one warm-up, each\n"
            "followed by one of the bare template, the base of the page's ratio.\n"
        )
        self.stdout.write(
            f"{'page':32} {'CPU ms':>7} {'django':>7} {'postgres':>8} {'wall ms':>8} "
            f"{'queries':>7} {'x tmpl':>7}"
        )


def built_scale() -> float | None:
    """The scale of a completed city build in this database, or None."""
    name = Department.objects.filter(code=CITY_ROOT_CODE).values_list("name", flat=True).first()
    if not name or not name.startswith(BUILT):
        return None
    return float(name.removeprefix(BUILT))


def _clients(usernames: set[str]) -> dict[str, Client]:
    clients = {}
    for username in usernames:
        clients[username] = Client()
        clients[username].force_login(User.objects.get(username=username))
    return clients


def _get(client: Client, page: CityPage):
    response = client.get(page.url, headers=page.headers, secure=True)
    if response.status_code != 200:
        raise CommandError(f"{page.label}: HTTP {response.status_code} from {page.url}")
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def _warm(client: Client, page: CityPage) -> int:
    """One request to warm caches, then one whose SQL queries are counted."""
    _get(client, page)
    with CaptureQueriesContext(connection) as captured:
        _get(client, page)
    return len(captured)  # now: the timed requests clear the query log


@dataclass
class Tally:
    """Timed requests of one page: CPU seconds of this process and of PostgreSQL, walls."""

    queries: int = 0
    process: float = 0.0
    backend: float = 0.0
    walls: list[float] = field(default_factory=list)

    def add(self, clock: CpuClock, client: Client, page: CityPage) -> None:
        cpu0, db0, wall0 = clock.read()
        _get(client, page)
        cpu1, db1, wall1 = clock.read()
        self.process += cpu1 - cpu0
        self.backend += db1 - db0
        self.walls.append((wall1 - wall0) * 1000)

    def merge(self, other: Tally) -> None:
        self.process += other.process
        self.backend += other.backend
        self.walls += other.walls

    @property
    def django(self) -> float:
        """Milliseconds of this process per request."""
        return self.process * 1000 / max(len(self.walls), 1)

    @property
    def postgres(self) -> float:
        return self.backend * 1000 / max(len(self.walls), 1)

    @property
    def cpu(self) -> float:
        return self.django + self.postgres

    @property
    def wall(self) -> float:
        return statistics.median(self.walls) if self.walls else 0.0
