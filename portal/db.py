"""Database helpers shared by the apps' services."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import DEFAULT_DB_ALIAS, OperationalError, transaction
from django.utils.translation import gettext as _

from portal.errors import Conflict

T = TypeVar("T")

# SQLSTATE of a transaction PostgreSQL rolled back so that another could go on: a
# deadlock, or a serialization failure. Running the whole transaction again may succeed.
RETRYABLE_STATES = frozenset({"40P01", "40001"})


def is_retryable(error: BaseException) -> bool:
    """Whether `error` is a deadlock or serialization failure (Django wraps the driver's)."""
    cause = error.__cause__ if isinstance(error, OperationalError) else error
    state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return state in RETRYABLE_STATES


def retry_on_deadlock(
    fn: Callable[[], T], *, attempts: int = 2, using: str = DEFAULT_DB_ALIAS
) -> T:
    """Run `fn` (a whole transaction: it opens its own `transaction.atomic`) and, when the
    database rolls it back as a deadlock or serialization failure, run it again, up to
    `attempts` times in all. Then, or at once when called inside a transaction (which the
    failure aborted: only the outermost one can start again), refuse with a `Conflict`.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    retry = not transaction.get_connection(using).in_atomic_block
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except OperationalError as error:
            if not is_retryable(error):
                raise
            if not retry or attempt == attempts:
                raise Conflict(
                    _("Another change to the same records came at the same moment; send it again.")
                ) from error
    raise AssertionError("unreachable")
