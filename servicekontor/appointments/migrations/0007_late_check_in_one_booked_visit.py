"""A late check-in is the booking's one visit, a booked visit that arrived late (decision
0059). Until now it wrote two: the booking's no-show record and a walk-in ticket. Each stored
pair — a booking with status "late" whose visit is a walk-in ticket, and the no-show record of
that booking — becomes the one visit: the ticket takes the booking's reference and source
"appointment", its first event becomes a check-in, and the no-show record (a visit created
straight in "no_show", one event, no errand) is deleted.

The rollups are not touched here: they are sums of the log, to be rebuilt after this migration
with `manage.py reconcile_statistics --from <first day> --to <last day> --fix`
(docs/statistics.md). Not reversible (the records are gone): backwards does nothing.
"""

from django.db import migrations

CHUNK = 2_000


def forwards(apps, schema_editor) -> None:
    Booking = apps.get_model("appointments", "Booking")
    Visit = apps.get_model("queueing", "Visit")
    VisitEvent = apps.get_model("queueing", "VisitEvent")
    late = list(
        Booking.objects.filter(status="late", visit_id__isnull=False)
        .order_by("pk")
        .values_list("code", "visit_id")
    )
    for i in range(0, len(late), CHUNK):
        chunk = dict(late[i : i + CHUNK])
        tickets = set(
            Visit.objects.filter(pk__in=list(chunk.values()), booking_reference="")
            .exclude(source="appointment")
            .values_list("pk", flat=True)
        )
        pairs = {code: visit_id for code, visit_id in chunk.items() if visit_id in tickets}
        if not pairs:
            continue
        records = Visit.objects.filter(
            booking_reference__in=list(pairs), state="no_show", ticket_number__isnull=True
        )
        records = records.exclude(
            pk__in=VisitEvent.objects.exclude(action="no_show").values("visit_id")
        )
        records.delete()  # their one event goes with them (cascade)
        for code, visit_id in pairs.items():
            if Visit.objects.filter(booking_reference=code).exists():
                continue  # the booking has another visit: leave this pair as it is
            Visit.objects.filter(pk=visit_id).update(source="appointment", booking_reference=code)
            VisitEvent.objects.filter(visit_id=visit_id, from_state="", action="issue").update(
                action="check_in"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0006_video_meeting_per_time"),
        ("queueing", "0006_first_served_errand_for_agency"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
