"""`Errand.first_for_agency` marks the visit's first *served* errand of an agency (decision
0053): a part handed on by a transfer (outcome "transferred") is never first and does
not count as seen. Until now it was the first errand of the agency of any outcome, so a
transfer counted as a served visit of the agency it left, and a visit transferred between two
services of one agency and finished there was not a served visit of that agency at all.

Only visits with a transferred errand can change; their flags are recomputed in Python, a
chunk of visits at a time. The rollups are not touched here: they are sums of the log, to be
rebuilt after this migration with
`manage.py reconcile_statistics --from <first day> --to <last day> --fix` (docs/statistics.md).
"""

from django.db import migrations

TRANSFERRED = "transferred"
CHUNK = 2_000


def _flags(apps, *, served_only: bool) -> None:
    Errand = apps.get_model("queueing", "Errand")
    visit_ids = sorted(
        set(Errand.objects.filter(outcome=TRANSFERRED).values_list("visit_id", flat=True))
    )
    for i in range(0, len(visit_ids), CHUNK):
        rows = (
            Errand.objects.filter(visit_id__in=visit_ids[i : i + CHUNK])
            .order_by("visit_id", "position")
            .values_list("id", "visit_id", "service__agency_id", "outcome", "first_for_agency")
        )
        changed = []
        seen: set[tuple[int, int]] = set()
        for pk, visit_id, agency_id, outcome, flag in rows:
            counts = not (served_only and outcome == TRANSFERRED)
            first = counts and (visit_id, agency_id) not in seen
            if counts:
                seen.add((visit_id, agency_id))
            if first != flag:
                changed.append(Errand(pk=pk, first_for_agency=first))
        Errand.objects.bulk_update(changed, ["first_for_agency"], batch_size=1_000)


def forwards(apps, schema_editor) -> None:
    _flags(apps, served_only=True)


def backwards(apps, schema_editor) -> None:
    _flags(apps, served_only=False)


class Migration(migrations.Migration):
    dependencies = [("queueing", "0005_fewer_log_indexes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=True)]
