"""Overlapping offerings of one service at one office are rejected by the database itself.

PostgreSQL: an exclusion constraint over the inclusive date range (needs btree_gist).
SQLite (the embedded default): two triggers that abort the insert or update.
"""

from django.db import migrations

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """
    ALTER TABLE network_offering ADD CONSTRAINT offering_no_overlap
    EXCLUDE USING gist (
        office_id WITH =,
        service_id WITH =,
        daterange(valid_from, valid_to, '[]') WITH &&
    )
    """,
]
PG_BACKWARD = ["ALTER TABLE network_offering DROP CONSTRAINT offering_no_overlap"]

_SQLITE_OVERLAP = """
    SELECT 1 FROM network_offering o
    WHERE o.office_id = NEW.office_id AND o.service_id = NEW.service_id {exclude_self}
      AND (o.valid_to IS NULL OR o.valid_to >= NEW.valid_from)
      AND (NEW.valid_to IS NULL OR o.valid_from <= NEW.valid_to)
"""
SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER offering_no_overlap_insert BEFORE INSERT ON network_offering
    WHEN EXISTS ({_SQLITE_OVERLAP.format(exclude_self="")})
    BEGIN SELECT RAISE(ABORT, 'offering_no_overlap'); END
    """,
    f"""
    CREATE TRIGGER offering_no_overlap_update BEFORE UPDATE ON network_offering
    WHEN EXISTS ({_SQLITE_OVERLAP.format(exclude_self="AND o.id <> NEW.id")})
    BEGIN SELECT RAISE(ABORT, 'offering_no_overlap'); END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER offering_no_overlap_insert",
    "DROP TRIGGER offering_no_overlap_update",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("network", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
