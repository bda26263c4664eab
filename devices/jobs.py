"""The background work the device services queue, by the task's name.

`devices.tasks` loads rows by id and calls the services; the services queue a task here
by name (through `portal.queue`), so the arrow stays one-way (`tasks -> services ->
jobs`): this module imports no service and no task module.
"""

from __future__ import annotations

from portal.queue import enqueue

MAKE_PHOTO_THUMBNAIL = "devices.tasks.make_photo_thumbnail"
RUN_DEVICE_IMPORT = "devices.tasks.run_device_import"


def queue(name: str, **kwargs) -> bool:
    """Hand the task named `name` to the broker now; False when the broker is away (it
    is logged, never raised: the request that caused the task must not fail)."""
    return enqueue(name, **kwargs)
