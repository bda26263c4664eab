"""Serial numbers into their one normal form (`devices.validators.normalise_serial`: upper
case, no whitespace) before 0006 makes the database refuse any other form, and asset tags
checked for copies that differ only in case before 0006 makes them unique whatever the case.

Two devices whose serial numbers (or asset tags) are the same once normalised are not merged
here: the migration stops and names them, so the desk can retire or correct one first.
"""

from collections import defaultdict

from django.db import migrations

from devices.validators import normalise_serial


class SerialNumberCollision(RuntimeError):
    pass


def _collisions(rows, key) -> list[str]:
    groups = defaultdict(list)
    for pk, value in rows:
        if value is not None:
            groups[key(value)].append((pk, value))
    return [
        f"{normal!r}: " + ", ".join(f"device {pk} ({value!r})" for pk, value in sorted(found))
        for normal, found in sorted(groups.items())
        if len(found) > 1
    ]


def normalise(apps, schema_editor):
    Device = apps.get_model("devices", "Device")
    serials = list(Device.objects.values_list("pk", "serial_number"))
    problems = _collisions(serials, normalise_serial)
    tags = Device.objects.exclude(asset_tag=None).values_list("pk", "asset_tag")
    problems += _collisions(list(tags), str.upper)
    if problems:
        raise SerialNumberCollision(
            "These devices have the same serial number or asset tag once upper-cased and "
            "without spaces; correct or retire one of each before migrating:\n  "
            + "\n  ".join(problems)
        )
    changed = []
    for pk, serial in serials:
        if normalise_serial(serial) != serial:
            changed.append(Device(pk=pk, serial_number=normalise_serial(serial)))
    Device.objects.bulk_update(changed, ["serial_number"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("devices", "0004_case_people"),
    ]

    operations = [
        migrations.RunPython(normalise, migrations.RunPython.noop, elidable=True),
    ]
