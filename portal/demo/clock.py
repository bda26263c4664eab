"""The demo's clock: demo data is made through the services, which stamp every row with
`timezone.now()`; run under this clock, a case reported "three weeks ago" has a timeline,
an age and a turnaround that read as they would in a real organisation.

Only for seeding demo data: it replaces `django.utils.timezone.now` (what model fields,
services and the workflow call) while a step runs.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


class DemoClock:
    def __init__(self, rng: random.Random, now: datetime.datetime | None = None):
        self.rng = rng
        self.now = now or timezone.now()

    @contextmanager
    def at(self, when: datetime.datetime):
        when = min(when, self.now)
        with mock.patch("django.utils.timezone.now", return_value=when):
            yield when

    def working_hours(self, day: datetime.datetime) -> datetime.datetime:
        """A time between 08:00 and 15:59 on the local day of `day`."""
        local = timezone.localtime(day)
        return local.replace(
            hour=self.rng.randint(8, 15), minute=self.rng.randint(0, 59), second=0, microsecond=0
        )

    def schedule(
        self,
        steps: int,
        *,
        after: datetime.datetime,
        finished: bool,
        gaps: tuple[int, int] = (18, 72),
    ) -> list[datetime.datetime]:
        """`steps` increasing times, all later than `after`: a finished piece of work ended
        between 5 and 100 days ago (when there was room), an open one within two days."""
        spans = [HOUR * self.rng.randint(*gaps) for _ in range(steps - 1)]
        span = sum(spans, datetime.timedelta())
        if finished:
            latest = self.now - 5 * DAY
            earliest = max(after + span + DAY, self.now - 100 * DAY)
            end = earliest + (latest - earliest) * self.rng.random() if earliest < latest else None
        else:
            end = None
        if end is None:
            end = self.now - HOUR * self.rng.randint(2, 40)
        start = end - span
        if start <= after:  # not enough room: squeeze the steps between `after` and `end`
            start = after + HOUR
            scale = (end - start) / span if span else 0
            spans = [gap * scale for gap in spans]
        times = [start]
        for gap in spans:
            times.append(times[-1] + gap)
        return self._office_hours(times, after=after)

    def _office_hours(
        self, times: list[datetime.datetime], *, after: datetime.datetime
    ) -> list[datetime.datetime]:
        """The same days, moved into 08:00-15:59 (people do not work at night), still in
        order: a step that would come before the one it follows (or before `after`) comes 25
        minutes after it."""
        moved: list[datetime.datetime] = []
        for when in times:
            local = timezone.localtime(when)
            local = local.replace(hour=8 + local.hour % 8)
            previous = moved[-1] if moved else after
            if local <= previous:
                local = previous + 25 * MINUTE
            moved.append(local)
        return moved

    @contextmanager
    def ticking(self, start: datetime.datetime):
        """Everything inside happens at `current`, which starts at `start` (in office hours)
        and moves on with `advance` or `jump`, never past the real now."""
        self.current = min(self.working_hours(start), self.now)
        with mock.patch("django.utils.timezone.now", side_effect=lambda: self.current):
            yield self

    def advance(self, low_hours: int, high_hours: int) -> datetime.datetime:
        later = self.current + HOUR * self.rng.randint(low_hours, high_hours)
        self.current = min(self._office_hours([later], after=self.current)[0], self.now)
        return self.current

    def jump(self, to: datetime.datetime) -> datetime.datetime:
        """On to `to` (in office hours), if that is later than the clock."""
        to = self.working_hours(to)
        self.current = min(max(to, self.current), self.now)
        return self.current

    def run(self, steps: Sequence[Callable[[], object]], times: Sequence[datetime.datetime]):
        """Each step at its time, in order."""
        for step, when in zip(steps, times, strict=True):
            with self.at(when):
                step()
