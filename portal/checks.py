"""Deployment checks of our own, reported by `manage.py check --deploy`."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def shared_state_check(app_configs, **kwargs):
    """Several web processes need a shared cache (rate limits) and a real broker."""
    problems = []
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        problems.append(
            Warning(
                "CACHE_URL is not a shared cache: login rate limits would be per process.",
                hint="Set CACHE_URL=redis://host:6379/1.",
                id="portal.W001",
            )
        )
    if settings.CELERY_TASK_ALWAYS_EAGER:
        problems.append(
            Warning(
                "CELERY_BROKER_URL is not set: background jobs would run inside web requests.",
                hint="Set CELERY_BROKER_URL=redis://host:6379/0 and run a worker and beat.",
                id="portal.W002",
            )
        )
    if not settings.PORTAL_REQUIRE_MFA_FOR_STAFF:
        problems.append(
            Warning(
                "PORTAL_REQUIRE_MFA_FOR_STAFF is off: reviewers and administrators may sign "
                "in with a password alone.",
                id="portal.W003",
            )
        )
    return problems
