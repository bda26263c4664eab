"""Indexes for the API's case lists, paged by keyset newest first (portal.api.pagination):
a page at any depth is an index range scan on (opened at, id), not a sort of every case.

Database-only (RunSQL): devices/models.py does not declare them yet. Moving them into
RepairCase.Meta / ReturnCase.Meta.indexes later takes a SeparateDatabaseAndState
migration with the same names."""

from django.db import migrations

INDEXES = [
    ("devices_repaircase", "repaircase_api_keyset", "reported_at"),
    ("devices_returncase", "returncase_api_keyset", "requested_at"),
]


class Migration(migrations.Migration):
    dependencies = [("devices", "0009_open_security_events")]

    operations = [
        migrations.RunSQL(
            f'CREATE INDEX "{name}" ON "{table}" ("{column}" DESC, "id" DESC)',
            f'DROP INDEX IF EXISTS "{name}"',
        )
        for table, name, column in INDEXES
    ]
