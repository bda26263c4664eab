"""`manage.py benchmark_load`: every page of `benchmark_city` under concurrent clients.

Serves the portal with gunicorn (2 sync workers by default, production settings: DEBUG
off, the cached template loader, secure cookies behind a proxy that says https) on the
city build that `manage.py benchmark_city` made in this database, signs each page's
person in, and sends it requests from 16 client threads at once for a few seconds per
page, new connection each (sync workers close them). Prints the requests per second and
the latency percentiles; the bare 50-card page is measured first, as the yardstick.

The clients run on the same machine and take some of its CPU: the figures are for a
quiet machine otherwise (no test run beside it).
"""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.test.utils import override_settings

from portal.benchmark_urls import CARDS_URL
from portal.benchmarking import CityPage, city_pages
from portal.management.commands.benchmark_city import TEMPLATE_LABEL, built_scale
from portal.models import User


class Command(BaseCommand):
    help = "Measure every city page under concurrent clients, served by gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
        parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
        parser.add_argument("--seconds", type=float, default=8.0, help="per page")
        parser.add_argument("--port", type=int, default=0, help="default: a free one")
        parser.add_argument("--only", default="", help="only the pages whose label has this")

    def handle(self, *args, workers, clients, seconds, port, only, **options):
        if built_scale() is None:
            raise CommandError("No city build here: run `manage.py benchmark_city` first.")
        pages = [CityPage(TEMPLATE_LABEL, CARDS_URL, "city-employee")]
        pages += [page for page in city_pages() if only in page.label]
        secret = secrets.token_urlsafe(50)  # production settings want a real one
        with override_settings(SECRET_KEY=secret):
            cookies = _sessions({page.as_user for page in pages})
        port = port or _free_port()
        server = _serve(port, workers, secret)
        try:
            _wait_until_up(port, server)
            self.stdout.write(
                f"gunicorn, {workers} sync workers, {clients} clients, {seconds:g} s per page\n"
                f"{'page':32} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
                f"{'max ms':>7} {'errors':>6}"
            )
            for page in pages:
                result = _load(port, page, cookies[page.as_user], clients, seconds)
                self.stdout.write(result.row(page.label))
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


def _sessions(usernames) -> dict[str, str]:
    """A signed-in session cookie per person, made in the database the server reads."""
    cookies = {}
    for username in usernames:
        client = Client()
        client.force_login(User.objects.get(username=username))
        cookies[username] = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
    return cookies


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(port: int, workers: int, secret: str) -> subprocess.Popen:
    env = _environment(secret)
    # Production settings serve static files by their hashed names: collect them first.
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True)  # noqa: S603
    command = [
        sys.executable, "-m", "gunicorn", "portal.benchmark_wsgi",
        "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
    ]  # fmt: skip
    return subprocess.Popen(command, env=env, cwd=settings.BASE_DIR)  # noqa: S603 - our own argv


def _environment(secret: str) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secret,  # the sessions are signed with it
        "ALLOWED_HOSTS": "127.0.0.1",
        "PORTAL_REQUIRE_MFA_FOR_STAFF": "false",  # the desk here has no second factor
        "DATABASE_URL": _database_url(),
    }


def _database_url() -> str:
    db = settings.DATABASES["default"]
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def _wait_until_up(port: int, server: subprocess.Popen) -> None:
    for _ in range(100):
        if server.poll() is not None:
            raise CommandError("gunicorn stopped; see its output above.")
        try:
            status, _ = _get(port, "/healthz", {})
        except OSError:
            time.sleep(0.2)
            continue
        if status == 200:
            return
    raise CommandError("gunicorn did not answer /healthz within 20 s.")


def _get(port: int, url: str, headers: dict) -> tuple[int, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", url, headers={"Host": "127.0.0.1", **headers})
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    return response.status, (time.perf_counter() - started) * 1000


class _Result:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors = 0
        self.seconds = 0.0
        self.lock = threading.Lock()

    def row(self, label: str) -> str:
        times = sorted(self.latencies) or [0.0]

        def at(share: float) -> float:
            return times[min(len(times) - 1, int(share * len(times)))]

        rate = len(self.latencies) / max(self.seconds, 0.001)
        return (
            f"{label:32} {rate:6.1f} {statistics.median(times):7.0f} {at(0.95):7.0f} "
            f"{at(0.99):7.0f} {times[-1]:7.0f} {self.errors:6d}"
        )


def _load(port: int, page: CityPage, cookie: str, clients: int, seconds: float) -> _Result:
    headers = {**page.headers, "Cookie": cookie, "X-Forwarded-Proto": "https"}
    for _ in range(2 * clients):  # warm both workers' caches
        _get(port, page.url, headers)
    result = _Result()
    stop = time.perf_counter() + seconds

    def client() -> None:
        while time.perf_counter() < stop:
            try:
                status, took = _get(port, page.url, headers)
            except OSError:
                status, took = 0, 0.0
            with result.lock:
                if status == 200:
                    result.latencies.append(took)
                else:
                    result.errors += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result
