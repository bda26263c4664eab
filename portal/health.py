"""Health of the services the portal depends on, for load balancers and monitors.

Each check runs with a deadline: a dependency that accepts connections but never answers
(a frozen broker) makes the check fail within PORTAL_HEALTH_TIMEOUT_SECONDS instead of
holding the request until the server kills it."""

from __future__ import annotations

import threading

from django.conf import settings
from django.db import connection


class CheckTimedOut(Exception):
    """The dependency did not answer within the health check's deadline."""


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_broker() -> None:
    """Connect and ask the broker something, with socket timeouts (a connect timeout alone
    does not bound a server that accepts and then never answers) and a thread deadline."""
    timeout = settings.PORTAL_HEALTH_TIMEOUT_SECONDS
    _with_deadline(_ping_broker, timeout=timeout)


def _ping_broker(timeout: float) -> None:
    from kombu import Connection

    options = {"socket_timeout": timeout, "socket_connect_timeout": timeout, "max_retries": 0}
    with Connection(
        settings.CELERY_BROKER_URL, connect_timeout=timeout, transport_options=options
    ) as conn:
        conn.ensure_connection(max_retries=1, timeout=timeout)
        client = getattr(conn.default_channel, "client", None)
        if client is not None and hasattr(client, "ping"):
            client.ping()  # Redis: a frozen server answers the connect, never the ping


def _with_deadline(check, *, timeout: float) -> None:
    """Run `check(timeout)` in a daemon thread; give up waiting after the deadline."""
    outcome: dict[str, BaseException | None] = {}

    def run() -> None:
        try:
            check(timeout)
        except BaseException as exc:  # noqa: BLE001 - reported to the caller
            outcome["error"] = exc
        else:
            outcome["error"] = None

    thread = threading.Thread(target=run, name="health-check", daemon=True)
    thread.start()
    thread.join(timeout + 0.5)
    if "error" not in outcome:
        raise CheckTimedOut(f"no answer within {timeout} s")
    if outcome["error"] is not None:
        raise outcome["error"]


def run_checks() -> dict[str, str]:
    """Each dependency -> "ok" or a short reason. The broker only where one is configured."""
    checks = {"database": check_database}
    if settings.CELERY_BROKER_URL:
        checks["broker"] = check_broker
    results = {}
    for name, check in checks.items():
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
            results[name] = f"error: {type(exc).__name__}"
        else:
            results[name] = "ok"
    return results
