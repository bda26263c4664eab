"""The CSV import of devices (`start_import`, `run_import`) and the CSV export of any
list of devices (`export_devices_csv`). The columns and the check of a row are in
`devices.rows`.

How an import runs (`run_import`, called by the Celery task and by `import_devices`):

1. Claim. A session advisory lock on the import's id keeps two workers from running the
   same import. A finished import (done, refused, failed) is left alone, so running the
   task again does nothing. A queued or running one runs: "running" without the lock
   means a worker died, and its write transaction died with it.
2. Check. Every row is checked against lookups loaded once (`rows.Lookups`); nothing is
   written. Any bad row refuses the whole file, unless the good rows were asked for; a
   file the CSV reader cannot read to its end is refused whatever was asked.
3. Write. One transaction creates the devices (in stock, held by nobody) and their
   "imported" events with `bulk_create` in batches, then sets the import's state, counts
   and bad rows: the fleet gets the whole file or nothing of it.
   Progress: after each batch `processed_rows` is written through a second database
   connection in autocommit, so the admin page sees it while the write transaction is
   still open. The write transaction touches the import row only after the last progress
   update is committed, so the two connections never wait for each other. When the caller
   already holds a transaction (tests, the benchmark) the second connection could not see
   the import row, so progress goes through the caller's connection instead.
"""

from __future__ import annotations

import csv
import io
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from devices import jobs, permissions, rows, services
from devices.choices import ImportState
from devices.models import Device, DeviceImport
from portal.errors import NotPermitted, RuleViolation

logger = logging.getLogger(__name__)

BATCH_SIZE = 5000
FINISHED = (ImportState.DONE, ImportState.REFUSED, ImportState.FAILED)
_LOCK_CLASS = 0x44455649  # "DEVI": the advisory-lock namespace of device imports


# Starting an import ---------------------------------------------------------------------


def check_upload(upload) -> bytes:
    """The uploaded file's bytes, or a RuleViolation on `file` saying why it is refused:
    not .csv, too large, not UTF-8, or a header that names unknown or too few columns."""
    name = os.path.basename(upload.name or "")
    if not name.lower().endswith(".csv"):
        raise RuleViolation(_("Choose a CSV file (a name ending in .csv)."), field="file")
    limit = getattr(settings, "DEVICE_IMPORT_MAX_MB", 20)
    if upload.size is not None and upload.size > limit * 1024 * 1024:
        raise RuleViolation(
            _("The file is larger than %(mb)s MB; split it in parts.") % {"mb": limit},
            field="file",
        )
    upload.seek(0)
    content = upload.read()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RuleViolation(
            _("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”."), field="file"
        ) from None
    try:
        rows.read_table(text)
    except rows.BadHeader as refused:
        raise RuleViolation(str(refused), field="file") from None
    return content


@transaction.atomic
def start_import(*, by, upload, import_good_rows: bool = False, queue: bool = True):
    """The desk (or a command run by the system, `by=None`) starts an import of a CSV file.
    The file is kept privately; the task runs once the import is committed."""
    if by is not None and not permissions.is_desk(by):
        raise NotPermitted(_("Only the logistics desk imports devices."))
    content = check_upload(upload)
    device_import = DeviceImport(
        created_by=by,
        file_name=os.path.basename(upload.name)[:255],
        import_good_rows=import_good_rows,
    )
    device_import.file.save("devices.csv", ContentFile(content), save=False)
    device_import.save()
    if queue:
        transaction.on_commit(lambda: _queue(device_import.pk))
    return device_import


def _queue(import_id: int) -> None:
    jobs.queue(jobs.RUN_DEVICE_IMPORT, import_id=import_id)


# Running it -----------------------------------------------------------------------------


@dataclass
class Checked:
    """A file after the check: the good rows (ordinal, fields) and every problem."""

    total: int = 0
    good: list[tuple[int, dict]] = field(default_factory=list)
    problems: list[rows.Problem] = field(default_factory=list)
    unreadable: bool = False  # the CSV reader stopped: the file is refused as a whole


def check_text(text: str, lookups: rows.Lookups | None = None) -> Checked:
    """Every row of the file checked; the queries are those of `Lookups.load`, whatever the
    number of rows."""
    checked = Checked()
    try:
        names, reader = rows.read_table(text)
    except rows.BadHeader as refused:
        checked.problems.append(rows.Problem(1, "", str(refused)))
        return checked
    lookups = lookups or rows.Lookups.load()
    seen = rows.Seen()
    last_line = reader.line_num
    try:
        for cells in reader:
            line, last_line = last_line + 1, reader.line_num
            _check_cells(checked, cells, names, line=line, lookups=lookups, seen=seen)
    except csv.Error:
        checked.unreadable = True
        checked.problems.append(
            rows.Problem(
                last_line + 1,
                "",
                _(
                    "From this line on the file cannot be read as CSV (a cell longer than "
                    "%(count)s characters, or a quotation mark never closed?)."
                )
                % {"count": csv.field_size_limit()},
            )
        )
        return checked
    if not checked.total:
        checked.problems.append(rows.Problem(1, "", _("The file has no devices under the header.")))
    return checked


def _check_cells(checked: Checked, cells: list[str], names: list[str], *, line: int, **against):
    """One line of the file into `checked` (`against`: the lookups and what earlier rows saw)."""
    if not any(cell.strip() for cell in cells):
        return
    ordinal = checked.total
    checked.total += 1
    if len(cells) > len(names):
        checked.problems.append(
            rows.Problem(line, "", _("This line has more cells than the header has columns."))
        )
        return
    fields, problems = rows.check_row(dict(zip(names, cells, strict=False)), line=line, **against)
    if fields is None:
        checked.problems.extend(problems)
    else:
        checked.good.append((ordinal, fields))


def run_import(*, import_id: int) -> DeviceImport | None:
    """Run one import to its end (see the module's docstring). Returns the import, or None
    when another worker holds it."""
    with _claimed(import_id) as device_import:
        if device_import is None or device_import.state in FINISHED:
            return device_import
        language = device_import.created_by.preferred_language if device_import.created_by else None
        with translation.override(language):
            try:
                _run(device_import)
            except IntegrityError:
                _fail(
                    device_import,
                    _(
                        "Another device with one of these serial numbers, IMEIs or asset tags "
                        "was added while the import ran. Nothing was imported; start it again."
                    ),
                )
            except Exception:
                logger.exception("Device import %s failed", import_id)
                _fail(device_import, _("The import stopped on an unexpected error."))
        return device_import


@contextmanager
def _claimed(import_id: int):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_CLASS, import_id])
        [locked] = cursor.fetchone()
    if not locked:
        yield None
        return
    try:
        yield DeviceImport.objects.select_related("created_by").filter(pk=import_id).first()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_CLASS, import_id])


def _run(device_import: DeviceImport) -> None:
    _update(device_import, state=ImportState.RUNNING, processed_rows=0)
    with device_import.file.open("rb") as handle:
        content = handle.read()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        _finish(device_import, ImportState.REFUSED, [rows.Problem(1, "", _("Not UTF-8 text."))])
        return
    checked = check_text(text)
    _update(device_import, total_rows=checked.total)
    good_rows_wanted = device_import.import_good_rows and not checked.unreadable
    if checked.problems and (not good_rows_wanted or not checked.good):
        _update(device_import, processed_rows=checked.total)
        _finish(device_import, ImportState.REFUSED, checked.problems)
        return
    progress = _Progress(device_import.pk)
    try:
        with transaction.atomic():
            created = _write(device_import, checked.good, progress)
            progress.close()
            device_import.processed_rows = checked.total
            device_import.created_count = created
            _finish(device_import, ImportState.DONE, checked.problems)
    finally:
        progress.close()


def _write(device_import: DeviceImport, good: list[tuple[int, dict]], progress) -> int:
    """Devices and their events in batches; the progress is told after each batch."""
    comment = _("Imported from %(file)s") % {"file": device_import.file_name or "CSV"}
    actor_id = device_import.created_by_id
    created = 0
    for start in range(0, len(good), BATCH_SIZE):
        batch = good[start : start + BATCH_SIZE]
        devices = services.add_to_stock(
            [Device(**fields) for _ordinal, fields in batch], actor_id=actor_id, comment=comment
        )
        created += len(devices)
        progress.tell(batch[-1][0] + 1)
    return created


class _Progress:
    """`processed_rows` written where the admin page can see it while the import's write
    transaction is open: a second connection in autocommit (see the module docstring)."""

    def __init__(self, import_id: int):
        self.import_id = import_id
        self.outer = connection.in_atomic_block
        self.side = None

    def tell(self, processed: int) -> None:
        if self.outer:
            DeviceImport.objects.filter(pk=self.import_id).update(processed_rows=processed)
            return
        if self.side is None:
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        with self.side.cursor() as cursor:
            cursor.execute(
                "UPDATE devices_deviceimport SET processed_rows = %s WHERE id = %s",
                [processed, self.import_id],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None


def _update(device_import: DeviceImport, **values) -> None:
    for name, value in values.items():
        setattr(device_import, name, value)
    DeviceImport.objects.filter(pk=device_import.pk).update(**values)


def _finish(device_import: DeviceImport, state: str, problems: list[rows.Problem]) -> None:
    device_import.state = state
    device_import.errors = [problem.as_dict() for problem in problems]
    device_import.finished_at = timezone.now()
    device_import.save(
        update_fields=["state", "errors", "finished_at", "processed_rows", "created_count"]
    )


def _fail(device_import: DeviceImport, reason: str) -> None:
    device_import.created_count = 0
    _finish(device_import, ImportState.FAILED, [rows.Problem(0, "", reason)])


# The export -----------------------------------------------------------------------------


def export_devices_csv(queryset, *, fields) -> Iterator[str]:
    """The devices as CSV text chunks: the import's columns (so an export imports again)
    and, for people, the state, the holder and the department's name; only the columns of
    the device `fields` the reader may see (`permissions.device_fields_for`). UTF-8 with a
    BOM for Excel; a cell that a spreadsheet would run as a formula starts with an
    apostrophe."""
    columns = rows.export_columns(fields)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    yield "\ufeff" + _drain(buffer)
    devices = queryset.select_related("model", "assignee", "department")
    for count, device in enumerate(devices.iterator(chunk_size=2000), start=1):
        cells = _export_row(device)
        writer.writerow([rows.escape(str(cells[name])) for name in columns])
        if count % 500 == 0:
            yield _drain(buffer)
    rest = _drain(buffer)
    if rest:
        yield rest


def _export_row(device: Device) -> dict[str, object]:
    holder, department = device.assignee, device.department
    return {
        "serial_number": device.serial_number,
        "imei": device.imei or "",
        "asset_tag": device.asset_tag or "",
        "manufacturer": device.model.manufacturer,
        "model": device.model.name,
        "department": department.code if department else "",
        "purchase_date": device.purchase_date.isoformat() if device.purchase_date else "",
        "purchase_price": "" if device.purchase_price is None else str(device.purchase_price),
        "warranty_end": device.warranty_end.isoformat() if device.warranty_end else "",
        "mdm_identifier": device.mdm_identifier,
        "notes": device.notes,
        "state": device.state,
        "holder_username": holder.username if holder else "",
        "holder_name": holder.get_full_name() if holder else "",
        "department_name": department.name if department else "",
    }


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate(0)
    return text
