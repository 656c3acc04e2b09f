# The indexes of 0004's new columns, in a migration (a transaction) of their own: on PostgreSQL
# an index cannot be built on a table whose rows the same transaction has just updated while
# their deferred constraint checks are still pending ("pending trigger events").

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_inbox_bundles"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                condition=models.Q(
                    ("listed", True),
                    ("read_at__isnull", True),
                    models.Q(("event", ""), _negated=True),
                ),
                fields=["user"],
                name="message_user_unread_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                condition=models.Q(("bundle__isnull", False)),
                fields=["bundle"],
                name="message_bundle_idx",
            ),
        ),
    ]
