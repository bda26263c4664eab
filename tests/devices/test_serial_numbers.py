"""One normal form for serial numbers (upper case, no whitespace), enforced by the database:
every way in (model, forms, CSV import, MDM upsert) stores it, a lower-case copy of a
device is the same device, and a raw insert of another form is refused. Asset tags are
unique whatever their case. (The 20 concurrent MDM batches are in test_concurrency.py.)"""

from __future__ import annotations

import importlib

import pytest
from django.db import IntegrityError, connection, transaction
from django.forms import modelform_factory

from devices import inventory, selectors
from devices.choices import ImportState
from devices.models import Device
from devices.validators import normalise_serial
from tests.devices.factories import DeviceFactory, DeviceModelFactory
from tests.devices.test_import import csv_bytes, row, run
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("given", "normal"),
    [
        (" c02x 12\t34\n", "C02X1234"),
        ("SN-1", "SN-1"),
        ("", ""),
        (None, None),
        (12345, "12345"),
    ],
)
def test_a_serial_number_has_one_normal_form_upper_case_without_whitespace(given, normal):
    assert normalise_serial(given) == normal


def test_a_device_is_saved_in_normal_form_and_found_by_any_spelling():
    device = DeviceFactory(serial_number=" sn 7 ")
    assert device.serial_number == "SN7"
    assert Device.objects.values_list("serial_number", flat=True).get() == "SN7"
    assert Device.objects.get(serial_number="sn7") == device
    assert list(selectors.search_devices(Device.objects.all(), "sn")) == [device]


def test_a_bulk_create_stores_the_normal_form_too():
    model = DeviceModelFactory()
    Device.objects.bulk_create([Device(serial_number="bulk 1", model=model)])
    assert Device.objects.values_list("serial_number", flat=True).get() == "BULK1"


def _raw_insert(serial: str, asset_tag: str | None = None) -> None:
    model = DeviceModelFactory()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO devices_device (serial_number, asset_tag, model_id, state, "
            "mdm_identifier, notes, created_at, updated_at) "
            "VALUES (%s, %s, %s, 'in_stock', '', '', now(), now())",
            [serial, asset_tag, model.pk],
        )


def test_the_database_refuses_a_raw_insert_of_a_lower_case_copy_of_a_serial_number():
    DeviceFactory(serial_number="ABC123")
    with pytest.raises(IntegrityError):
        _raw_insert("abc123")
    assert Device.objects.count() == 1


@pytest.mark.parametrize("serial", ["abc123", "ABC 123", " ABC123"])
def test_the_database_refuses_a_serial_number_not_in_normal_form(serial):
    with pytest.raises(IntegrityError):
        _raw_insert(serial)
    _raw_insert("ABC123")
    assert Device.objects.count() == 1


def test_the_database_refuses_an_asset_tag_that_differs_only_in_case():
    DeviceFactory(asset_tag="OSL-1")
    with pytest.raises(IntegrityError):
        _raw_insert("NEW1", asset_tag="osl-1")


DeviceForm = modelform_factory(Device, fields=["serial_number", "asset_tag", "model", "state"])


def test_a_device_form_refuses_a_lower_case_copy_of_a_serial_number_or_asset_tag():
    existing = DeviceFactory(serial_number="ABC123", asset_tag="OSL-1")
    form = DeviceForm(
        data={"serial_number": " abc 123", "asset_tag": "osl-1", "model": existing.model_id}
        | {"state": "in_stock"}
    )
    assert not form.is_valid()
    assert form.errors["serial_number"] == ["Device with this Serial number already exists."]
    assert form.errors["__all__"] == ["Another device already has this asset tag."]


def test_a_device_form_stores_a_new_serial_number_in_normal_form():
    model = DeviceModelFactory()
    form = DeviceForm(data={"serial_number": " new 9 ", "model": model.pk, "state": "in_stock"})
    assert form.is_valid(), form.errors
    assert form.save().serial_number == "NEW9"
    assert Device.objects.get().serial_number == "NEW9"


def test_the_admin_adds_no_device_by_hand(client, logistics, settings):
    """Devices enter by import or MDM only; the admin's device screens are read-only."""
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = False
    client.force_login(logistics)
    assert client.get("/admin/devices/device/add/").status_code == 403


def test_a_csv_import_refuses_a_lower_case_copy_of_a_device_in_the_fleet(logistics):
    phone = DeviceModelFactory(manufacturer="Samsung", name="Galaxy XCover 7")
    DeviceFactory(serial_number="IMP000001", asset_tag="OSL-9", model=phone)
    lines = [
        row(1, serial_number="imp 000001", department=""),
        row(2, asset_tag="osl-9", department=""),
    ]

    done = run(csv_bytes(lines), by=logistics)

    assert done.state == ImportState.REFUSED
    assert [(p["line"], p["field"], p["reason"]) for p in done.errors] == [
        (2, "serial_number", "A device with this value is already in the fleet."),
        (3, "asset_tag", "A device with this value is already in the fleet."),
    ]
    assert Device.objects.count() == 1


def test_a_csv_import_stores_serial_numbers_in_normal_form_and_sees_copies_in_the_file(
    logistics,
):
    DeviceModelFactory(manufacturer="Samsung", name="Galaxy XCover 7")
    lines = [
        row(1, serial_number="imp 1", department=""),
        row(2, serial_number="IMP1", asset_tag="osl-000001", department=""),
    ]

    refused = run(csv_bytes(lines), by=logistics)
    assert [(p["line"], p["field"]) for p in refused.errors] == [
        (3, "serial_number"),
        (3, "asset_tag"),
    ]
    done = run(csv_bytes(lines[:1]), by=logistics)
    assert done.state == ImportState.DONE
    assert Device.objects.values_list("serial_number", flat=True).get() == "IMP1"


def test_the_mdm_upsert_stores_and_matches_the_normal_form():
    mdm = UserFactory(username="intune")
    first = {"serial_number": " mdm 0001 ", "manufacturer": "Apple", "model": "iPhone 15"}
    assert inventory.upsert_inventory(by=mdm, items=[first]).created == 1
    assert Device.objects.values_list("serial_number", flat=True).get() == "MDM0001"
    again = inventory.upsert_inventory(by=mdm, items=[{**first, "serial_number": "mdm0001"}])
    assert (again.created, again.unchanged) == (0, 1)


def test_the_mdm_upsert_refuses_two_spellings_of_one_serial_number_in_a_batch():
    mdm = UserFactory(username="intune")
    items = [
        {"serial_number": serial, "manufacturer": "Apple", "model": "iPhone 15"}
        for serial in ("mdm 0001", "MDM0001")
    ]
    with pytest.raises(inventory.InventoryRefused) as refused:
        inventory.upsert_inventory(by=mdm, items=items)
    assert [(e.index, e.field, e.code) for e in refused.value.errors] == [
        (1, "serial_number", "duplicate")
    ]


def test_the_migration_names_the_devices_that_collide_once_normalised():
    migration = importlib.import_module("devices.migrations.0005_normal_serial_numbers")
    rows = [(1, "abc 1"), (2, "ABC1"), (3, "XYZ"), (4, "Abc1"), (5, None)]
    assert migration._collisions(rows, normalise_serial) == [
        "'ABC1': device 1 ('abc 1'), device 2 ('ABC1'), device 4 ('Abc1')"
    ]
