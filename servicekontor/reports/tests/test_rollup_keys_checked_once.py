"""A PostgreSQL superuser's rollup rebuild writes its rows without the per-row deferred
foreign-key triggers and checks their keys once, set-based (`rollups._check_keys`): a key
that points nowhere is refused, and the role's trigger setting is restored afterwards."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from servicekontor.reports import rollups
from servicekontor.reports.models import DayFigures

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

DAY = dt.date(2026, 3, 2)


def _role() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        return str(cursor.fetchone()[0])


def test_check_keys__refuses_a_rollup_row_whose_office_points_nowhere(world):
    with connection.cursor() as cursor, rollups._keys_checked_once(cursor) as keys:
        assert keys.previous == "origin"  # the tests connect as a superuser
        assert _role() == "replica"
        DayFigures.objects.create(
            office_id=world.office.pk + 10_000,
            service=world.tax,
            agency_id=world.tax.agency_id,
            local_day=DAY,
            served=1,
        )
        with pytest.raises(ValueError, match=r"1 rows of .* point nowhere in office_id"):
            rollups._check_keys(cursor, DayFigures, DAY, DAY, None)
    assert _role() == "origin"
    DayFigures.objects.filter(local_day=DAY).delete()  # the test ends without a dangling row


def test_rebuild__rows_written_after_it_get_the_per_row_checks_again(world):
    rollups.rebuild(start=DAY, end=DAY)
    assert _role() == "origin"
    with pytest.raises(IntegrityError), transaction.atomic():
        DayFigures.objects.create(
            office_id=world.office.pk + 10_000,
            service=world.tax,
            agency_id=world.tax.agency_id,
            local_day=DAY,
        )
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
