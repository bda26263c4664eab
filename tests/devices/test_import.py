"""The CSV import of devices: a good file, every kind of bad row (line, column, reason)
with nothing imported, the good-rows mode, a task run twice, progress seen from outside
while the import's transaction is open, the admin for the desk only, and the command."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext

from devices import importing, rows
from devices.choices import DeviceState, ImportState
from devices.models import Device, DeviceEvent, DeviceImport
from devices.tasks import run_device_import
from portal.errors import NotPermitted, RuleViolation
from tests.devices.factories import DeviceFactory, DeviceModelFactory, luhn_imei
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

IMPORTS = "/admin/devices/deviceimport/"
OUTSIDE_THE_DESK = ["employee", "manager", "appowner", "reviewer", "trainer"]
HEADER = list(rows.COLUMNS)


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = False


@pytest.fixture
def phone(db):
    return DeviceModelFactory(manufacturer="Samsung", name="Galaxy XCover 7")


def row(n: int, **changes) -> dict:
    """A good row (the n-th of a file), with changes."""
    values = {
        "serial_number": f"IMP{n:06d}",
        "imei": luhn_imei(f"49{n:012d}"),
        "asset_tag": f"OSL-{n:06d}",
        "manufacturer": "samsung",
        "model": "GALAXY XCOVER 7",
        "department": "home-nursing",
        "purchase_date": "2024-02-01",
        "purchase_price": "4999.50",
        "warranty_end": "2027-02-01",
        "mdm_identifier": f"intune-{n}",
        "notes": "",
    }
    values.update(changes)
    return values


def csv_bytes(lines: list[dict], *, header=HEADER, delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    for values in lines:
        writer.writerow([values.get(name, "") for name in header])
    return buffer.getvalue().encode()


def upload(content: bytes, name: str = "devices.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, "text/csv")


def run(content: bytes, *, by, good_rows: bool = False) -> DeviceImport:
    started = importing.start_import(
        by=by, upload=upload(content), import_good_rows=good_rows, queue=False
    )
    return importing.run_import(import_id=started.pk)


def test_good_file_creates_devices_in_stock_each_with_its_imported_event(
    phone, department, logistics
):
    done = run(csv_bytes([row(n) for n in range(3)]), by=logistics)

    assert done.state == ImportState.DONE
    assert (done.total_rows, done.processed_rows, done.created_count, done.percent) == (
        3,
        3,
        3,
        100,
    )
    assert done.errors == [] and done.finished_at is not None
    device = Device.objects.get(serial_number="IMP000001")
    assert device.model == phone and device.department == department
    assert device.state == DeviceState.IN_STOCK and device.assignee is None
    assert device.imei == luhn_imei("49000000000001") and device.asset_tag == "OSL-000001"
    assert device.purchase_price == Decimal("4999.50")
    assert str(device.warranty_end) == "2027-02-01" and device.mdm_identifier == "intune-1"
    events = DeviceEvent.objects.filter(device__serial_number__startswith="IMP")
    assert events.count() == 3
    event = events.get(device=device)
    assert (event.actor, event.from_state, event.to_state) == (logistics, "", DeviceState.IN_STOCK)
    assert event.comment == "Imported from devices.csv"


def test_optional_columns_may_be_left_out_and_in_any_order(phone, logistics):
    header = ["model", "serial_number", "manufacturer"]
    done = run(csv_bytes([row(1)], header=header), by=logistics)

    assert done.state == ImportState.DONE
    device = Device.objects.get(serial_number="IMP000001")
    assert device.imei is None and device.asset_tag is None and device.department is None


def test_a_semicolon_separated_file_from_a_nordic_excel_imports(phone, department, logistics):
    content = b"\xef\xbb\xbf" + csv_bytes([row(1, purchase_price="1299,90")], delimiter=";")

    done = run(content, by=logistics)

    assert done.state == ImportState.DONE
    assert Device.objects.get().purchase_price == Decimal("1299.90")


BAD_ROWS = [
    ({"serial_number": ""}, "serial_number", "The serial number is missing."),
    ({"serial_number": "X" * 65}, "serial_number", "At most 64 characters."),
    ({"imei": "12345"}, "imei", "An IMEI is 15 digits."),
    ({"imei": "49000000000001X"}, "imei", "An IMEI is 15 digits."),
    ({"imei": "490000000000010"}, "imei", "The IMEI's check digit is wrong."),
    ({"model": "Galaxy S99"}, "model", "No device model “samsung Galaxy S99”"),
    ({"manufacturer": ""}, "model", "Give the manufacturer and the model."),
    ({"department": "nowhere"}, "department", "No department with the code “nowhere”."),
    ({"purchase_date": "01.02.2024"}, "purchase_date", "Write the date as YYYY-MM-DD"),
    ({"purchase_date": "2024-02-30"}, "purchase_date", "Write the date as YYYY-MM-DD"),
    ({"warranty_end": "2023-12-31"}, "warranty_end", "The warranty ends before the purchase"),
    ({"purchase_price": "cheap"}, "purchase_price", "Write the price as a number"),
    ({"purchase_price": "-5"}, "purchase_price", "The price is at least 0"),
    ({"purchase_price": "10.005"}, "purchase_price", "at most two decimals"),
]


@pytest.mark.parametrize(("changes", "field", "reason"), BAD_ROWS)
def test_a_bad_row_is_reported_with_line_column_and_reason_and_nothing_is_imported(
    phone, department, logistics, changes, field, reason
):
    lines = [row(1), row(2, **changes), row(3)]

    done = run(csv_bytes(lines), by=logistics)

    assert done.state == ImportState.REFUSED
    assert [(p["line"], p["field"]) for p in done.errors] == [(3, field)]
    assert done.errors[0]["reason"].startswith(reason) or reason in done.errors[0]["reason"]
    assert done.created_count == 0
    assert not Device.objects.exists() and not DeviceEvent.objects.exists()


def test_a_closed_department_is_refused(phone, logistics):
    DepartmentFactory(code="closed-unit", is_active=False)

    done = run(csv_bytes([row(1, department="CLOSED-UNIT")]), by=logistics)

    assert done.errors == [
        {"line": 2, "field": "department", "reason": "The department “CLOSED-UNIT” is closed."}
    ]


def test_values_used_twice_in_the_file_are_reported_on_the_second_line(
    phone, department, logistics
):
    first = row(1)
    again = row(2, serial_number=first["serial_number"], imei=first["imei"], asset_tag="OSL-000001")

    done = run(csv_bytes([first, again]), by=logistics)

    assert done.state == ImportState.REFUSED
    assert done.errors == [
        {"line": 3, "field": name, "reason": "Already used on line 2 of this file."}
        for name in ("serial_number", "imei", "asset_tag")
    ]
    assert not Device.objects.exists()


def test_values_already_in_the_fleet_are_reported(phone, department, logistics):
    existing = DeviceFactory()
    clash = row(1, serial_number=existing.serial_number, imei=existing.imei)
    clash["asset_tag"] = existing.asset_tag

    done = run(csv_bytes([clash]), by=logistics)

    assert [(p["line"], p["field"], p["reason"]) for p in done.errors] == [
        (2, name, "A device with this value is already in the fleet.")
        for name in ("serial_number", "imei", "asset_tag")
    ]
    assert Device.objects.count() == 1


def test_a_line_with_more_cells_than_the_header_is_reported(phone, department, logistics):
    content = csv_bytes([row(1)]) + b"IMP9,,,samsung,galaxy xcover 7,,,,,,,surplus\r\n"

    done = run(content, by=logistics)

    assert done.errors == [
        {"line": 3, "field": "", "reason": "This line has more cells than the header has columns."}
    ]


def test_line_numbers_count_lines_of_quoted_notes_and_skip_blank_lines(
    phone, department, logistics
):
    content = (
        csv_bytes([row(1, notes="two\nlines")])
        + b"\r\n"
        + csv_bytes([row(2, imei="1")])[len(",".join(HEADER)) + 2 :]
    )

    done = run(content, by=logistics)

    assert done.total_rows == 2
    assert [(p["line"], p["field"]) for p in done.errors] == [(5, "imei")]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"serial_number,colour,model,manufacturer\r\n", "Unknown columns: colour."),
        (b"serial_number,imei\r\n", "Required columns are missing: manufacturer, model."),
        (b"serial_number,model,manufacturer,model\r\n", "Columns named twice: model."),
        (b"", "The file is empty"),
    ],
)
def test_a_file_with_a_bad_header_is_refused_before_it_is_kept(logistics, content, reason):
    with pytest.raises(RuleViolation) as refused:
        importing.start_import(by=logistics, upload=upload(content), queue=False)

    assert refused.value.field == "file" and refused.value.message.startswith(reason)
    assert not DeviceImport.objects.exists()


def test_a_file_with_only_a_header_is_refused(logistics):
    done = run(",".join(HEADER).encode(), by=logistics)

    assert done.state == ImportState.REFUSED
    assert done.errors[0]["reason"] == "The file has no devices under the header."


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("devices.xlsx", b"PK\x03\x04", "Choose a CSV file"),
        ("devices.csv", "serial_number;modèle".encode("latin-1"), "The file is not UTF-8 text"),
    ],
)
def test_a_file_that_is_not_csv_in_utf8_is_refused(logistics, name, content, reason):
    with pytest.raises(RuleViolation) as refused:
        importing.start_import(by=logistics, upload=upload(content, name), queue=False)

    assert refused.value.message.startswith(reason)


def test_a_file_over_the_size_limit_is_refused(settings, logistics):
    settings.DEVICE_IMPORT_MAX_MB = 0.001

    with pytest.raises(RuleViolation, match="larger than"):
        importing.start_import(by=logistics, upload=upload(b"x" * 2000), queue=False)


def test_only_the_desk_starts_an_import(phone, employee, manager, reviewer):
    for person in (employee, manager, reviewer):
        with pytest.raises(NotPermitted):
            importing.start_import(by=person, upload=upload(csv_bytes([row(1)])), queue=False)
    assert not DeviceImport.objects.exists()


def test_good_rows_mode_imports_the_good_rows_and_reports_the_bad(phone, department, logistics):
    lines = [row(1), row(2, imei="123"), row(3), row(4, model="Nokia 3310")]

    done = run(csv_bytes(lines), by=logistics, good_rows=True)

    assert done.state == ImportState.DONE
    assert (done.total_rows, done.processed_rows, done.created_count) == (4, 4, 2)
    assert [(p["line"], p["field"]) for p in done.errors] == [(3, "imei"), (5, "model")]
    assert set(Device.objects.values_list("serial_number", flat=True)) == {
        "IMP000001",
        "IMP000003",
    }
    assert DeviceEvent.objects.count() == 2


def test_good_rows_mode_with_no_good_row_is_refused(phone, logistics):
    done = run(csv_bytes([row(1, serial_number="")]), by=logistics, good_rows=True)

    assert done.state == ImportState.REFUSED and not Device.objects.exists()


def test_the_task_queued_on_commit_imports_and_running_it_again_does_nothing(
    phone, department, logistics, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        started = importing.start_import(by=logistics, upload=upload(csv_bytes([row(1), row(2)])))
    started.refresh_from_db()
    assert started.state == ImportState.DONE and Device.objects.count() == 2

    assert run_device_import(started.pk) == ImportState.DONE
    assert run_device_import(started.pk) == ImportState.DONE

    assert Device.objects.count() == 2 and DeviceEvent.objects.count() == 2
    started.refresh_from_db()
    assert started.created_count == 2


def test_a_refused_import_run_again_stays_refused(phone, logistics):
    done = run(csv_bytes([row(1, imei="1")]), by=logistics)

    run_device_import(done.pk)

    done.refresh_from_db()
    assert done.state == ImportState.REFUSED and not Device.objects.exists()


def test_an_import_another_worker_holds_is_left_alone(phone, department, logistics):
    started = importing.start_import(by=logistics, upload=upload(csv_bytes([row(1)])), queue=False)
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [importing._LOCK_CLASS, started.pk])
        assert importing.run_import(import_id=started.pk) is None
    finally:
        other.close()
    assert not Device.objects.exists()


def test_a_clash_while_writing_fails_the_import_and_imports_nothing(
    phone, department, logistics, monkeypatch
):
    existing = DeviceFactory(serial_number="IMP000002")
    real_load = rows.Lookups.load

    def stale_load():
        lookups = real_load()
        lookups.serials.discard(existing.serial_number)  # as if it was added after the check
        return lookups

    monkeypatch.setattr(rows.Lookups, "load", staticmethod(stale_load))

    done = run(csv_bytes([row(1), row(2)]), by=logistics)

    assert done.state == ImportState.FAILED and done.created_count == 0
    assert "Nothing was imported" in done.errors[0]["reason"]
    assert list(Device.objects.values_list("serial_number", flat=True)) == ["IMP000002"]


@pytest.mark.parametrize("size", [10, 200])
def test_checking_a_file_takes_the_same_queries_whatever_its_length(
    phone, department, size, django_assert_max_num_queries
):
    DeviceFactory.create_batch(3)
    text = csv_bytes([row(n) for n in range(size)]).decode()

    with django_assert_max_num_queries(3):
        checked = importing.check_text(text)

    assert checked.total == size and not checked.problems


def test_an_import_takes_the_same_queries_for_10_rows_as_for_200(phone, department, logistics):
    counts = []
    for size in (10, 200):
        started = importing.start_import(
            by=logistics,
            upload=upload(csv_bytes([row(n, asset_tag="", imei="") for n in range(size)])),
            queue=False,
        )
        Device.objects.all().delete()
        with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as captured:
            importing.run_import(import_id=started.pk)
        counts.append(len(captured))
    assert counts[0] == counts[1]


@pytest.mark.django_db(transaction=True)
def test_progress_is_seen_from_outside_while_nothing_is_yet_imported(
    phone, department, logistics, monkeypatch
):
    monkeypatch.setattr(importing, "BATCH_SIZE", 2)
    started = importing.start_import(
        by=logistics, upload=upload(csv_bytes([row(n) for n in range(5)])), queue=False
    )
    seen = []
    tell = importing._Progress.tell
    watcher = connections.create_connection(DEFAULT_DB_ALIAS)

    def tell_and_look(self, processed):
        tell(self, processed)
        with watcher.cursor() as cursor:
            cursor.execute(
                "SELECT processed_rows, state FROM devices_deviceimport WHERE id = %s",
                [started.pk],
            )
            progress, state = cursor.fetchone()
            cursor.execute("SELECT count(*) FROM devices_device")
            seen.append((progress, state, cursor.fetchone()[0]))

    monkeypatch.setattr(importing._Progress, "tell", tell_and_look)
    try:
        done = importing.run_import(import_id=started.pk)
    finally:
        watcher.close()

    assert seen == [(2, "running", 0), (4, "running", 0), (5, "running", 0)]
    assert done.state == ImportState.DONE and Device.objects.count() == 5


# The admin ------------------------------------------------------------------------------


def test_the_desk_uploads_a_file_and_sees_the_import_s_page(
    phone, department, logistics, client_for, django_capture_on_commit_callbacks
):
    client = client_for(logistics)
    assert client.get(f"{IMPORTS}add/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{IMPORTS}add/",
            {"file": upload(csv_bytes([row(1), row(2, imei="12")])), "import_good_rows": "on"},
        )

    device_import = DeviceImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{IMPORTS}{device_import.pk}/change/"
    assert device_import.created_by == logistics and device_import.import_good_rows
    assert device_import.state == ImportState.DONE and Device.objects.count() == 1

    page = client.get(response["Location"])
    content = page.content.decode()
    assert page.status_code == 200
    assert '<progress id="import-progress" max="100" value="100">' in content
    assert "An IMEI is 15 digits." in content and "data-refresh" not in content
    assert "/admin/devices/deviceimport/template/" in content


def test_a_queued_import_s_page_updates_its_progress_without_reloading(
    phone, logistics, client_for
):
    started = importing.start_import(by=logistics, upload=upload(csv_bytes([row(1)])), queue=False)

    content = client_for(logistics).get(f"{IMPORTS}{started.pk}/change/").content.decode()

    # No timed page refresh (WCAG 2.2.1): a script polls, "Check again" without one.
    assert 'http-equiv="refresh"' not in content
    assert 'data-refresh="3"' in content and "devices/js/import-progress.js" in content
    assert "Check again" in content
    assert '<progress id="import-progress" max="100" value="0">' in content


def test_the_admin_refuses_a_file_that_is_not_csv(logistics, client_for):
    response = client_for(logistics).post(
        f"{IMPORTS}add/", {"file": upload(b"%PDF-1.7", "devices.pdf")}
    )

    assert response.status_code == 200
    assert "Choose a CSV file" in response.content.decode()
    assert not DeviceImport.objects.exists()


def test_the_admin_refuses_unknown_columns_at_upload(logistics, client_for):
    response = client_for(logistics).post(
        f"{IMPORTS}add/", {"file": upload(b"serial_number,model,manufacturer,owner\r\n")}
    )

    assert "Unknown columns: owner." in response.content.decode()
    assert not DeviceImport.objects.exists()


def test_an_import_is_never_changed_or_deleted_in_the_admin(phone, admin_user, client_for):
    done = run(csv_bytes([row(1, department="")]), by=admin_user)
    client = client_for(admin_user)

    assert client.post(f"{IMPORTS}{done.pk}/change/", {"import_good_rows": "on"}).status_code == 403
    assert client.post(f"{IMPORTS}{done.pk}/delete/", {"post": "yes"}).status_code == 403
    assert DeviceImport.objects.filter(pk=done.pk, state=ImportState.DONE).exists()


def test_the_list_of_imports_and_the_template_and_bad_rows_downloads(
    phone, department, logistics, client_for, django_assert_max_num_queries
):
    for n in range(3):
        run(csv_bytes([row(n, imei="1")]), by=logistics)
    client = client_for(logistics)

    with django_assert_max_num_queries(12):
        listing = client.get(IMPORTS)
    assert listing.status_code == 200 and len(listing.context["cl"].result_list) == 3

    template = client.get(f"{IMPORTS}template/")
    assert template["Content-Type"] == "text/csv"
    assert template.content.decode("utf-8-sig").strip() == ",".join(HEADER)

    bad_rows = client.get(f"{IMPORTS}{DeviceImport.objects.first().pk}/bad-rows/")
    assert bad_rows.content.decode("utf-8-sig").splitlines() == [
        "line,field,reason",
        "2,imei,An IMEI is 15 digits.",
    ]


@pytest.mark.parametrize("persona", OUTSIDE_THE_DESK)
def test_outside_the_desk_nobody_uploads_or_sees_imports(
    phone, personas, client_for, persona, logistics
):
    done = run(csv_bytes([row(1, department="")]), by=logistics)
    client = client_for(personas[persona])

    refused = client.post(f"{IMPORTS}add/", {"file": upload(csv_bytes([row(2)]))})
    for url in (IMPORTS, f"{IMPORTS}{done.pk}/change/", f"{IMPORTS}template/"):
        assert client.get(url).status_code in (302, 403), url
    assert refused.status_code in (302, 403)
    assert DeviceImport.objects.count() == 1 and Device.objects.count() == 1


# The command ----------------------------------------------------------------------------


def test_the_command_imports_and_prints_the_counts(phone, department, logistics, tmp_path):
    path = tmp_path / "fleet.csv"
    path.write_bytes(csv_bytes([row(1), row(2)]))
    out = io.StringIO()

    call_command("import_devices", str(path), "--user", "logistics", stdout=out)

    assert "Done: 2 rows, 2 devices created, 0 problems" in out.getvalue()
    assert DeviceEvent.objects.filter(actor=logistics).count() == 2


def test_the_command_prints_each_bad_row_and_fails_when_refused(phone, department, tmp_path):
    path = tmp_path / "fleet.csv"
    path.write_bytes(csv_bytes([row(1), row(2, purchase_date="yesterday")]))
    out = io.StringIO()

    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_devices", str(path), stdout=out)

    assert "line 3: purchase_date: Write the date as YYYY-MM-DD" in out.getvalue()
    assert not Device.objects.exists()


def test_the_command_with_good_rows_imports_the_good_ones(phone, department, tmp_path):
    path = tmp_path / "fleet.csv"
    path.write_bytes(csv_bytes([row(1), row(2, purchase_date="yesterday")]))
    out = io.StringIO()

    call_command("import_devices", str(path), "--good-rows", stdout=out)

    assert "1 devices created, 1 problems" in out.getvalue()
    assert Device.objects.count() == 1


def test_the_command_refuses_an_unknown_user(tmp_path):
    path = tmp_path / "fleet.csv"
    path.write_bytes(csv_bytes([]))

    with pytest.raises(CommandError, match="No active user"):
        call_command("import_devices", str(path), "--user", "nobody")


def test_the_benchmark_imports_and_leaves_nothing_behind(db):
    out = io.StringIO()

    call_command("benchmark_device_import", "--rows", "50", stdout=out)

    assert "imported 50 devices" in out.getvalue() and "rolled back" in out.getvalue()
    assert not Device.objects.exists() and not DeviceImport.objects.exists()
