"""A PostgreSQL superuser's rollup rebuild whose span is all a rollup table holds (a first
load) drops that table's secondary indexes and builds them after the insert (decision
0036): the same rows, the same indexes afterwards; a table that keeps other days' rows keeps
its indexes throughout."""

import pytest
from django.db import connection

from servicekontor.core import bulk_indexes
from servicekontor.reports import rollups
from servicekontor.reports.models import DayFigures, ErrandFigures, HourFigures, WaitFigures
from servicekontor.reports.tests.test_rebuild_rollups_in_sql import AUTUMN, SPRING, _log

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TABLES = [m._meta.db_table for m in (DayFigures, ErrandFigures, HourFigures, WaitFigures)]


def _indexes() -> dict[str, set[str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [TABLES]
        )
        found: dict[str, set[str]] = {}
        for table, definition in cursor.fetchall():
            found.setdefault(table, set()).add(definition)
    return found


@pytest.fixture
def drops(monkeypatch):
    seen: list[str] = []
    real = bulk_indexes.drop_secondary_indexes

    def spy(table: str) -> list[str]:
        seen.append(table)
        return real(table)

    monkeypatch.setattr(bulk_indexes, "drop_secondary_indexes", spy)
    return seen


def test_rebuild__into_empty_tables__indexes_built_after_and_rows_unchanged(world, drops):
    _log(world)
    before = _indexes()
    # a row written earlier in the transaction with its key triggers on (pending until
    # commit): PostgreSQL would refuse the index build while they are pending
    DayFigures.objects.create(
        office=world.office,
        service=world.tax,
        agency_id=world.tax.agency_id,
        local_day=AUTUMN,
        served=99,
    )

    rollups.rebuild(start=SPRING, end=AUTUMN)

    assert sorted(drops) == sorted(TABLES)
    assert _indexes() == before
    assert all(len(v) > 2 for v in before.values())  # there were secondary indexes to drop
    raw = rollups.recompute(start=SPRING, end=AUTUMN)
    assert rollups.compare(rollups.stored(start=SPRING, end=AUTUMN), raw) == []


def test_rebuild__table_with_other_days__keeps_its_indexes(world, drops):
    _log(world)
    rollups.rebuild(start=SPRING, end=SPRING)
    drops.clear()

    rollups.rebuild(start=AUTUMN, end=AUTUMN)

    assert drops == []  # SPRING's rows stay: the indexes are maintained row by row
    got = rollups.stored(start=AUTUMN, end=AUTUMN)
    assert rollups.compare(got, rollups.recompute(start=AUTUMN, end=AUTUMN)) == []
    assert got


def test_rebuild__other_roles_keep_the_indexes(world, drops, monkeypatch):
    """Without the superuser's set-based key check the inserted rows queue their per-row
    triggers, and PostgreSQL would not build an index over them: nothing is dropped."""
    _log(world)
    monkeypatch.setattr(rollups, "_is_superuser", lambda cursor: False)

    rollups.rebuild(start=SPRING, end=AUTUMN)

    assert drops == []
    raw = rollups.recompute(start=SPRING, end=AUTUMN)
    assert rollups.compare(rollups.stored(start=SPRING, end=AUTUMN), raw) == []


def test_rebuild__without_jit(world):
    """JIT compiling cost more than it saved on the rebuild's scans (docs/benchmarks.md):
    the rebuild and the occupancy rollup turn it off for their transaction only."""
    from django.test.utils import CaptureQueriesContext

    _log(world)
    with CaptureQueriesContext(connection) as queries:
        rollups.rebuild(start=SPRING, end=AUTUMN)
        rollups.roll_up_occupancy(start=SPRING, end=AUTUMN)
    # SET LOCAL: until the end of the transaction (here the test's own, so not checked after)
    assert sum("SET LOCAL jit = off" in q["sql"] for q in queries.captured_queries) == 2
