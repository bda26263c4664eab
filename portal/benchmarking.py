"""What the `benchmark_*` commands share: data made inside a rolled-back transaction, pages
timed through the test client with their query counts, and the registry of the `city`
profile's builders and pages that `manage.py benchmark_city` runs."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext


class _Rollback(Exception):
    pass


def rolled_back(run, stdout) -> None:
    """Run `run()` in a transaction that is always rolled back."""
    try:
        with transaction.atomic():
            run()
            raise _Rollback
    except _Rollback:
        stdout.write("(benchmark data rolled back)")


def time_pages(stdout, client, pages: dict[str, str], *, runs: int, headers=None) -> None:
    """Print median and max milliseconds and the SQL query count of each page."""
    stdout.write(f"{'page':34} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    for label, url in pages.items():
        timings = []
        queries = 0
        for _ in range(runs):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url, headers=headers or {})
                timings.append((time.perf_counter() - started) * 1000)
            queries = len(captured)
            assert response.status_code == 200, (url, response.status_code)
        stdout.write(
            f"{label:34} {statistics.median(timings):10.1f} {max(timings):8.1f} {queries:8d}"
        )


# The `city` profile (PRODUCT.md), built once and kept by `manage.py benchmark_city`. Each
# domain app registers how it builds its share and which of its pages to measure, in its
# AppConfig.ready(), the way it registers its navigation: `portal` imports no domain app.

CITY_PREFIX = "city-"
CITY_ROOT_CODE = "city-root"


@dataclass
class CityBuild:
    """What the builders of one build share: the scale and the rows made so far."""

    scale: float
    stdout: object
    made: dict = field(default_factory=dict)

    def count(self, full: int, *, least: int = 1) -> int:
        """`full` (the city figure) at this build's scale, never less than `least`."""
        return max(least, round(full * self.scale))


@dataclass(frozen=True)
class CityBuilder:
    name: str
    order: int
    build: Callable[[CityBuild], None]
    clear: Callable[[], None] | None = None


@dataclass(frozen=True)
class CityPage:
    """One page to measure: `as_user` is the username of the person who opens it."""

    label: str
    url: str
    as_user: str
    headers: dict = field(default_factory=dict)


_CITY_BUILDERS: dict[str, CityBuilder] = {}
_CITY_PAGES: list[tuple[int, Callable[[], list[CityPage]]]] = []


def register_city_builder(
    name: str,
    order: int,
    build_fn: Callable[[CityBuild], None],
    clear_fn: Callable[[], None] | None = None,
) -> None:
    """Builders run in `order`; `clear_fn` removes what `build_fn` made (for --rebuild)."""
    _CITY_BUILDERS[name] = CityBuilder(name, order, build_fn, clear_fn)


def register_city_pages(fn: Callable[[], list[CityPage]], *, order: int = 100) -> None:
    """`fn()` finds its samples in the built database and returns the pages to measure."""
    if all(registered is not fn for _, registered in _CITY_PAGES):
        _CITY_PAGES.append((order, fn))
        _CITY_PAGES.sort(key=lambda entry: entry[0])


def city_builders() -> list[CityBuilder]:
    return sorted(_CITY_BUILDERS.values(), key=lambda builder: builder.order)


def city_pages() -> list[CityPage]:
    return [page for _, fn in _CITY_PAGES for page in fn()]


class CpuClock:
    """CPU seconds of this process, plus those of its PostgreSQL backend when the server
    runs on this machine (/proc/<pg_backend_pid()>/stat: utime + stime)."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.backend_stat = self._backend_stat()
        self.ticks = os.sysconf("SC_CLK_TCK")

    def _backend_stat(self) -> Path | None:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        stat = Path(f"/proc/{pid}/stat")
        try:
            # Another machine or container has other pids: only a postgres process counts.
            if b"postgres" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                return None
            stat.read_text()
        except OSError:
            return None
        return stat

    @property
    def has_backend(self) -> bool:
        return self.backend_stat is not None

    def backend(self) -> float:
        if self.backend_stat is None:
            return 0.0
        fields = self.backend_stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / self.ticks  # utime, stime

    def read(self) -> tuple[float, float, float]:
        """(process CPU, backend CPU, wall) in seconds."""
        return time.process_time(), self.backend(), time.perf_counter()
