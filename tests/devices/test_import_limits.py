"""What the device import refuses before it does any real work: a header cell over the CSV
reader's field limit, a first line longer than 2,000 characters (a million column names),
more than 50 columns, unknown columns (the first 10 named, with the count), and a row the
CSV reader cannot read. Each is refused with a message, in the admin, the service and the
command, and nothing is imported."""

from __future__ import annotations

import csv
import time

import pytest
from django.core.management import CommandError, call_command

from devices import importing, rows
from devices.choices import ImportState
from devices.models import Device, DeviceImport
from portal.errors import RuleViolation
from tests.devices.factories import DeviceModelFactory
from tests.devices.test_import import HEADER, csv_bytes, row, run, upload

pytestmark = pytest.mark.django_db

IMPORTS = "/admin/devices/deviceimport/"
FIELD_LIMIT = csv.field_size_limit()
BIG_CELL = "serial_number,manufacturer,model," + "x" * (FIELD_LIMIT + 1) + "\r\n"
MILLION_KNOWN = ",".join(["serial_number"] * 1_000_000) + "\r\n"
MILLION_UNKNOWN = ",".join(f"c{n}" for n in range(1_000_000)) + "\r\n"
SIXTY_COLUMNS = "serial_number,manufacturer,model" + "," * 60 + "\r\n"
OPEN_QUOTE = 'serial_number,manufacturer,"model\r\n' + "x" * (FIELD_LIMIT + 1) + "\r\n"


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = False


@pytest.fixture
def phone(db):
    return DeviceModelFactory(manufacturer="Samsung", name="Galaxy XCover 7")


def refusal(text: str) -> str:
    with pytest.raises(RuleViolation) as refused:
        importing.check_upload(upload(text.encode()))
    assert refused.value.field == "file"
    return refused.value.message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (BIG_CELL, "The first line is longer than 2000 characters."),
        (MILLION_KNOWN, "The first line is longer than 2000 characters."),
        (MILLION_UNKNOWN, "The first line is longer than 2000 characters."),
        (SIXTY_COLUMNS, "The first line names more than 50 columns"),
        (OPEN_QUOTE, "The first line cannot be read as CSV"),
    ],
    ids=["big-cell", "million-known", "million-unknown", "sixty-columns", "open-quote"],
)
def test_an_unreadable_or_oversized_header_is_refused_at_once(text, reason, logistics):
    started = time.monotonic()

    message = refusal(text)

    assert time.monotonic() - started < 2
    assert message.startswith(reason) and len(message) < 500
    with pytest.raises(RuleViolation):
        importing.start_import(by=logistics, upload=upload(text.encode()), queue=False)
    assert not DeviceImport.objects.exists() and not Device.objects.exists()


def test_many_unknown_columns_are_named_ten_at_most_with_their_count():
    names = [f"extra_{n}" for n in range(40)]

    message = refusal(",".join(["serial_number", "manufacturer", "model", *names]) + "\r\n")

    assert message.startswith("40 unknown columns, among them: extra_0, extra_1,")
    assert "extra_9." in message and "extra_10" not in message
    assert "The columns are: serial_number," in message


def test_a_long_unknown_column_name_is_shortened():
    message = refusal("serial_number,manufacturer,model," + "y" * 900 + "\r\n")

    assert "y" * 39 + "…" in message and "y" * 41 not in message


def test_a_few_unknown_columns_are_all_named():
    assert refusal("serial_number,manufacturer,model,owner,colour\r\n").startswith(
        "Unknown columns: owner, colour."
    )


def test_fifty_columns_are_not_too_many_in_themselves():
    header = ",".join([*HEADER, *rows.EXPORT_ONLY_COLUMNS]) + "," * (50 - 15) + "\r\n"

    assert "unknown" in refusal(header).lower()  # empty names, not the count


@pytest.mark.parametrize(
    "text", [BIG_CELL, MILLION_KNOWN, OPEN_QUOTE], ids=["big-cell", "million-known", "open-quote"]
)
def test_the_admin_refuses_such_a_header_with_a_form_error(text, logistics, client_for):
    response = client_for(logistics).post(f"{IMPORTS}add/", {"file": upload(text.encode())})

    assert response.status_code == 200
    assert "The first line" in response.content.decode()
    assert not DeviceImport.objects.exists() and not Device.objects.exists()


def test_the_command_refuses_such_a_header(tmp_path):
    path = tmp_path / "fleet.csv"
    path.write_text(MILLION_UNKNOWN)

    with pytest.raises(CommandError, match="The first line is longer"):
        call_command("import_devices", str(path))

    assert not DeviceImport.objects.exists() and not Device.objects.exists()


@pytest.mark.parametrize("good_rows", [False, True])
def test_a_row_the_csv_reader_cannot_read_refuses_the_whole_file(
    good_rows, phone, department, logistics
):
    content = csv_bytes([row(1), row(2, notes="x" * (FIELD_LIMIT + 1)), row(3)])

    done = run(content, by=logistics, good_rows=good_rows)

    assert done.state == ImportState.REFUSED and done.created_count == 0
    [problem] = done.errors
    assert problem["line"] == 3 and problem["reason"].startswith(
        "From this line on the file cannot be read as CSV"
    )
    assert not Device.objects.exists()


def test_the_command_reports_a_row_the_csv_reader_cannot_read(phone, department, tmp_path):
    path = tmp_path / "fleet.csv"
    path.write_bytes(csv_bytes([row(1), row(2, notes="x" * (FIELD_LIMIT + 1))]))

    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_devices", str(path), "--good-rows")

    assert not Device.objects.exists()
