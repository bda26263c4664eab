"""Who a repair or return case belongs to, recorded when it is opened: the device's
department and the holder's line manager at that time (the holder and the reporter or
requester were already recorded). Existing cases are filled from today's data: the
holder's department and line manager, or, for a case opened without a holder, the
department of the person who opened it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def _fields(app_label):
    return [
        migrations.AddField(
            model_name=app_label,
            name="department",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.department",
                verbose_name="department when opened",
            ),
        ),
        migrations.AddField(
            model_name=app_label,
            name="line_manager",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="line manager when opened",
            ),
        ),
    ]


def backfill(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    for model_name, opened_by in (("RepairCase", "reported_by"), ("ReturnCase", "requested_by")):
        model = apps.get_model("devices", model_name)
        person = User.objects.filter(pk=OuterRef("holder_id"))
        model.objects.filter(holder__isnull=False).update(
            department=Subquery(person.values("department_id")[:1]),
            line_manager=Subquery(person.values("line_manager_id")[:1]),
        )
        opener = User.objects.filter(pk=OuterRef(f"{opened_by}_id"))
        model.objects.filter(holder__isnull=True).update(
            department=Subquery(opener.values("department_id")[:1])
        )


class Migration(migrations.Migration):
    dependencies = [
        ("devices", "0003_photo_thumbnails"),
        ("portal", "0003_field_labels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        *_fields("repaircase"),
        *_fields("returncase"),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
