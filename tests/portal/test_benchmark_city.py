"""`manage.py benchmark_city` at a tiny scale: it measures every registered page against
the bare 50-card template, keeps its build for the next run, and rebuilds on request.
(The figures themselves are not asserted: they are for README, not timed tests.)"""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from portal.benchmarking import city_pages
from portal.management.commands.benchmark_city import TEMPLATE_LABEL

pytestmark = pytest.mark.django_db

ISSUE_12_PAGES = {
    "/",
    "/apps/",
    "/apps/search/?q=care",
    "/apps/mine/",
    "/devices/",
    "/devices/team/",
    "/devices/fleet/",
    "/devices/desk/",
    "/api/v1/apps/",
    "/api/v1/devices/",
}


def _run(*args: str) -> str:
    out = StringIO()
    call_command("benchmark_city", "--scale", "0.001", "--runs", "1", *args, stdout=out)
    return out.getvalue()


def _figures(output: str, label: str) -> re.Match:
    line = next((line for line in output.splitlines() if line.startswith(label)), "")
    figures = re.search(r"([\d.]+) +[\d.]+ +[\d.]+ +[\d.]+ +(\d+) +([\d.]+)x$", line)
    assert figures, f"no figures for {label!r} in:\n{output}"
    return figures


def test_benchmark_city_measures_every_page_and_reuses_its_build():
    first = _run()
    assert "Building the city at scale 0.001" in first
    pages = city_pages()
    assert {page.url for page in pages} >= ISSUE_12_PAGES
    assert any(page.url.startswith("/devices/fleet/?q=") for page in pages)
    assert any(re.fullmatch(r"/apps/city-app-\d+/", page.url) for page in pages)
    assert _figures(first, TEMPLATE_LABEL).group(3) == "1.0"
    for page in pages:
        assert int(_figures(first, page.label).group(2)) > 0  # queries counted

    second = _run("--build-only")
    assert "Reusing the city build at scale 0.001" in second
    assert "Building" not in second


def test_benchmark_city_rebuild_removes_the_earlier_build():
    _run("--build-only")
    again = _run("--rebuild", "--build-only")
    assert "Removing the earlier city build" in again
    assert "Built in" in again
    assert "x tmpl" not in again  # nothing measured


@pytest.mark.django_db(transaction=True)  # the server reads the build from its own connection
def test_benchmark_load_serves_the_pages_with_gunicorn_and_counts_no_errors():
    _run("--build-only")
    out = StringIO()
    call_command(
        "benchmark_load", "--seconds", "0.5", "--clients", "2", "--only", "store", stdout=out
    )
    lines = out.getvalue().splitlines()
    assert "gunicorn, 2 sync workers, 2 clients" in lines[0]
    rows = [line for line in lines if line.startswith((TEMPLATE_LABEL, "/apps/ store home"))]
    assert len(rows) == 2, out.getvalue()
    for row in rows:
        rate, p50, p95, p99, most, errors = row.split()[-6:]
        assert float(rate) > 0 and int(errors) == 0, row
        assert int(p50) <= int(p95) <= int(p99) <= int(most), row
