"""`portal.db.retry_on_deadlock`: a transaction the database rolled back as a deadlock or
serialization failure runs once more, then is refused as a conflict."""

from __future__ import annotations

import pytest
from django.db import OperationalError, transaction
from psycopg import errors as pg

from portal.db import retry_on_deadlock
from portal.errors import Conflict

# Outside a transaction, as a service calls it (every test here would otherwise run in one).
pytestmark = pytest.mark.django_db(transaction=True)


def _wrapped(driver_error: Exception) -> OperationalError:
    """The driver's error as Django raises it (its own class, the driver's as the cause)."""
    try:
        raise OperationalError(str(driver_error)) from driver_error
    except OperationalError as error:
        return error


def failing(times: int, driver_error: Exception):
    """A function that fails `times` times with `driver_error`, then answers "done"."""
    calls: list[int] = []

    def work():
        calls.append(1)
        if len(calls) <= times:
            raise _wrapped(driver_error)
        return "done"

    return work, calls


@pytest.mark.parametrize("driver_error", [pg.DeadlockDetected(), pg.SerializationFailure()])
def test_a_transaction_rolled_back_once_runs_again_and_succeeds(driver_error):
    work, calls = failing(1, driver_error)
    assert retry_on_deadlock(work) == "done"
    assert len(calls) == 2


def test_a_transaction_rolled_back_twice_is_refused_as_a_conflict():
    work, calls = failing(2, pg.DeadlockDetected())
    with pytest.raises(Conflict) as refused:
        retry_on_deadlock(work)
    assert len(calls) == 2
    assert refused.value.status_code == 409
    assert refused.value.code == "conflict"


def test_more_attempts_run_more_times():
    work, calls = failing(2, pg.DeadlockDetected())
    assert retry_on_deadlock(work, attempts=3) == "done"
    assert len(calls) == 3


def test_another_database_error_is_not_retried():
    work, calls = failing(1, pg.AdminShutdown())
    with pytest.raises(OperationalError):
        retry_on_deadlock(work)
    assert len(calls) == 1


def test_a_success_runs_once():
    work, calls = failing(0, pg.DeadlockDetected())
    assert retry_on_deadlock(work) == "done"
    assert len(calls) == 1


def test_inside_a_transaction_a_deadlock_is_refused_at_once():
    """Only the outermost transaction can start again: inside one, no second run."""
    work, calls = failing(1, pg.DeadlockDetected())
    with transaction.atomic(), pytest.raises(Conflict):
        retry_on_deadlock(work)
    assert len(calls) == 1
