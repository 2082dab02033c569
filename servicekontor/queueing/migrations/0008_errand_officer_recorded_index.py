"""The errands' index on the officer becomes (officer, recorded_at) (decision 0036's rule: the
indexes the queries use): every desk poll counts the officer's errands of today
(`sql._OFFICER_ERRANDS`, the desk's version since the current-visit panel lists the errands
recorded so far). The foreign-key constraint stays as it is (no AlterField: that would drop
and re-add it, validating every row of the log again); only the index is swapped.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OLD = "queueing_errand_officer_id_367066c8"


class Migration(migrations.Migration):
    dependencies = [
        ("queueing", "0007_errand_language_639_3"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{OLD}"',
                    reverse_sql=(
                        f'CREATE INDEX IF NOT EXISTS "{OLD}" ON "queueing_errand" ("officer_id")'
                    ),
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="errand",
                    name="officer",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="officer",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="errand",
            index=models.Index(fields=["officer", "recorded_at"], name="errand_officer_recorded"),
        ),
    ]
