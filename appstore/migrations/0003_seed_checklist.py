"""The review checklist IT starts with; administrators edit it in the admin."""

from django.db import migrations

ITEMS = [
    ("Uses the organisation's single sign-on", ""),
    ("Follows the design guide", "Same look, same navigation patterns as the other internal apps."),
    ("Has an accessibility statement for WCAG 2.1 AA", ""),
    (
        "DPIA done where personal data is processed",
        "Mark 'not applicable' only when the app processes no personal data.",
    ),
    ("Data classification matches the data", ""),
    ("No secrets in the package", "No keys, passwords or tokens in the code or configuration."),
    ("Support contact set", ""),
]


def seed(apps, schema_editor):
    ChecklistItem = apps.get_model("appstore", "ChecklistItem")
    for position, (text, guidance) in enumerate(ITEMS, start=1):
        ChecklistItem.objects.get_or_create(
            text=text, defaults={"guidance": guidance, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("appstore", "0002_checklist")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
