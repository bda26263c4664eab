"""Journey 3 through the services: repair with a loaner, replacement, and a leaver's return
with a certified wipe; every refusal changes nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from devices import services
from devices.choices import DeviceCategory, DeviceState, RepairState, ReturnState
from devices.models import Assignment, Device, DeviceModel, RepairCase, RepairPhoto, ReturnCase
from devices.validators import validate_imei
from portal.choices import Role
from portal.errors import IllegalTransition, NotFound, NotPermitted, RuleViolation
from portal.models import Notification
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone_model(db):
    return DeviceModel.objects.create(
        manufacturer="Samsung",
        name="Galaxy XCover 7",
        category=DeviceCategory.PHONE,
        operating_system="Android",
        default_repair_partner="Nordic Repair AS",
    )


def _stock(model, serial):
    return Device.objects.create(serial_number=serial, model=model)


@pytest.fixture
def phone(phone_model, employee, logistics):
    device = _stock(phone_model, "SN-PHONE-1")
    services.assign_device(by=logistics, device_id=device.pk, user_id=employee.pk)
    device.refresh_from_db()
    return device


def test_imei_needs_fifteen_digits_and_a_valid_check_digit():
    validate_imei("490154203237518")
    for bad in ("490154203237519", "49015420323751", "49015420323751X"):
        with pytest.raises(ValidationError):
            validate_imei(bad)


def test_a_fault_is_repaired_with_a_loaner_in_between(phone, phone_model, employee, logistics):
    loaner = _stock(phone_model, "SN-LOANER")
    case = services.report_fault(
        by=employee,
        device_id=phone.pk,
        category="screen",
        description="Cracked",
        data_backed_up=True,
    )
    assert case.repair_partner == "Nordic Repair AS"
    services.triage_case(by=logistics, case_id=case.pk)
    services.lend_loaner(by=logistics, case_id=case.pk, loaner_id=loaner.pk)
    services.ship_case(by=logistics, case_id=case.pk, carrier="Posten", tracking_number="PN123")
    phone.refresh_from_db()
    loaner.refresh_from_db()
    assert (phone.state, loaner.state, loaner.assignee) == (
        DeviceState.IN_REPAIR,
        DeviceState.LOANED,
        employee,
    )
    services.case_at_partner(by=logistics, case_id=case.pk)
    services.record_outcome(
        by=logistics, case_id=case.pk, outcome="repaired", cost="1200.50", warranty_covered=False
    )
    services.return_to_user(by=logistics, case_id=case.pk)
    services.close_case(by=logistics, case_id=case.pk)
    case.refresh_from_db()
    phone.refresh_from_db()
    loaner.refresh_from_db()
    assert case.state == RepairState.CLOSED and case.turnaround is not None
    assert (phone.state, phone.assignee) == (DeviceState.ASSIGNED, employee)
    assert (loaner.state, loaner.assignee) == (DeviceState.IN_STOCK, None)
    assert Assignment.objects.get(device=loaner).ended_at is not None
    assert [e.to_state for e in case.events.all()] == [
        "reported",
        "triaged",
        "in_transit",
        "at_repair_partner",
        "repaired",
        "returned_to_user",
        "closed",
    ]
    assert [e.to_state for e in phone.events.all()] == ["assigned", "in_repair", "assigned"]


def test_lost_or_stolen_is_flagged_to_the_desk_at_once(phone, employee, logistics):
    case = services.report_fault(
        by=employee, device_id=phone.pk, category="lost_or_stolen", description="Gone on the bus"
    )
    assert case.is_security_event
    assert Notification.objects.filter(
        recipient=logistics, key=f"repaircase:{case.pk}:reported", title__contains="SN-PHONE-1"
    ).exists()


def test_replacement_retires_the_old_device_and_assigns_the_new_one(
    phone, phone_model, employee, logistics
):
    new = _stock(phone_model, "SN-NEW")
    case = services.report_fault(
        by=employee, device_id=phone.pk, category="water", description="Wet"
    )
    services.triage_case(by=logistics, case_id=case.pk)
    with pytest.raises(RuleViolation):
        services.record_outcome(by=logistics, case_id=case.pk, outcome="replaced")
    services.record_outcome(
        by=logistics, case_id=case.pk, outcome="replaced", replacement_id=new.pk
    )
    phone.refresh_from_db()
    new.refresh_from_db()
    assert (phone.state, phone.assignee) == (DeviceState.RETIRED, None)
    assert (new.state, new.assignee) == (DeviceState.ASSIGNED, employee)


def test_only_the_holder_reports_and_only_the_desk_works_the_case(
    phone, employee, logistics, manager
):
    stranger = UserFactory()
    with pytest.raises(NotFound):
        services.report_fault(by=stranger, device_id=phone.pk, category="screen", description="x")
    case = services.report_fault(
        by=employee, device_id=phone.pk, category="battery", description="Dies"
    )
    with pytest.raises(NotPermitted):
        services.triage_case(by=employee, case_id=case.pk)
    with pytest.raises(IllegalTransition):
        services.return_to_user(by=logistics, case_id=case.pk)
    with pytest.raises(RuleViolation):
        services.report_fault(by=employee, device_id=phone.pk, category="screen", description="2")
    case.refresh_from_db()
    assert case.state == RepairState.REPORTED


def test_a_leavers_device_is_returned_wiped_with_a_certificate_and_recycled(
    phone, employee, logistics, manager
):
    case = services.request_return(by=manager, device_id=phone.pk, reason="leaving")
    services.receive_return(by=logistics, case_id=case.pk)
    phone.refresh_from_db()
    assert (phone.state, phone.assignee) == (DeviceState.RETURNED, None)
    with pytest.raises(IllegalTransition):
        services.dispose_return(by=logistics, case_id=case.pk, outcome="recycled")
    with pytest.raises(RuleViolation):
        services.record_wipe(by=logistics, case_id=case.pk, method="mdm_remote", certificate=" ")
    services.record_wipe(
        by=logistics, case_id=case.pk, method="certified_erasure", certificate="W-881"
    )
    services.dispose_return(by=logistics, case_id=case.pk, outcome="recycled")
    services.close_return(by=logistics, case_id=case.pk)
    case.refresh_from_db()
    phone.refresh_from_db()
    assert case.state == ReturnState.CLOSED and case.wiped_by == logistics
    assert phone.state == DeviceState.RETIRED


def test_an_assigned_device_cannot_be_assigned_again(phone, logistics):
    other = UserFactory()
    with pytest.raises(IllegalTransition):
        services.assign_device(by=logistics, device_id=phone.pk, user_id=other.pk)
    assert Assignment.objects.filter(device=phone).count() == 1


def test_each_role_sees_only_the_devices_it_may(phone, phone_model, employee, manager, logistics):
    from devices.selectors import devices_visible_to, repair_cases_visible_to

    colleague_phone = _stock(phone_model, "SN-COLLEAGUE")
    colleague = UserFactory(department=employee.department)
    services.assign_device(by=logistics, device_id=colleague_phone.pk, user_id=colleague.pk)
    elsewhere = _stock(phone_model, "SN-ELSEWHERE")
    services.assign_device(by=logistics, device_id=elsewhere.pk, user_id=UserFactory().pk)
    services.report_fault(by=employee, device_id=phone.pk, category="screen", description="x")
    assert set(devices_visible_to(employee)) == {phone}
    assert set(devices_visible_to(manager)) == {phone, colleague_phone}
    assert set(devices_visible_to(logistics)) == {phone, colleague_phone, elsewhere}
    assert not repair_cases_visible_to(colleague).exists()
    assert repair_cases_visible_to(manager).count() == 1


def _png(name="fault.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (24, 16), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _stored_files(settings) -> list[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize("beside", [False, True], ids=["other department", "sibling department"])
def test_a_line_manager_of_another_department_cannot_report_or_return_the_device(
    phone, phone_model, department, other_department, logistics, beside
):
    """The service itself refuses (as a 404: the device is out of their sight), whatever
    page or API called it: a manager of another department, or of the department beside
    the device's under the same parent, writes nothing."""
    device, where = phone, other_department
    if beside:
        north = DepartmentFactory(name="North", code="north", parent=department)
        where = DepartmentFactory(name="South", code="south", parent=department)
        device = _stock(phone_model, "SN-NORTH")
        nurse = UserFactory(department=north)
        services.assign_device(by=logistics, device_id=device.pk, user_id=nurse.pk)
    outsider = UserFactory(department=where, roles=[Role.LINE_MANAGER])
    Notification.objects.all().delete()
    with pytest.raises(NotFound):
        services.report_fault(
            by=outsider, device_id=device.pk, category="screen", description="Cracked"
        )
    with pytest.raises(NotFound):
        services.request_return(by=outsider, device_id=device.pk, reason="leaving")
    assert not RepairCase.objects.exists() and not ReturnCase.objects.exists()
    assert not Notification.objects.exists()


def test_the_fifth_photo_is_accepted(phone, employee, settings):
    case = services.report_fault(
        by=employee,
        device_id=phone.pk,
        category="screen",
        description="Cracked",
        photos=[_png(f"{n}.png") for n in range(services.MAX_PHOTOS)],
    )
    assert services.MAX_PHOTOS == 5
    assert case.photos.count() == 5
    assert len(_stored_files(settings)) == 5


def test_a_sixth_photo_is_refused_and_nothing_is_written(phone, employee, settings):
    with pytest.raises(RuleViolation) as refusal:
        services.report_fault(
            by=employee,
            device_id=phone.pk,
            category="screen",
            description="Cracked",
            photos=[_png(f"{n}.png") for n in range(services.MAX_PHOTOS + 1)],
        )
    assert refusal.value.field == "photos"
    assert not RepairCase.objects.exists() and not RepairPhoto.objects.exists()
    assert not Notification.objects.exists()
    assert _stored_files(settings) == []
    phone.refresh_from_db()
    assert phone.state == DeviceState.ASSIGNED
