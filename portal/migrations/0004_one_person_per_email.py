"""Before the unique email constraint of the next migration: one person per address, no
self-added address left to sign in or reset a password with, and no password-reset link
left in the text of emails already sent."""

import logging
from collections import defaultdict

from django.db import migrations
from django.db.models import F
from django.db.models.functions import Lower

logger = logging.getLogger(__name__)


def one_person_per_address(apps, schema_editor):
    """Where several people share an address (in any case), the one who verified it keeps
    it, else the active one, else the earliest account; the others' email is blanked and
    named in the log, for an administrator to set again."""
    User = apps.get_model("portal", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    holders = defaultdict(list)
    for user in User.objects.exclude(email="").order_by("pk"):
        holders[user.email.strip().lower()].append(user)
    verified = set(
        EmailAddress.objects.filter(verified=True)
        .annotate(address=Lower("email"))
        .values_list("user_id", "address")
    )
    for address, people in holders.items():
        if len(people) < 2:
            continue
        keeper = min(
            people,
            key=lambda u: ((u.pk, address) not in verified, not u.is_active, u.date_joined, u.pk),
        )
        for person in people:
            if person.pk != keeper.pk:
                User.objects.filter(pk=person.pk).update(email="")
                logger.warning(
                    "Email %s is kept by %s; removed from %s.",
                    address,
                    keeper.username,
                    person.username,
                )
    # Addresses added on the (now closed) email page that are not the person's email.
    EmailAddress.objects.filter(verified=False).annotate(owner=Lower("user__email")).exclude(
        email__iexact=F("owner")
    ).delete()


def forget_sent_texts(apps, schema_editor):
    OutboundEmail = apps.get_model("portal", "OutboundEmail")
    OutboundEmail.objects.filter(sent_at__isnull=False).update(body="", html_body="")


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_field_labels"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [
        migrations.RunPython(one_person_per_address, migrations.RunPython.noop),
        migrations.RunPython(forget_sent_texts, migrations.RunPython.noop),
    ]
