"""The rollups' single-column office indexes dropped: office is the first column of each
table's unique key (decision 0036-fewer-log-indexes-yearload). Only the indexes: the
foreign-key constraints stay (Django's AlterField would drop and re-add them)."""

import django.db.models.deletion
from django.db import migrations, models


# (table, index name as Django named it)
DROPPED = [
    ("reports_dayfigures", "reports_dayfigures_office_id_5bd4886b"),
    ("reports_errandfigures", "reports_errandfigures_office_id_c17cfc01"),
    ("reports_hourfigures", "reports_hourfigures_office_id_d256db65"),
    ("reports_monthfigures", "reports_monthfigures_office_id_3a434e24"),
    ("reports_monthwaitfigures", "reports_monthwaitfigures_office_id_c324e35b"),
    ("reports_occupancyfigures", "reports_occupancyfigures_office_id_66c8608d"),
    ("reports_waitfigures", "reports_waitfigures_office_id_85c6b167"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0004_outreach_stops"),
        ("reports", "0002_month_grains"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("office_id")',
                )
                for table, name in DROPPED
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="dayfigures",
                    name="office",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="network.office",
                    ),
                ),
                migrations.AlterField(
                    model_name="errandfigures",
                    name="office",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="network.office",
                    ),
                ),
                migrations.AlterField(
                    model_name="hourfigures",
                    name="office",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="network.office",
                    ),
                ),
                migrations.AlterField(
                    model_name="monthfigures",
                    name="office",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="network.office",
                    ),
                ),
                migrations.AlterField(
                    model_name="monthwaitfigures",
                    name="office",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="network.office",
                    ),
                ),
                migrations.AlterField(
                    model_name="occupancyfigures",
                    name="office",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="network.office",
                    ),
                ),
                migrations.AlterField(
                    model_name="waitfigures",
                    name="office",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="network.office",
                    ),
                ),
            ],
        ),
    ]
