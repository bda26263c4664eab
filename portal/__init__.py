"""The project package: settings, URLs, the Celery app, and what the four apps share."""

from portal.celery import app as celery_app

__all__ = ["celery_app"]
