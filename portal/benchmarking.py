"""What the `benchmark_*` commands share: data made inside a rolled-back transaction, and
pages timed through the test client with their query counts."""

from __future__ import annotations

import statistics
import time

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
