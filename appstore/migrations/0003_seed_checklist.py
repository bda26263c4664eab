"""The review checklist IT starts with; administrators edit it in the admin."""

from django.db import migrations
from django.utils.translation import gettext_noop as _

ITEMS = [
    (_("Uses the organisation's single sign-on"), ""),
    (
        _("Follows the design guide"),
        _("Same look, same navigation patterns as the other internal apps."),
    ),
    (_("Has an accessibility statement for WCAG 2.1 AA"), ""),
    (
        _("DPIA done where personal data is processed"),
        _("Mark 'not applicable' only when the app processes no personal data."),
    ),
    (_("Data classification matches the data"), ""),
    (
        _("No secrets in the package"),
        _("No keys, passwords or tokens in the code or configuration."),
    ),
    (_("Support contact set"), ""),
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
