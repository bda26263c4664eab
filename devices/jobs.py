"""How the device services queue their background work: by the task's name.

`devices.tasks` loads rows by id and calls the services; the services queue a task here
by name, so the arrow stays one-way (`tasks -> services -> jobs`). This module imports
no service and no task module: a task's module is imported by name on first use (a web
process registers a shared task only once its module is imported).
"""

from __future__ import annotations

from contextlib import suppress
from importlib import import_module

from celery import current_app

from portal.tasks import enqueue

MAKE_PHOTO_THUMBNAIL = "devices.tasks.make_photo_thumbnail"
RUN_DEVICE_IMPORT = "devices.tasks.run_device_import"


def queue(name: str, **kwargs) -> bool:
    """Hand the task registered as `name` to the broker now (False when the broker is
    away, as `portal.tasks.enqueue`); a name unknown in this process goes by name."""
    if name not in current_app.tasks:
        with suppress(ImportError):
            import_module(name.rpartition(".")[0])
    task = current_app.tasks.get(name)
    if task is None:  # the worker knows it by name
        task = _ByName(name)
    return enqueue(task, **kwargs)


class _ByName:
    """A task known only by its name, queued through `send_task`."""

    def __init__(self, name: str):
        self.name = name

    def apply_async(self, *, args=(), kwargs=None):
        return current_app.send_task(self.name, args=args, kwargs=kwargs or {})
