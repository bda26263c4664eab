"""`manage.py benchmark_device_import --rows 55000`: the CSV import at the `city`
profile, with figures.

Makes a device model, a department and a CSV file of N valid rows, then runs the import
end to end (check, devices and events in batches, progress) and prints the seconds and
rows per second. Everything happens inside a transaction that is rolled back, and the
uploaded file is deleted, so the database and the private storage are left as they were.
"""

from __future__ import annotations

import csv
import io
import time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError

from devices import importing, rows
from devices.choices import DeviceCategory, ImportState
from devices.models import DeviceImport, DeviceModel
from devices.validators import luhn_check_digit
from portal.benchmarking import rolled_back
from portal.models import Department


def _imei(body14: str) -> str:
    return body14 + luhn_check_digit(body14)


def bench_csv(count: int, *, maker: str, model: str, department: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(rows.COLUMNS)
    for i in range(count):
        writer.writerow(
            [
                f"BENCH-{i:07d}",
                _imei(f"99{i:012d}"),
                f"BENCH-AT-{i:07d}",
                maker,
                model,
                department,
                "2024-01-15",
                "4999.00",
                "2027-01-15",
                f"mdm-bench-{i}",
                "",
            ]
        )
    return buffer.getvalue().encode()


class Command(BaseCommand):
    help = "Time a CSV import of N devices end to end (rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=55_000)

    def handle(self, *args, rows: int, **options):
        rolled_back(lambda: self._run(count=rows), self.stdout)

    def _run(self, *, count: int) -> None:
        DeviceModel.objects.create(
            manufacturer="Bench", name="Phone 1", category=DeviceCategory.PHONE
        )
        Department.objects.create(name="Bench", code="bench-import", cost_centre="BENCH-IMP")
        content = bench_csv(count, maker="Bench", model="Phone 1", department="bench-import")
        self.stdout.write(f"file: {count} rows, {len(content) / 1e6:.1f} MB")
        started = time.perf_counter()
        device_import = importing.start_import(
            by=None,
            upload=SimpleUploadedFile("bench.csv", content, "text/csv"),
            queue=False,
        )
        try:
            done = importing.run_import(import_id=device_import.pk)
            elapsed = time.perf_counter() - started
        finally:
            DeviceImport.objects.get(pk=device_import.pk).file.delete(save=False)
        if done is None or done.state != ImportState.DONE:
            raise CommandError(f"The import did not finish: {done and done.errors[:5]}")
        self.stdout.write(
            f"imported {done.created_count} devices in {elapsed:.1f} s "
            f"({done.created_count / elapsed:,.0f} rows/s)"
        )
