"""Health of the services the portal depends on, for load balancers and monitors."""

from __future__ import annotations

from django.conf import settings
from django.db import connection


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_broker() -> None:
    from kombu import Connection

    timeout = settings.PORTAL_HEALTH_TIMEOUT_SECONDS
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=timeout) as conn:
        conn.ensure_connection(max_retries=1, timeout=timeout)


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
