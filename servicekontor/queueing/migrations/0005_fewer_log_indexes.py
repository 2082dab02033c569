"""Twelve single-column indexes of the visit log dropped (decision 0036-fewer-log-indexes-yearload).

Six are the first column of another index (office, visit, officer), six serve no query
(service, desk: services are never deleted with history, desks are deactivated). Only the
indexes are dropped: the foreign-key constraints stay as they are (Django's AlterField would
drop and re-add them, validating every row of the log again).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# (table, column, index name as Django named it)
DROPPED = [
    ("queueing_deskstatusevent", "office_id", "queueing_deskstatusevent_office_id_ff23bcee"),
    ("queueing_deskstatusevent", "officer_id", "queueing_deskstatusevent_officer_id_d68ea9a8"),
    (
        "queueing_deskstatusevent",
        "service_point_id",
        "queueing_deskstatusevent_service_point_id_7e246f16",
    ),
    ("queueing_errand", "service_id", "queueing_errand_service_id_7dbe8ea5"),
    ("queueing_errand", "visit_id", "queueing_errand_visit_id_fd77fb60"),
    ("queueing_visit", "office_id", "queueing_visit_office_id_414448ae"),
    ("queueing_visit", "service_id", "queueing_visit_service_id_a88eda17"),
    ("queueing_visit", "service_point_id", "queueing_visit_service_point_id_484fb0cc"),
    ("queueing_visitevent", "office_id", "queueing_visitevent_office_id_d3f6b3b3"),
    ("queueing_visitevent", "service_id", "queueing_visitevent_service_id_ee3d74bd"),
    ("queueing_visitevent", "service_point_id", "queueing_visitevent_service_point_id_bbb8e61d"),
    ("queueing_visitevent", "visit_id", "queueing_visitevent_visit_id_e2bab7e6"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_service_video_meeting"),
        ("network", "0004_outreach_stops"),
        ("queueing", "0004_visit_notify_language"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")',
                )
                for table, column, name in DROPPED
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="deskstatusevent",
                    name="office",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="network.office",
                    ),
                ),
                migrations.AlterField(
                    model_name="deskstatusevent",
                    name="officer",
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="deskstatusevent",
                    name="service_point",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="network.servicepoint",
                    ),
                ),
                migrations.AlterField(
                    model_name="errand",
                    name="service",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="catalog.service",
                        verbose_name="service",
                    ),
                ),
                migrations.AlterField(
                    model_name="errand",
                    name="visit",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="errands",
                        to="queueing.visit",
                    ),
                ),
                migrations.AlterField(
                    model_name="visit",
                    name="office",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="visits",
                        to="network.office",
                        verbose_name="office",
                    ),
                ),
                migrations.AlterField(
                    model_name="visit",
                    name="service",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="visits",
                        to="catalog.service",
                        verbose_name="service",
                    ),
                ),
                migrations.AlterField(
                    model_name="visit",
                    name="service_point",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="network.servicepoint",
                        verbose_name="desk",
                    ),
                ),
                migrations.AlterField(
                    model_name="visitevent",
                    name="office",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="network.office",
                    ),
                ),
                migrations.AlterField(
                    model_name="visitevent",
                    name="service",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="catalog.service",
                    ),
                ),
                migrations.AlterField(
                    model_name="visitevent",
                    name="service_point",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="network.servicepoint",
                    ),
                ),
                migrations.AlterField(
                    model_name="visitevent",
                    name="visit",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="queueing.visit",
                    ),
                ),
            ],
        ),
    ]
