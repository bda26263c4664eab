"""Which fields of a device a person reads comes from one place
(`permissions.device_fields_for`): the device page, the API and the CSV export show the
desk-only fields (purchase price, MDM identifier, notes) to the desk and to nobody else."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from devices import permissions
from tests.devices.factories import held_device

pytestmark = pytest.mark.django_db

DESK_ONLY = {"purchase_price": "5490.00", "mdm_identifier": "intune-7731", "notes": "Dent-77"}
SEES_DESK_ONLY = {"logistics": True, "admin": True, "manager": False, "employee": False}


@pytest.fixture
def device(employee, logistics, department):
    return held_device(
        holder=employee,
        desk=logistics,
        department=department,
        purchase_price=Decimal(DESK_ONLY["purchase_price"]),
        mdm_identifier=DESK_ONLY["mdm_identifier"],
        notes=DESK_ONLY["notes"],
    )


def export_table(client) -> list[dict]:
    response = client.get(reverse("devices:export"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("persona", SEES_DESK_ONLY)
def test_the_desk_only_fields_are_the_desk_s(persona, personas):
    fields = permissions.device_fields_for(personas[persona])

    assert (fields >= permissions.DESK_ONLY_DEVICE_FIELDS) is SEES_DESK_ONLY[persona]
    assert {"serial_number", "model", "state", "holder", "warranty_end"} <= fields


def test_a_line_manager_s_export_has_no_desk_only_columns(client_for, manager, device):
    [line] = export_table(client_for(manager))

    assert line["serial_number"] == device.serial_number
    assert set(line).isdisjoint(DESK_ONLY)
    assert not set(line.values()) & set(DESK_ONLY.values())


def test_the_desk_s_export_has_the_desk_only_columns(client_for, logistics, device):
    [line] = export_table(client_for(logistics))

    assert {name: line[name] for name in DESK_ONLY} == DESK_ONLY


@pytest.mark.parametrize("persona", SEES_DESK_ONLY)
def test_the_device_page_and_the_api_show_the_same_fields(
    persona, personas, client, api_client, device
):
    client.force_login(personas[persona])
    api_client.force_login(personas[persona])
    sees = SEES_DESK_ONLY[persona]

    html = client.get(reverse("devices:device", args=[device.pk])).content.decode()
    detail = api_client.get(reverse("api:device_detail", kwargs={"pk": device.pk})).json()
    [row] = api_client.get(reverse("api:device_list")).json()["results"]

    for name, value in DESK_ONLY.items():
        assert (value in html) is sees, name
        assert detail[name] == (value if sees else None), name
    assert row["mdm_identifier"] == (DESK_ONLY["mdm_identifier"] if sees else None)
    assert device.serial_number in html and detail["serial_number"] == device.serial_number
