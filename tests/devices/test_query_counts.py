"""The devices pages take as many queries for 20 rows as for 2, and the rows are on the
page: My devices, the team page, a device's page and the repair and return case pages,
for the people who read them (the holder, their manager, the desk)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from devices import services
from devices.choices import DeviceState, FaultCategory, RepairState, ReturnReason, ReturnState
from devices.models import (
    Assignment,
    DeviceEvent,
    RepairCase,
    RepairCaseEvent,
    RepairPhoto,
    ReturnCaseEvent,
)
from tests.devices.factories import DeviceFactory, held_device, open_repair, open_return
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FEW, MANY = 2, 20  # rows before and after growing (tests/devices/conftest.py: same_queries)


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (12, 12), (0, 0, 200)).save(buffer, "PNG")
    return SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")


# My devices and the team page.


def _my_device_with_cases(holder, desk):
    """A device with an open repair that has a loaner out, and an open return."""
    device = held_device(holder=holder, desk=desk)
    case = open_repair(device=device, by=holder)
    services.triage_case(by=desk, case_id=case.pk)
    services.lend_loaner(by=desk, case_id=case.pk, loaner_id=DeviceFactory().pk)
    open_return(device=device, by=holder)
    return device


def test_my_devices_queries_do_not_grow_with_devices_and_cases(
    client_for, employee, logistics, same_queries
):
    made = [_my_device_with_cases(employee, logistics) for _ in range(FEW)]

    def grow():
        made.extend(_my_device_with_cases(employee, logistics) for _ in range(MANY - FEW))

    def rows():
        texts = []
        for device in made:
            device.refresh_from_db()
            repair = device.repair_cases.get()
            texts += [
                device.serial_number,
                reverse("devices:repair_case", args=[repair.pk]),
                reverse("devices:return_case", args=[device.return_cases.get().pk]),
                repair.loaner.serial_number,  # the loaner is held too: its own card
            ]
        return texts

    same_queries(client_for(employee), reverse("devices:mine"), grow=grow, rows=rows, most=7)


def test_team_page_queries_do_not_grow_with_the_department(
    client_for, manager, department, logistics, same_queries
):
    made = []

    def add(count):
        for _ in range(count):
            holder = UserFactory(department=department)
            made.append((held_device(holder=holder, desk=logistics), holder))

    add(FEW)

    def rows():
        return [d.serial_number for d, _h in made] + [h.get_full_name() for _d, h in made]

    same_queries(
        client_for(manager),
        reverse("devices:team"),
        grow=lambda: add(MANY - FEW),
        rows=rows,
        most=8,
    )


# One device's page.


def _device_history(device, holder, count):
    """`count` more past holders, events by different people and closed repair cases."""
    now = timezone.now()
    people = [UserFactory(department=holder.department) for _ in range(count)]
    Assignment.objects.bulk_create(
        Assignment(device=device, user=p, started_at=now, ended_at=now) for p in people
    )
    DeviceEvent.objects.bulk_create(
        DeviceEvent(device=device, actor=p, from_state="", to_state=DeviceState.ASSIGNED)
        for p in people
    )
    RepairCase.objects.bulk_create(
        RepairCase(
            device=device,
            reported_by=holder,
            holder=holder,
            department=device.department,
            category=FaultCategory.BATTERY,
            description=f"Old fault {n}",
            state=RepairState.CLOSED,
        )
        for n in range(count)
    )
    return people


@pytest.mark.parametrize("viewer", ["employee", "manager", "logistics"])
def test_device_page_queries_do_not_grow_with_its_history(
    client_for, personas, employee, logistics, same_queries, viewer
):
    device = held_device(holder=employee, desk=logistics)
    people = _device_history(device, employee, FEW)

    def rows():
        cases = RepairCase.objects.filter(device=device)
        return [reverse("devices:repair_case", args=[c.pk]) for c in cases] + [
            p.get_full_name() for p in people
        ]

    same_queries(
        client_for(personas[viewer]),
        reverse("devices:device", args=[device.pk]),
        grow=lambda: people.extend(_device_history(device, employee, MANY - FEW)),
        rows=rows,
        most=10,
    )


# The case pages.


def _more_events(event_model, case, count, department):
    people = [UserFactory(department=department) for _ in range(count)]
    event_model.objects.bulk_create(
        event_model(case=case, actor=p, from_state="", to_state="reported", comment=f"Note {n}")
        for n, p in enumerate(people)
    )
    return people


@pytest.mark.parametrize("viewer", ["employee", "manager", "logistics"])
def test_repair_case_page_queries_do_not_grow_with_its_timeline_and_photos(
    client_for, personas, employee, logistics, department, same_queries, viewer
):
    device = held_device(holder=employee, desk=logistics)
    case = services.report_fault(
        by=employee,
        device_id=device.pk,
        category=FaultCategory.SCREEN,
        description="Cracked",
        photos=[_png()],
    )
    DeviceFactory.create_batch(3)  # the desk's stock list of loaners
    people = _more_events(RepairCaseEvent, case, FEW - 1, department)

    def grow():
        people.extend(_more_events(RepairCaseEvent, case, MANY - FEW, department))
        for _ in range(services.MAX_PHOTOS - 1):
            photo = RepairPhoto(case=case)
            photo.image.save("more.png", _png(), save=False)
            photo.save()

    def rows():
        photos = [reverse("devices:photo", args=[case.pk, p.pk]) for p in case.photos.all()]
        return [p.get_full_name() for p in people] + photos

    same_queries(
        client_for(personas[viewer]),
        reverse("devices:repair_case", args=[case.pk]),
        grow=grow,
        rows=rows,
        most=8,
    )


@pytest.mark.parametrize("viewer", ["employee", "manager", "logistics"])
def test_return_case_page_queries_do_not_grow_with_its_timeline(
    client_for, personas, employee, logistics, department, same_queries, viewer
):
    device = held_device(holder=employee, desk=logistics)
    case = services.request_return(by=employee, device_id=device.pk, reason=ReturnReason.UPGRADE)
    services.receive_return(by=logistics, case_id=case.pk)
    services.record_wipe(by=logistics, case_id=case.pk, method="mdm_remote", certificate="W-9")
    people = _more_events(ReturnCaseEvent, case, FEW - 1, department)
    assert case.events.count() >= FEW

    def rows():
        return [p.get_full_name() for p in people] + ["W-9", str(ReturnState.WIPED.label)]

    same_queries(
        client_for(personas[viewer]),
        reverse("devices:return_case", args=[case.pk]),
        grow=lambda: people.extend(_more_events(ReturnCaseEvent, case, MANY - FEW, department)),
        rows=rows,
        most=7,
    )
