"""The demo fleet that seed_demo loads: seeded once per run (the `demo` fixture), each test
reads it in its own savepoint."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from devices import selectors
from devices.choices import DeviceCategory, DeviceState, FaultCategory, RepairState, ReturnState
from devices.models import (
    Assignment,
    Device,
    DeviceEvent,
    DeviceModel,
    RepairCase,
    RepairCaseEvent,
    ReturnCase,
    ReturnCaseEvent,
)
from devices.validators import luhn_valid
from portal.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]

COUNTED = [
    DeviceModel,
    Device,
    Assignment,
    DeviceEvent,
    RepairCase,
    RepairCaseEvent,
    ReturnCase,
    ReturnCaseEvent,
    User,
]


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_demo_employee_holds_a_phone_and_a_tablet_with_one_open_repair_and_a_loaner():
    employee = User.objects.get(username="employee")
    held = selectors.my_devices(employee)
    own = [device for device in held if device.state != DeviceState.LOANED]
    assert sorted(device.model.category for device in own) == [
        DeviceCategory.PHONE,
        DeviceCategory.TABLET,
    ]
    [case] = [case for device in held for case in device.open_repairs]
    assert case.device.model.category == DeviceCategory.PHONE
    assert case.category == FaultCategory.SCREEN
    assert case.state == RepairState.TRIAGED
    assert case.loaner is not None and case.loaner.assignee == employee
    assert case.loaner.state == DeviceState.LOANED
    assert [e.to_state for e in case.events.all()][-1] == RepairState.TRIAGED


def test_demo_has_every_device_repair_and_return_state():
    assert set(Device.objects.values_list("state", flat=True)) == set(DeviceState.values)
    assert set(RepairCase.objects.values_list("state", flat=True)) == set(RepairState.values)
    assert set(ReturnCase.objects.values_list("state", flat=True)) == set(ReturnState.values)
    assert DeviceModel.objects.count() >= 12
    assert 250 <= Device.objects.count() <= 400


def test_demo_cases_went_through_the_services():
    """Every case has the timeline of its steps, and every held device its holder history."""
    for case in RepairCase.objects.exclude(state=RepairState.REPORTED).prefetch_related("events"):
        assert case.events.all()[len(case.events.all()) - 1].to_state == case.state
    closed = ReturnCase.objects.filter(state=ReturnState.CLOSED)
    assert closed.exists()
    assert not closed.filter(wipe_certificate="").exists()
    for wiped in ReturnCase.objects.filter(state=ReturnState.WIPED):
        assert wiped.wipe_certificate and wiped.wipe_method and wiped.wiped_by is not None
    held = Device.objects.filter(state__in=[DeviceState.ASSIGNED, DeviceState.LOANED])
    open_assignments = Assignment.objects.filter(ended_at__isnull=True)
    assert (
        open_assignments.count()
        == held.count() + Device.objects.filter(state=DeviceState.IN_REPAIR).count()
    )
    replaced = RepairCase.objects.filter(state=RepairState.REPLACED).first()
    assert replaced.device.state == DeviceState.RETIRED
    assert replaced.replacement.assignee == replaced.holder


def test_demo_has_a_security_case_a_loaner_out_and_turnaround_measured():
    security = RepairCase.objects.filter(category=FaultCategory.LOST_OR_STOLEN)
    assert security.filter(is_security_event=True, state=RepairState.REPORTED).exists()
    assert Device.objects.filter(state=DeviceState.LOANED).count() >= 2
    returned = RepairCase.objects.filter(state=RepairState.CLOSED)
    assert all(case.turnaround is not None for case in returned)


def test_demo_cases_happened_over_weeks_in_order():
    """The demo reads like a real desk's: closed cases finished days to months ago and took
    days, open ones are recent, every timeline runs forwards, and no device was handed out
    before it was bought or after its case began."""
    now = timezone.now()
    closed = list(RepairCase.objects.filter(state=RepairState.CLOSED))
    assert all(
        datetime.timedelta(days=1) < case.turnaround < datetime.timedelta(days=30)
        for case in closed
    )
    assert max(now - case.reported_at for case in closed) > datetime.timedelta(days=30)
    open_cases = RepairCase.objects.exclude(state=RepairState.CLOSED)
    assert all(now - case.reported_at < datetime.timedelta(days=30) for case in open_cases)
    for model, key in (
        (RepairCaseEvent, "case_id"),
        (ReturnCaseEvent, "case_id"),
        (DeviceEvent, "device_id"),
    ):
        last: dict[int, datetime.datetime] = {}
        for owner, at in model.objects.order_by("pk").values_list(key, "created_at"):
            assert at <= now
            assert at >= last.get(owner, at), f"{model.__name__} of {owner} goes back in time"
            last[owner] = at
    assert not Assignment.objects.filter(started_at__date__lt=F("device__purchase_date")).exists()
    assert not Assignment.objects.filter(ended_at__lt=F("started_at")).exists()
    first_events = RepairCaseEvent.objects.filter(from_state="")
    assert not first_events.exclude(created_at=F("case__reported_at")).exists()


def test_demo_leaver_is_deactivated_and_still_holds_devices_in_the_desks_queue():
    leaver = User.objects.get(username="leaver")
    assert not leaver.is_active
    orphans = list(selectors.desk_queue()["orphans"])
    assert {device.assignee for device in orphans} == {leaver}
    assert len(orphans) == 2
    manager = User.objects.get(username="manager")
    request = ReturnCase.objects.get(holder=leaver)
    assert request.requested_by == manager
    assert request.state == ReturnState.REQUESTED


def test_demo_imeis_are_valid_and_phones_with_a_radio_have_one():
    imeis = list(Device.objects.exclude(imei=None).values_list("imei", flat=True))
    assert len(imeis) > 150
    assert all(len(imei) == 15 and imei.isdigit() and luhn_valid(imei) for imei in imeis)
    wifi_only = {"TC22 mobile computer", "Surface Go 4"}
    cellular = Device.objects.filter(
        model__category__in=[DeviceCategory.PHONE, DeviceCategory.TABLET]
    ).exclude(model__name__in=wifi_only)
    assert not cellular.filter(imei=None).exists()
    assert not Device.objects.filter(asset_tag=None).exists()


def test_demo_devices_are_spread_over_departments_ages_and_warranties():
    assert Device.objects.values("department").distinct().count() >= 10
    assert Device.objects.values("assignee").distinct().count() >= 60
    dates = list(Device.objects.values_list("purchase_date", flat=True))
    assert max(dates) - min(dates) > datetime.timedelta(days=5 * 365)
    assert not Device.objects.filter(warranty_end__lte=F("purchase_date")).exists()


def test_a_second_seed_adds_nothing():
    counts = _counts()
    call_command("seed_demo", password="demo-pass-1", force=True)
    assert _counts() == counts
