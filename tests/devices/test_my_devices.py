"""My devices from plain values with SQL built once per process for each place a person
has in the rules: each person still sees their own devices and the open cases of them
they may see, never the person's whose page built the SQL."""

from __future__ import annotations

import pytest
from django.urls import reverse

from devices import selectors, services
from devices.choices import FaultCategory
from tests.devices.factories import DeviceFactory, DeviceModelFactory, held_device, open_repair
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MINE = reverse("devices:mine")


def test_each_person_sees_their_own_devices_and_cases(client_for, employee, logistics):
    selectors._MINE_SQL.clear()
    colleague = UserFactory(username="colleague", department=employee.department)
    phone = held_device(holder=employee, desk=logistics, serial_number="MINE0001")
    theirs = held_device(holder=colleague, desk=logistics, serial_number="THEIRS0001")
    case = open_repair(device=phone, by=employee, category=FaultCategory.BATTERY)
    services.triage_case(by=logistics, case_id=case.pk)
    loaner = DeviceFactory(model=DeviceModelFactory(manufacturer="Zebra", name="TC21"))
    services.lend_loaner(by=logistics, case_id=case.pk, loaner_id=loaner.pk)
    mine = client_for(employee).get(MINE).content.decode()
    assert "MINE0001" in mine and "THEIRS0001" not in mine
    assert reverse("devices:repair_case", args=[case.pk]) in mine
    assert "You have a loaner: Zebra TC21" in mine
    # The colleague's page reuses the SQL the employee's built.
    page = client_for(colleague).get(MINE).content.decode()
    assert "THEIRS0001" in page and "MINE0001" not in page
    assert reverse("devices:repair_case", args=[case.pk]) not in page
    assert reverse("devices:report_fault", args=[theirs.pk]) in page


def test_a_previous_holders_case_stays_theirs(client_for, employee, logistics):
    """The device goes to someone else with an open return of the previous holder: the
    new holder does not see it, the previous holder no longer holds the device."""
    selectors._MINE_SQL.clear()
    phone = held_device(holder=employee, desk=logistics, serial_number="MOVE0001")
    case = open_repair(device=phone, by=employee)
    rows = selectors.my_device_rows(employee)
    assert [r["pk"] for r in rows[0]["open_repairs"]] == [case.pk]
    newcomer = UserFactory(username="newcomer")
    phone.assignee = newcomer
    phone.save(update_fields=["assignee"])
    assert selectors.my_device_rows(employee) == []
    [row] = selectors.my_device_rows(newcomer)
    assert row["serial_number"] == "MOVE0001" and row["open_repairs"] == []
