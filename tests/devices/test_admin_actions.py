"""Journey 3 in the admin: the desk works repair and return cases with the forms on the
case pages, and hands devices in stock out; refusals change nothing and say why."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from devices.choices import DeviceState, FaultCategory, RepairState, ReturnState, WipeMethod
from devices.models import Assignment, RepairCaseEvent
from portal.choices import Role
from tests.devices.factories import DeviceFactory, held_device, open_repair, open_return
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REPAIRS = "/admin/devices/repaircase/"
RETURNS = "/admin/devices/returncase/"
DEVICES = "/admin/devices/device/"


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    """MFA has its own tests (tests/portal/test_mfa.py and test_admin.py here)."""
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = False


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _act(client, base, case, name, **data):
    return client.post(f"{base}{case.pk}/action/{name}/", data)


def _state(case) -> str:
    case.refresh_from_db()
    return case.state


def _done(response, case, base):
    assert response.status_code == 302, _messages(response)
    assert response["Location"] == f"{base}{case.pk}/change/"


def test_desk_repairs_a_device_with_a_loaner_and_the_loaner_comes_back(
    client_for, employee, logistics
):
    device = held_device(holder=employee, desk=logistics)
    loaner = DeviceFactory()
    case = open_repair(device=device, by=employee)
    desk = client_for(logistics)

    page = desk.get(f"{REPAIRS}{case.pk}/change/")
    assert page.status_code == 200
    names = [item["action"].name for item in page.context["action_forms"]]
    assert names == ["triage", "lend", "cancel"]

    _done(_act(desk, REPAIRS, case, "triage", comment="Screen only"), case, REPAIRS)
    _done(_act(desk, REPAIRS, case, "lend", device=loaner.serial_number), case, REPAIRS)
    loaner.refresh_from_db()
    assert (loaner.state, loaner.assignee) == (DeviceState.LOANED, employee)

    _done(
        _act(desk, REPAIRS, case, "ship", carrier="Posten", tracking_number="TRK-1"),
        case,
        REPAIRS,
    )
    device.refresh_from_db()
    assert (_state(case), device.state) == (RepairState.IN_TRANSIT, DeviceState.IN_REPAIR)
    assert (case.carrier, case.tracking_number) == ("Posten", "TRK-1")

    _done(_act(desk, REPAIRS, case, "arrive"), case, REPAIRS)
    response = _act(
        desk, REPAIRS, case, "outcome", outcome=RepairState.REPAIRED, cost="450.00",
        warranty_covered="false",
    )  # fmt: skip
    _done(response, case, REPAIRS)
    assert (_state(case), str(case.cost), case.warranty_covered) == (
        RepairState.REPAIRED,
        "450.00",
        False,
    )

    _done(_act(desk, REPAIRS, case, "return"), case, REPAIRS)
    device.refresh_from_db()
    loaner.refresh_from_db()
    assert (device.state, device.assignee) == (DeviceState.ASSIGNED, employee)
    assert (loaner.state, loaner.assignee) == (DeviceState.IN_STOCK, None)
    assert not Assignment.objects.filter(device=loaner, ended_at__isnull=True).exists()

    response = _act(desk, REPAIRS, case, "close")
    _done(response, case, REPAIRS)
    assert _state(case) == RepairState.CLOSED
    assert case.turnaround is not None
    assert any("Closed" in message for message in _messages(response))

    page = desk.get(f"{REPAIRS}{case.pk}/change/")
    steps = [(e.from_state, e.to_state) for e in page.context["events"]]
    assert steps == [
        ("", RepairState.REPORTED),
        (RepairState.REPORTED, RepairState.TRIAGED),
        (RepairState.TRIAGED, RepairState.IN_TRANSIT),
        (RepairState.IN_TRANSIT, RepairState.AT_REPAIR_PARTNER),
        (RepairState.AT_REPAIR_PARTNER, RepairState.REPAIRED),
        (RepairState.REPAIRED, RepairState.RETURNED_TO_USER),
        (RepairState.RETURNED_TO_USER, RepairState.CLOSED),
    ]
    text = page.content.decode()
    assert "Screen only" in text and str(logistics) in text
    assert page.context["action_forms"] == []


def test_replacement_retires_the_old_device_and_assigns_the_new_one_in_one_step(
    client_for, employee, logistics
):
    device = held_device(holder=employee, desk=logistics)
    new = DeviceFactory()
    case = open_repair(device=device, by=employee, category=FaultCategory.WATER)
    desk = client_for(logistics)
    _act(desk, REPAIRS, case, "triage")

    response = _act(
        desk, REPAIRS, case, "outcome", outcome=RepairState.REPLACED,
        replacement=new.asset_tag, warranty_covered="true",
    )  # fmt: skip

    _done(response, case, REPAIRS)
    device.refresh_from_db()
    new.refresh_from_db()
    assert _state(case) == RepairState.REPLACED and case.replacement == new
    assert (device.state, device.assignee) == (DeviceState.RETIRED, None)
    assert (new.state, new.assignee) == (DeviceState.ASSIGNED, employee)
    _done(_act(desk, REPAIRS, case, "return"), case, REPAIRS)
    _done(_act(desk, REPAIRS, case, "close"), case, REPAIRS)
    assert _state(case) == RepairState.CLOSED


def test_leavers_return_is_received_wiped_with_a_certificate_recycled_and_closed(
    client_for, employee, manager, logistics
):
    device = held_device(holder=employee, desk=logistics)
    case = open_return(device=device, by=manager)
    desk = client_for(logistics)

    _done(_act(desk, RETURNS, case, "receive"), case, RETURNS)
    device.refresh_from_db()
    assert (device.state, device.assignee) == (DeviceState.RETURNED, None)

    refused = _act(desk, RETURNS, case, "wipe", method=WipeMethod.CERTIFIED_ERASURE)
    assert refused.status_code == 400
    assert refused.context["action_forms"][0]["form"].errors["certificate"]
    assert any("correct the form" in message for message in _messages(refused))
    assert _state(case) == ReturnState.RECEIVED and case.wipe_certificate == ""

    response = _act(
        desk, RETURNS, case, "wipe", method=WipeMethod.CERTIFIED_ERASURE, certificate="BL-2291"
    )
    _done(response, case, RETURNS)
    assert _state(case) == ReturnState.WIPED
    assert (case.wipe_certificate, case.wiped_by) == ("BL-2291", logistics)

    _done(_act(desk, RETURNS, case, "dispose", outcome=ReturnState.RECYCLED), case, RETURNS)
    _done(_act(desk, RETURNS, case, "close"), case, RETURNS)
    device.refresh_from_db()
    assert (_state(case), device.state) == (ReturnState.CLOSED, DeviceState.RETIRED)
    page = desk.get(f"{RETURNS}{case.pk}/change/")
    assert "BL-2291" in page.content.decode()
    assert [e.to_state for e in page.context["events"]] == [
        ReturnState.REQUESTED,
        ReturnState.RECEIVED,
        ReturnState.WIPED,
        ReturnState.RECYCLED,
        ReturnState.CLOSED,
    ]


def test_an_illegal_action_is_refused_with_a_message_and_changes_nothing(
    client_for, employee, logistics
):
    case = open_repair(device=held_device(holder=employee, desk=logistics), by=employee)
    desk = client_for(logistics)

    response = _act(desk, REPAIRS, case, "close")

    assert response.status_code == 409
    assert any("cannot go from" in message for message in _messages(response))
    assert _state(case) == RepairState.REPORTED
    assert not RepairCaseEvent.objects.filter(case=case).exclude(from_state="").exists()


def test_an_unknown_action_is_404_and_a_get_is_not_allowed(client_for, employee, logistics):
    case = open_repair(device=held_device(holder=employee, desk=logistics), by=employee)
    desk = client_for(logistics)

    assert _act(desk, REPAIRS, case, "teleport").status_code == 404
    assert desk.get(f"{REPAIRS}{case.pk}/action/triage/").status_code == 405
    assert _state(case) == RepairState.REPORTED


def test_the_change_form_itself_saves_nothing(client_for, employee, logistics):
    case = open_repair(device=held_device(holder=employee, desk=logistics), by=employee)
    response = client_for(logistics).post(
        f"{REPAIRS}{case.pk}/change/", {"state": RepairState.CLOSED}
    )
    assert response.status_code == 405
    assert _state(case) == RepairState.REPORTED


def test_two_desk_users_take_the_same_action_and_the_second_is_refused(client, employee, logistics):
    colleague = UserFactory(username="logistics2", roles=[Role.LOGISTICS])
    device = held_device(holder=employee, desk=logistics)
    case = open_repair(device=device, by=employee)
    client.force_login(logistics)
    page_of_first = client.get(f"{REPAIRS}{case.pk}/change/")
    assert "triage" in [item["action"].name for item in page_of_first.context["action_forms"]]

    client.force_login(colleague)
    _done(_act(client, REPAIRS, case, "triage", comment="Mine"), case, REPAIRS)
    client.force_login(logistics)
    second = _act(client, REPAIRS, case, "triage", comment="No, mine")

    assert second.status_code == 409
    assert any("cannot go from" in message for message in _messages(second))
    events = RepairCaseEvent.objects.filter(case=case).exclude(from_state="")
    assert [(e.actor, e.comment) for e in events] == [(colleague, "Mine")]


def test_a_loaner_that_is_not_in_stock_is_refused(client_for, employee, manager, logistics):
    case = open_repair(device=held_device(holder=employee, desk=logistics), by=employee)
    busy = held_device(holder=manager, desk=logistics)
    desk = client_for(logistics)

    response = _act(desk, REPAIRS, case, "lend", device=busy.serial_number)

    assert response.status_code == 409
    case.refresh_from_db()
    busy.refresh_from_db()
    assert case.loaner is None and busy.assignee == manager


def test_desk_assigns_a_device_in_stock_from_its_page(client_for, employee, logistics):
    device = DeviceFactory()
    desk = client_for(logistics)
    page = desk.get(f"{DEVICES}{device.pk}/change/")
    assert page.context["assign_form"] is not None

    response = desk.post(
        f"{DEVICES}{device.pk}/assign/", {"person": "employee", "comment": "New starter"}
    )

    assert response.status_code == 302
    device.refresh_from_db()
    assert (device.state, device.assignee) == (DeviceState.ASSIGNED, employee)
    page = desk.get(f"{DEVICES}{device.pk}/change/")
    assert page.context["assign_form"] is None
    assert [a.user for a in page.context["assignments"]] == [employee]
    assert [e.comment for e in page.context["events"]] == ["New starter"]


def test_assigning_a_held_device_or_to_nobody_is_refused(client_for, employee, logistics):
    device = held_device(holder=employee, desk=logistics)
    desk = client_for(logistics)

    held = desk.post(f"{DEVICES}{device.pk}/assign/", {"person": "logistics"})
    nobody = desk.post(f"{DEVICES}{DeviceFactory().pk}/assign/", {"person": "nobody-here"})

    assert held.status_code == 409
    assert nobody.status_code == 400
    assert nobody.context["assign_form"].errors["person"]
    device.refresh_from_db()
    assert device.assignee == employee


@pytest.mark.parametrize("persona", ["employee", "manager", "appowner", "reviewer", "trainer"])
def test_people_outside_the_desk_cannot_act_on_cases_or_devices(
    persona, personas, client_for, employee, logistics
):
    repair = open_repair(device=held_device(holder=employee, desk=logistics), by=employee)
    leaving = open_return(device=held_device(holder=employee, desk=logistics), by=employee)
    stock = DeviceFactory()
    client = client_for(personas[persona])

    responses = [
        _act(client, REPAIRS, repair, "triage"),
        _act(client, RETURNS, leaving, "receive"),
        client.post(f"{DEVICES}{stock.pk}/assign/", {"person": "employee"}),
    ]

    for response in responses:
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert response["Location"].startswith("/admin/login/")
    assert _state(repair) == RepairState.REPORTED
    assert _state(leaving) == ReturnState.REQUESTED
    stock.refresh_from_db()
    assert stock.state == DeviceState.IN_STOCK


def test_the_action_forms_carry_the_csrf_token_and_work_with_csrf_checks(employee, logistics):
    case = open_repair(device=held_device(holder=employee, desk=logistics), by=employee)
    client = Client(enforce_csrf_checks=True)
    client.force_login(logistics)
    page = client.get(f"{REPAIRS}{case.pk}/change/").content.decode()
    form = re.search(r'<form[^>]*id="action-triage".*?</form>', page, re.S).group(0)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)

    assert _act(client, REPAIRS, case, "triage").status_code == 403
    response = _act(client, REPAIRS, case, "triage", csrfmiddlewaretoken=token)

    _done(response, case, REPAIRS)
    assert _state(case) == RepairState.TRIAGED


def test_an_action_the_case_is_not_ready_for_says_so(client_for, employee, logistics):
    case = open_repair(device=held_device(holder=employee, desk=logistics), by=employee)

    response = _act(client_for(logistics), REPAIRS, case, "ship", carrier="Posten")

    assert response.status_code == 409
    assert any("cannot be done now" in message for message in _messages(response))
    assert _state(case) == RepairState.REPORTED
