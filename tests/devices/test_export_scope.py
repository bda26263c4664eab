"""A line manager's CSV export (/devices/export.csv) holds their department's devices and
those of the departments below it, and nothing else, whatever they filter."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from tests.devices.factories import DeviceFactory, held_device
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(employee, department, other_department, appowner, logistics):
    north = DepartmentFactory(name="Home nursing north", code="hn-north", parent=department)
    beside = DepartmentFactory(name="Home care", code="home-care")
    return {
        "OURS0001": held_device(holder=employee, desk=logistics, serial_number="OURS0001"),
        "NORTH001": held_device(
            holder=UserFactory(department=north), desk=logistics, serial_number="NORTH001"
        ),
        "THEIRS01": held_device(holder=appowner, desk=logistics, serial_number="THEIRS01"),
        "BESIDE01": held_device(
            holder=UserFactory(department=beside), desk=logistics, serial_number="BESIDE01"
        ),
        "STOCK001": DeviceFactory(serial_number="STOCK001"),
    }


def _serials(response) -> set[str]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return {row["serial_number"] for row in csv.DictReader(io.StringIO(body))}


def test_a_managers_export_holds_only_their_departments_devices(spread, manager, client_for):
    response = client_for(manager).get(reverse("devices:export"))
    assert _serials(response) == {"OURS0001", "NORTH001"}


@pytest.mark.parametrize("query", [{"state": "assigned"}, {"q": "THEIRS"}, {"q": "STOCK"}])
def test_a_filter_narrows_a_managers_export_but_never_widens_it(spread, manager, client_for, query):
    serials = _serials(client_for(manager).get(reverse("devices:export"), query))
    assert serials <= {"OURS0001", "NORTH001"}


def test_the_desk_exports_the_whole_fleet(spread, logistics, client_for):
    assert _serials(client_for(logistics).get(reverse("devices:export"))) == set(spread)
