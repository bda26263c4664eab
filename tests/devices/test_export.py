"""The CSV export of a list of devices: its columns (the desk-only ones for the desk
only), cells a spreadsheet would run as formulas made harmless, a constant number of
queries, and an export that imports again into an empty fleet as the same devices."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from devices import importing, permissions, rows, selectors
from devices.choices import DeviceState, ImportState
from devices.models import Device
from tests.devices.factories import DeviceFactory, DeviceModelFactory, held_device

pytestmark = pytest.mark.django_db

COMPARED = [*rows.COLUMNS[:3], "model_id", "department_id", *rows.COLUMNS[6:]]


def exported(queryset, fields=permissions.DEVICE_FIELDS) -> str:
    return "".join(importing.export_devices_csv(selectors.fleet_list(queryset), fields=fields))


def table(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_export_has_the_import_s_columns_and_who_holds_what(employee, department, logistics):
    model = DeviceModelFactory(manufacturer="Apple", name="iPad 10")
    held = held_device(
        holder=employee,
        desk=logistics,
        model=model,
        purchase_date=date(2024, 5, 2),
        purchase_price=Decimal("5490.00"),
        warranty_end=date(2026, 5, 2),
        mdm_identifier="intune-77",
        notes="Case with keyboard",
    )
    DeviceFactory(imei=None, asset_tag=None)

    text = exported(Device.objects.all())

    assert text.startswith("\ufeff")
    lines = table(text)
    assert list(lines[0]) == [*rows.COLUMNS, *rows.EXPORT_ONLY_COLUMNS]
    assert len(lines) == 2
    line = next(line for line in lines if line["serial_number"] == held.serial_number)
    assert line == {
        "serial_number": held.serial_number,
        "imei": held.imei,
        "asset_tag": held.asset_tag,
        "manufacturer": "Apple",
        "model": "iPad 10",
        "department": "home-nursing",
        "purchase_date": "2024-05-02",
        "purchase_price": "5490.00",
        "warranty_end": "2026-05-02",
        "mdm_identifier": "intune-77",
        "notes": "Case with keyboard",
        "state": DeviceState.ASSIGNED,
        "holder_username": "employee",
        "holder_name": employee.get_full_name(),
        "department_name": "Home nursing",
    }
    stock = next(line for line in lines if line["serial_number"] != held.serial_number)
    assert (stock["imei"], stock["holder_username"], stock["department"]) == ("", "", "")


def test_the_export_is_only_the_list_it_is_given(logistics):
    wanted, _other = DeviceFactory(), DeviceFactory()

    lines = table(exported(Device.objects.filter(pk=wanted.pk)))

    assert [line["serial_number"] for line in lines] == [wanted.serial_number]


@pytest.mark.parametrize(
    "notes", ['=HYPERLINK("http://evil")', "+47 22 00 00 00", "-1+1", "@SUM(A1)", "\tx", "\rx"]
)
def test_a_cell_a_spreadsheet_would_run_as_a_formula_starts_with_an_apostrophe(notes):
    DeviceFactory(notes=notes, mdm_identifier=notes)

    [line] = table(exported(Device.objects.all()))

    assert line["notes"] == "'" + notes and line["mdm_identifier"] == "'" + notes


def test_ordinary_cells_are_left_as_they_are():
    DeviceFactory(notes="Dent on the back; 'fine' otherwise", mdm_identifier="a=b")

    [line] = table(exported(Device.objects.all()))

    assert line["notes"] == "Dent on the back; 'fine' otherwise" and line["mdm_identifier"] == "a=b"


@pytest.mark.parametrize("size", [5, 50])
def test_the_export_takes_one_query_whatever_the_list_s_length(
    size, employee, logistics, django_assert_max_num_queries
):
    DeviceFactory.create_batch(size)
    held_device(holder=employee, desk=logistics)

    with django_assert_max_num_queries(1):
        text = exported(Device.objects.all())

    assert len(table(text)) == size + 1


def test_an_export_imports_again_into_an_empty_fleet_as_the_same_devices(
    employee, department, logistics
):
    model = DeviceModelFactory(manufacturer="Zebra", name="TC58")
    held_device(
        holder=employee,
        desk=logistics,
        model=model,
        purchase_date=date(2023, 1, 9),
        purchase_price=Decimal("8200.00"),
        warranty_end=date(2026, 1, 9),
        notes='=cmd|" /C calc"!A0, with "quotes"\nand a second line',
    )
    DeviceFactory(model=model, imei=None, asset_tag=None, department=department, notes="-")
    DeviceFactory(mdm_identifier="+mdm", purchase_price=Decimal("0.00"))
    before = sorted(Device.objects.values_list(*COMPARED))
    content = exported(Device.objects.all()).encode()
    Device.objects.all().delete()

    started = importing.start_import(
        by=logistics, upload=SimpleUploadedFile("export.csv", content), queue=False
    )
    done = importing.run_import(import_id=started.pk)

    assert done.state == ImportState.DONE and done.errors == []
    assert sorted(Device.objects.values_list(*COMPARED)) == before
    assert set(Device.objects.values_list("state", "assignee")) == {(DeviceState.IN_STOCK, None)}


def test_without_the_desk_only_fields_the_export_has_no_desk_only_columns():
    DeviceFactory(purchase_price=Decimal("5490.00"), mdm_identifier="intune-77", notes="Dent")
    fields = permissions.DEVICE_FIELDS - permissions.DESK_ONLY_DEVICE_FIELDS

    text = exported(Device.objects.all(), fields)

    [line] = table(text)
    assert set(line).isdisjoint({"purchase_price", "mdm_identifier", "notes"})
    assert {"serial_number", "model", "state", "holder_username"} <= set(line)
    assert "5490" not in text and "intune-77" not in text and "Dent" not in text
