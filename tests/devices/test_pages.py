"""The devices pages as their users meet them: My devices, reporting a fault with photos,
requesting a return, the desk working both cases to the end, and every refusal."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from devices.choices import DeviceState, FaultCategory, RepairState, ReturnState
from devices.models import RepairCase, ReturnCase
from devices.views.cases import QUEUE_PAGE_SIZE
from portal.models import Notification
from tests.devices.factories import DeviceFactory, DeviceModelFactory, held_device, open_repair
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def png(name="damage.png", size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = name
    return buffer


@pytest.fixture
def phone(employee, logistics):
    return held_device(holder=employee, desk=logistics, serial_number="PHONE0001")


def test_my_devices_lists_what_i_hold_with_actions(client_for, employee, logistics, phone):
    tablet_model = DeviceModelFactory(manufacturer="Apple", name="iPad (10th generation)")
    held_device(holder=employee, desk=logistics, model=tablet_model, serial_number="TAB0001")
    DeviceFactory(serial_number="NOTMINE01")
    page = client_for(employee).get(reverse("devices:mine"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "PHONE0001" in html and "TAB0001" in html and "NOTMINE01" not in html
    assert reverse("devices:report_fault", args=[phone.pk]) in html
    assert reverse("devices:request_return", args=[phone.pk]) in html


def test_report_a_fault_with_photos_then_see_the_case(client_for, employee, phone):
    client = client_for(employee)
    response = client.post(
        reverse("devices:report_fault", args=[phone.pk]),
        {
            "category": FaultCategory.SCREEN,
            "description": "Dropped it on the stairs, the screen is cracked.",
            "data_backed_up": "on",
            "photos": [png("one.png"), png("two.png")],
        },
    )
    case = RepairCase.objects.get(device=phone)
    assert response.status_code == 302
    assert response["Location"] == reverse("devices:repair_case", args=[case.pk])
    assert case.data_backed_up and case.photos.count() == 2
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Dropped it on the stairs" in html
    photo_url = reverse("devices:photo", args=[case.pk, case.photos.first().pk])
    assert photo_url in html
    served = client.get(photo_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    # An employee sees no desk actions on their own case.
    assert reverse("devices:repair_action", args=[case.pk, "triage"]) not in html


def test_fault_photos_get_a_small_copy_for_the_case_page(
    client_for, employee, phone, django_capture_on_commit_callbacks
):
    """A phone photo is shown on the case page as a small WebP made by a task; the link
    still opens the whole photo; the small copy is as private as the photo."""
    from devices import services

    client = client_for(employee)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("devices:report_fault", args=[phone.pk]),
            {
                "category": FaultCategory.SCREEN,
                "description": "Cracked",
                "photos": [png("big.png", size=(2000, 1500))],
            },
        )
    photo = RepairCase.objects.get(device=phone).photos.get()
    assert photo.thumbnail, "the task made the small copy after the report was saved"
    url = reverse("devices:photo", args=[photo.case_id, photo.pk])
    assert (
        f"{url}?small=1"
        in client.get(reverse("devices:repair_case", args=[photo.case_id])).content.decode()
    )
    small = client.get(url, {"small": "1"})
    assert small.status_code == 200 and small["Content-Type"] == "image/webp"
    with Image.open(io.BytesIO(b"".join(small.streaming_content))) as image:
        assert max(image.size) == services.PHOTO_THUMBNAIL_SIZE
    full = client.get(url)
    with Image.open(io.BytesIO(b"".join(full.streaming_content))) as image:
        assert image.size == (2000, 1500)
    # A re-run of the task changes nothing; someone who may not see the case gets nothing.
    assert services.make_photo_thumbnail(photo_id=photo.pk) is False
    outsider = client_for(UserFactory(department=DepartmentFactory()))
    assert outsider.get(url, {"small": "1"}).status_code == 404


def test_bad_fault_report_says_why_and_saves_nothing(client_for, employee, phone):
    client = client_for(employee)
    bomb_like = io.BytesIO(b"<svg xmlns='http://www.w3.org/2000/svg'></svg>")
    bomb_like.name = "damage.svg"
    response = client.post(
        reverse("devices:report_fault", args=[phone.pk]),
        {"category": FaultCategory.SCREEN, "description": "Cracked", "photos": [bomb_like]},
    )
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert not RepairCase.objects.exists()
    response = client.post(reverse("devices:report_fault", args=[phone.pk]), {"category": ""})
    assert response.status_code == 400
    assert not RepairCase.objects.exists()


def test_lost_or_stolen_is_flagged_for_the_desk(client_for, employee, logistics, phone):
    client_for(employee).post(
        reverse("devices:report_fault", args=[phone.pk]),
        {"category": FaultCategory.LOST_OR_STOLEN, "description": "Stolen from the car"},
    )
    case = RepairCase.objects.get()
    assert case.is_security_event
    desk = client_for(logistics).get(reverse("devices:desk"))
    security = desk.content.decode().split('id="security-heading"')[1].split("</section>")[0]
    assert reverse("devices:repair_case", args=[case.pk]) in security
    assert logistics.notifications.filter(key__startswith=f"repaircase:{case.pk}").exists()


def test_the_desk_works_a_repair_with_a_loaner_to_the_end(client_for, employee, logistics, phone):
    loaner = DeviceFactory(serial_number="LOANER001", model=phone.model)
    client_for(employee).post(
        reverse("devices:report_fault", args=[phone.pk]),
        {"category": FaultCategory.BATTERY, "description": "Dies by noon"},
    )
    case = RepairCase.objects.get()
    desk = client_for(logistics)

    def act(name, **data):
        return desk.post(reverse("devices:repair_action", args=[case.pk, name]), data)

    assert act("triage", comment="Battery swap").status_code == 302
    assert act("lend", device="loaner001").status_code == 302
    loaner.refresh_from_db()
    assert loaner.state == DeviceState.LOANED and loaner.assignee == employee
    page = desk.get(reverse("devices:repair_case", args=[case.pk])).content
    assert b"It goes back to the desk when your device is back" in page
    assert "loaner out" in desk.get(reverse("devices:desk")).content.decode()
    assert employee.notifications.filter(key=f"repaircase:{case.pk}:loaner:{loaner.pk}").exists()
    refused = act("ship", carrier="Posten", tracking_number="")
    assert refused.status_code == 400
    assert act("ship", carrier="Posten", tracking_number="70712345").status_code == 302
    assert act("arrive").status_code == 302
    assert (
        act("outcome", outcome=RepairState.REPAIRED, cost="450.00", warranty_covered="false")
    ).status_code == 302
    assert act("return").status_code == 302
    # The loaner is back: the queue no longer shows it out.
    assert "loaner out" not in desk.get(reverse("devices:desk")).content.decode()
    assert act("close").status_code == 302
    case.refresh_from_db()
    phone.refresh_from_db()
    loaner.refresh_from_db()
    assert case.state == RepairState.CLOSED and case.turnaround is not None
    assert phone.state == DeviceState.ASSIGNED and phone.assignee == employee
    assert loaner.state == DeviceState.IN_STOCK and loaner.assignee is None
    assert [e.to_state for e in case.events.all()] == [
        RepairState.REPORTED,
        RepairState.TRIAGED,
        RepairState.IN_TRANSIT,
        RepairState.AT_REPAIR_PARTNER,
        RepairState.REPAIRED,
        RepairState.RETURNED_TO_USER,
        RepairState.CLOSED,
    ]
    # The holder reads the whole history on the case page.
    html = client_for(employee).get(reverse("devices:repair_case", args=[case.pk])).content
    assert b"Battery swap" in html
    # The loaner is back: the page says so instead of asking for it.
    assert b"It goes back to the desk" not in html and b"back at the desk" in html


def test_an_illegal_step_is_refused_with_a_message(client_for, employee, logistics, phone):
    client_for(employee).post(
        reverse("devices:report_fault", args=[phone.pk]),
        {"category": FaultCategory.SCREEN, "description": "Cracked"},
    )
    case = RepairCase.objects.get()
    response = client_for(logistics).post(
        reverse("devices:repair_action", args=[case.pk, "return"]), {}
    )
    assert response.status_code == 409
    assert "cannot go from" in response.content.decode()
    case.refresh_from_db()
    assert case.state == RepairState.REPORTED and case.events.count() == 1  # the report


def test_employee_cannot_work_their_own_case(client_for, employee, phone):
    client = client_for(employee)
    client.post(
        reverse("devices:report_fault", args=[phone.pk]),
        {"category": FaultCategory.SCREEN, "description": "Cracked"},
    )
    case = RepairCase.objects.get()
    response = client.post(reverse("devices:repair_action", args=[case.pk, "triage"]), {})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.state == RepairState.REPORTED


def test_leaver_return_by_the_manager_wiped_and_recycled(
    client_for, employee, manager, logistics, phone
):
    response = client_for(manager).post(
        reverse("devices:request_return", args=[phone.pk]), {"reason": "leaving"}
    )
    case = ReturnCase.objects.get()
    assert response.status_code == 302 and case.requested_by == manager
    desk = client_for(logistics)

    def act(name, **data):
        return desk.post(reverse("devices:return_action", args=[case.pk, name]), data)

    assert logistics.notifications.filter(key=f"returncase:{case.pk}:requested").exists()
    assert act("receive").status_code == 302
    told = {n.recipient for n in Notification.objects.filter(key=f"returncase:{case.pk}:received")}
    assert told == {manager, employee}  # the manager who asked and the holder
    assert act("dispose", outcome=ReturnState.RECYCLED).status_code == 409  # not wiped yet
    assert act("wipe", method="mdm_remote", certificate="").status_code == 400
    assert act("wipe", method="mdm_remote", certificate="WIPE-2026-0042").status_code == 302
    assert act("dispose", outcome=ReturnState.RECYCLED).status_code == 302
    assert act("close").status_code == 302
    case.refresh_from_db()
    phone.refresh_from_db()
    assert case.state == ReturnState.CLOSED and case.wipe_certificate == "WIPE-2026-0042"
    assert case.wiped_by == logistics
    assert phone.state == DeviceState.RETIRED and phone.assignee is None
    html = client_for(manager).get(reverse("devices:return_case", args=[case.pk])).content
    assert b"WIPE-2026-0042" in html


def test_desk_assigns_a_stock_device_by_username(client_for, employee, logistics):
    device = DeviceFactory()
    client = client_for(logistics)
    bad = client.post(reverse("devices:assign", args=[device.pk]), {"person": "nobody"})
    assert bad.status_code == 400
    good = client.post(reverse("devices:assign", args=[device.pk]), {"person": "EMPLOYEE"})
    assert good.status_code == 302
    device.refresh_from_db()
    assert device.assignee == employee and device.state == DeviceState.ASSIGNED


def test_deactivated_holder_shows_in_the_desk_queue(client_for, logistics, department):
    leaver = UserFactory(username="leaver", department=department, last_name="Leaver")
    device = held_device(holder=leaver, desk=logistics)
    leaver.is_active = False
    leaver.save()
    html = client_for(logistics).get(reverse("devices:desk")).content.decode()
    orphans = html.split('id="orphans-heading"')[1]
    assert reverse("devices:device", args=[device.pk]) in orphans


def test_fleet_search_and_filters(client_for, logistics, employee):
    held_device(holder=employee, desk=logistics, serial_number="R58N12ABC")
    DeviceFactory(serial_number="C02XK1", asset_tag="OSL-4471")
    client = client_for(logistics)
    by_serial = client.get(reverse("devices:fleet"), {"q": "r58n"}).content.decode()
    assert "R58N12ABC" in by_serial and "C02XK1" not in by_serial
    by_tag = client.get(reverse("devices:fleet"), {"q": "osl-44"}).content.decode()
    assert "C02XK1" in by_tag and "R58N12ABC" not in by_tag
    by_state = client.get(reverse("devices:fleet"), {"state": "in_stock"}).content.decode()
    assert "C02XK1" in by_state and "R58N12ABC" not in by_state
    partial = client.get(
        reverse("devices:fleet"),
        {"q": "r58n"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="device-results",
    )
    assert b"<html" not in partial.content and b"R58N12ABC" in partial.content


def test_manager_sees_the_department_not_others(client_for, manager, employee, logistics, appowner):
    held_device(holder=employee, desk=logistics, serial_number="OURS0001")
    held_device(holder=appowner, desk=logistics, serial_number="THEIRS001")
    html = client_for(manager).get(reverse("devices:team")).content.decode()
    assert "OURS0001" in html and "THEIRS001" not in html


def test_export_streams_the_filtered_list(client_for, logistics, employee):
    held_device(holder=employee, desk=logistics, serial_number="EXP00001")
    DeviceFactory(serial_number="EXP00002")
    response = client_for(logistics).get(reverse("devices:export"), {"state": "assigned"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "EXP00001" in body and "EXP00002" not in body


def test_fleet_and_desk_queue_queries_do_not_grow_with_the_fleet(
    client_for, logistics, department, same_queries
):
    """The fleet list and the desk's queue: the same queries for 20 rows as for 2, and
    every row on the page (the devices, their holders, the open cases)."""
    made = []

    def add(count):
        for _ in range(count):
            holder = UserFactory(department=department)
            device = held_device(holder=holder, desk=logistics)
            made.append((device, holder, open_repair(device=device, by=holder)))

    def fleet_rows():
        return [d.serial_number for d, _h, _c in made] + [h.get_full_name() for _d, h, _c in made]

    def queue_rows():
        # The first page: the newest cases (the rest are on the next pages).
        newest = made[-QUEUE_PAGE_SIZE:]
        return [reverse("devices:repair_case", args=[c.pk]) for _d, _h, c in newest]

    add(2)
    client = client_for(logistics)
    same_queries(client, reverse("devices:fleet"), grow=lambda: add(18), rows=fleet_rows, most=10)
    same_queries(client, reverse("devices:desk"), grow=lambda: add(18), rows=queue_rows, most=10)


def test_manager_sees_the_departments_below_theirs(client_for, manager, department, logistics):
    north = DepartmentFactory(
        name="Home nursing north", code="home-nursing-north", parent=department
    )
    nurse = UserFactory(department=north)
    device = held_device(holder=nurse, desk=logistics, serial_number="NORTH0001")
    html = client_for(manager).get(reverse("devices:team")).content.decode()
    assert "NORTH0001" in html
    # ...and may act for the leaver there, as in their own department.
    response = client_for(manager).post(
        reverse("devices:request_return", args=[device.pk]), {"reason": "leaving"}
    )
    assert response.status_code == 302


@pytest.mark.parametrize("limit", [2000, 0])
def test_search_by_holder_name_with_few_or_many_matching_people(
    client_for, logistics, department, settings, monkeypatch, limit
):
    """A short list of holder ids or, past the limit, a subquery: the same answer."""
    monkeypatch.setattr("devices.selectors.HOLDER_LIST_LIMIT", limit)
    nurse = UserFactory(department=department, first_name="Kari", last_name="Nordmann")
    held_device(holder=nurse, desk=logistics, serial_number="KARI0001")
    held_device(holder=UserFactory(last_name="Svensson"), desk=logistics, serial_number="SVEN0001")
    html = client_for(logistics).get(reverse("devices:fleet"), {"q": "nordm"}).content.decode()
    assert "KARI0001" in html and "SVEN0001" not in html


def test_return_label_for_the_holder_with_the_desk_address(client_for, employee, settings, phone):
    settings.PORTAL_LOGISTICS_ADDRESS = "IT logistics|Storgata 1|0155 Oslo"
    client = client_for(employee)
    client.post(reverse("devices:request_return", args=[phone.pk]), {"reason": "upgrade"})
    case = ReturnCase.objects.get()
    page = client.get(reverse("devices:return_case", args=[case.pk])).content.decode()
    label_url = reverse("devices:return_label", args=[case.pk])
    assert label_url in page
    label = client.get(label_url).content.decode()
    assert f"#R{case.pk}" in label and "0155 Oslo" in label and phone.serial_number in label
    assert "<svg" in label  # the QR code of the case page
    assert employee.get_full_name() in label


def test_repair_label_is_the_desks(client_for, employee, logistics, phone):
    client_for(employee).post(
        reverse("devices:report_fault", args=[phone.pk]),
        {"category": FaultCategory.SCREEN, "description": "Cracked"},
    )
    case = RepairCase.objects.get()
    label_url = reverse("devices:repair_label", args=[case.pk])
    assert client_for(employee).get(label_url).status_code == 403
    desk = client_for(logistics)
    desk.post(reverse("devices:repair_action", args=[case.pk, "triage"]), {})
    assert label_url in desk.get(reverse("devices:repair_case", args=[case.pk])).content.decode()
    label = desk.get(label_url).content.decode()
    assert f"#{case.pk}" in label and "Nordic Repair AS" in label
