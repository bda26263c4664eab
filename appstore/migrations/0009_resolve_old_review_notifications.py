"""Notifications of a version's workflow sent before they had a subject: give them the
version as their subject, and mark read, for everyone, those whose step the version has
left since (a later event exists): "waits for review" of a version decided long ago,
"changes requested" of a version resubmitted since, and so on."""

from django.db import migrations

SQL = [
    """
    UPDATE portal_notification
       SET subject = 'appversion:' || split_part(key, ':', 2)
     WHERE subject = '' AND key ~ '^appversion:[0-9]+:event:[0-9]+$'
    """,
    """
    UPDATE portal_notification AS n
       SET read_at = now()
     WHERE n.read_at IS NULL
       AND n.key ~ '^appversion:[0-9]+:event:[0-9]+$'
       AND EXISTS (
           SELECT 1 FROM appstore_appversionevent AS e
            WHERE e.version_id = split_part(n.key, ':', 2)::bigint
              AND e.id > split_part(n.key, ':', 4)::bigint
       )
    """,
]


class Migration(migrations.Migration):
    dependencies = [
        ("appstore", "0008_version_announced"),
        ("portal", "0007_notification_subject"),
    ]

    operations = [migrations.RunSQL(sql, migrations.RunSQL.noop) for sql in SQL]
