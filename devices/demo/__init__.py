"""Demo fleet: about 300 devices of 14 models, and repair and return cases in every state.

The devices are bought in one `bulk_create` (all in stock); everything after that goes
through `devices.services`, as the logistics desk and the staff would do it, so the
timelines, the holder history and the notifications are real. The demo `employee` holds a
phone and a tablet with one open repair case (cracked screen, triaged, with a loaner); a
leaver of home nursing, deactivated after the fact, still holds devices, and one of them
has a return requested by the manager. The whole fleet is keyed on its asset tags, so a
second run adds nothing.
"""

from __future__ import annotations

import random

from django.db import transaction
from django.utils import timezone

from devices.demo.act import Act
from devices.demo.data import SPECS, TAG
from devices.demo.plan import Fleet, Plan, imei_for, seed_models
from devices.models import Device
from portal.models import Notification, User

# SPECS and imei_for are read by the benchmark_devices command as well.
__all__ = ["SPECS", "imei_for", "seed"]


def _quiet_emails(since: int) -> None:
    """The demo's people have no mailboxes: their notifications stay in the portal, and
    the emails are marked as sent so the console backend does not print hundreds."""
    Notification.objects.filter(pk__gt=since, email_sent_at__isnull=True).update(
        email_sent_at=timezone.now()
    )


@transaction.atomic
def seed(*, password: str) -> None:
    models = seed_models()
    if Device.objects.filter(asset_tag=f"{TAG}-00001").exists():
        return
    since = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rng = random.Random(20261123)  # noqa: S311 - the same demo fleet every run
    fleet = Fleet(models, rng)
    plan = Plan(fleet, User.objects.get(username="employee").password)
    fleet.buy()
    act = Act(plan)
    act.hand_out()
    act.employees_cracked_screen()
    for repair in plan.repairs:
        act.repair(repair)
    for number, giving_back in enumerate(plan.returns):
        act.give_back(giving_back, number)
    act.leaver_leaves()
    _quiet_emails(since)
