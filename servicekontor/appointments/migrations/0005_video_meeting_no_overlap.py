"""Neither a caseworker nor a video room has two active meetings at once, said by the
database itself on PostgreSQL (exclusion constraints over the meeting's time range; needs
btree_gist, created by network 0002). The booking service already guarantees it under its
locks (office day, then caseworker); these catch any other writer. SQLite has no such
constraint; there the locks are the guarantee.
"""

from django.db import migrations

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """
    ALTER TABLE appointments_videomeeting ADD CONSTRAINT video_meeting_caseworker_no_overlap
    EXCLUDE USING gist (caseworker_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (active)
    """,
    """
    ALTER TABLE appointments_videomeeting ADD CONSTRAINT video_meeting_room_no_overlap
    EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (active)
    """,
]
PG_BACKWARD = [
    "ALTER TABLE appointments_videomeeting DROP CONSTRAINT video_meeting_caseworker_no_overlap",
    "ALTER TABLE appointments_videomeeting DROP CONSTRAINT video_meeting_room_no_overlap",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("appointments", "0004_video_meetings"), ("network", "0002_offering_no_overlap")]

    operations = [migrations.RunPython(_run({"postgresql": PG_FORWARD}), _run({"postgresql": PG_BACKWARD}))]
