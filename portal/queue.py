"""The one way the portal hands a task to the broker: by the task's name.

Services queue tasks through this module, and tasks call services, so the arrows stay
one-way (`tasks -> services -> queue`): this module imports no service and no task.
A task is named as Celery registers it ("appstore.tasks.announce_publication"); a task
object is accepted too and queued by its name.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from importlib import import_module

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def _task_name(task) -> str:
    return task if isinstance(task, str) else task.name


def send(task, *args, **kwargs) -> None:
    """Hand a task to the broker now; raises when the broker is away (for a caller whose
    own retry, or a reconciler, covers the loss)."""
    _send(_task_name(task), args, kwargs)


def _registered(name: str):
    """The task registered under `name`, its module imported on first use (a web process
    registers a shared task only once its module is imported); None if there is none."""
    if name not in current_app.tasks:
        with suppress(ImportError):
            import_module(name.rpartition(".")[0])
    return current_app.tasks.get(name)


def _send(name: str, args: tuple, kwargs: dict) -> None:
    task = _registered(name)
    if task is None:  # not known in this process: the worker knows it by name
        current_app.send_task(name, args=args, kwargs=kwargs)
    else:
        task.apply_async(args=args, kwargs=kwargs)


def enqueue(task, *args, **kwargs) -> bool:
    """Hand a task to the broker now. Never raises: a broker that is down or frozen (short
    socket timeouts, no publish retry) is logged and reported as False. What must not be
    lost is recorded in the database first (the outbox) and sent by a reconciler."""
    name = _task_name(task)
    try:
        _send(name, args, kwargs)
    except Exception:  # noqa: BLE001 - the request that caused the task must not fail
        logger.exception("Could not queue %s %s %s", name, args, kwargs)
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """`enqueue` once the current transaction commits (nothing for a rolled-back change)."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))


def enqueue_each(task, ids, *, key: str) -> int:
    """Queue `task(**{key: id})` for each id, stopping at the first failure: the broker is
    away and each further attempt would only wait for its timeout. Returns how many left."""
    queued, eager = 0, current_app.conf.task_always_eager
    for pk in ids:
        if enqueue(task, **{key: pk}):
            queued += 1
        elif not eager:  # running eagerly, a failure is that one task's, not the broker's
            break
    return queued
