"""`manage.py import_devices PATH [--good-rows] [--user USERNAME]`: a CSV import of
devices, run at once (not queued). Prints the counts and every bad row; exits with an
error when the file is refused or the import fails."""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError

from devices import importing
from devices.choices import ImportState
from portal.errors import DomainError
from portal.models import User


class Command(BaseCommand):
    help = "Import devices from a CSV file (columns as in the admin's template)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--good-rows",
            action="store_true",
            help="import the good rows even if some rows are bad",
        )
        parser.add_argument("--user", help="the desk member recorded as importer")

    def handle(self, *args, path: Path, good_rows: bool, user: str | None, **options):
        by = None
        if user:
            by = User.objects.filter(username=user, is_active=True).first()
            if by is None:
                raise CommandError(f"No active user {user!r}.")
        try:
            upload = SimpleUploadedFile(path.name, path.read_bytes(), "text/csv")
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        try:
            started = importing.start_import(
                by=by, upload=upload, import_good_rows=good_rows, queue=False
            )
        except DomainError as refused:
            raise CommandError(refused.message) from None
        done = importing.run_import(import_id=started.pk)
        if done is None:
            raise CommandError("The import is already running elsewhere.")
        for problem in done.errors:
            self.stdout.write(f"line {problem['line']}: {problem['field']}: {problem['reason']}")
        self.stdout.write(
            f"{done.get_state_display()}: {done.total_rows} rows, "
            f"{done.created_count} devices created, {len(done.errors)} problems "
            f"(import #{done.pk})"
        )
        if done.state != ImportState.DONE:
            raise CommandError(f"Nothing was imported ({done.get_state_display()}).")
