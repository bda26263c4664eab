"""Celery tasks of the device fleet: thin, idempotent, queued after commit."""

from __future__ import annotations

from celery import shared_task

from devices import importing, services


@shared_task(acks_late=True)
def run_device_import(import_id: int) -> str | None:
    """Run a CSV import; a finished one (or one another worker runs) is left alone."""
    device_import = importing.run_import(import_id=import_id)
    return device_import.state if device_import else None


@shared_task(acks_late=True)
def make_photo_thumbnail(photo_id: int) -> bool:
    return services.make_photo_thumbnail(photo_id=photo_id)
