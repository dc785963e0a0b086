"""Approving a campaign's recipients (one UPDATE of their status) rewrites no index entry:
``status`` leaves the person index, the campaign's own index goes (the unique (campaign,
person) index leads with the campaign), and on PostgreSQL the table keeps half of each page
free (fillfactor 50) so that the new row versions stay on their page — heap-only updates.
100,000 recipients: 10.6 s and a million WAL records before, about 1 s and 99,000 after
(``EXPLAIN ANALYZE``, load average 13)."""

import django.db.models.deletion
from django.db import migrations, models


def fillfactor(value):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"ALTER TABLE assistance_recipient SET (fillfactor = {int(value)})"
            )

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0002_payment_lines"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="recipient",
            name="recipient_person",
        ),
        migrations.AlterField(
            model_name="recipient",
            name="campaign",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="recipients",
                to="assistance.campaign",
            ),
        ),
        migrations.AddIndex(
            model_name="recipient",
            index=models.Index(fields=["id_number_bidx"], name="recipient_person_bidx"),
        ),
        migrations.RunPython(fillfactor(50), fillfactor(100)),
    ]
