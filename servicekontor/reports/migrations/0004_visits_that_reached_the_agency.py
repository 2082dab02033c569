"""The visits that reached an agency (`reached`, decision 0055-…-daycount): a counter of the day
and month rollups. Filled here with the arrivals (walk-in + booked, the part of it every
visit has, on the same rows); the part from transfers and added errands is written by
`manage.py reconcile_statistics --from <first day> --to <last day> --fix` after this
migration (docs/statistics.md), the way decision 0053 rebuilt its figures."""

from django.db import migrations, models
from django.db.models import F


def arrivals(apps, schema_editor):
    for name in ("DayFigures", "MonthFigures"):
        model = apps.get_model("reports", name)
        model.objects.update(reached=F("visits_walk_in") + F("visits_booked"))


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_office_index_in_key_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="dayfigures",
            name="reached",
            field=models.IntegerField(default=0),
        ),
        migrations.AddField(
            model_name="monthfigures",
            name="reached",
            field=models.IntegerField(default=0),
        ),
        migrations.RunPython(arrivals, migrations.RunPython.noop, elidable=True),
    ]
