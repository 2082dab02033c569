"""`loader.check_keys`: a load run without the per-row foreign-key checks still refuses rows
whose keys point nowhere, checked set-based before commit."""

import datetime as dt

import pytest

from servicekontor.queueing.models import Visit, VisitEvent
from servicekontor.queueing.tests import conftest as queue_fixtures
from servicekontor.simulation import loader

pytestmark = pytest.mark.django_db

clock_at = queue_fixtures.clock_at
fast_passwords = queue_fixtures.fast_passwords
world = queue_fixtures.world


def _event(world, visit_id: int) -> VisitEvent:
    # the keys are DEFERRABLE INITIALLY DEFERRED and the test never commits: the row goes in
    return VisitEvent.objects.create(
        visit_id=visit_id,
        office=world.office,
        service=world.tax,
        at=dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC),
        action="issue",
        from_state="",
        to_state="waiting",
    )


def test_check_keys__passes_good_rows_and_names_a_dangling_key(world):
    from servicekontor.queueing import services

    visit = services.issue_ticket(office=world.office, service=world.tax)
    good = VisitEvent.objects.filter(visit=visit).get()
    loader.check_keys(VisitEvent, good.pk, good.pk + 1)
    loader.check_keys(Visit, visit.pk, visit.pk + 1)
    bad = _event(world, visit_id=visit.pk + 10_000)
    loader.check_keys(VisitEvent, good.pk, bad.pk)  # the bad row is outside the range
    try:
        with pytest.raises(ValueError, match=r"1 rows of .* point nowhere in visit_id"):
            loader.check_keys(VisitEvent, good.pk, bad.pk + 1)
    finally:
        bad.delete()  # the test database checks the keys when the test ends


@pytest.mark.postgres  # the ranges of new rows are a PostgreSQL path (the load's COPY)
def test_check_keys__new_parent_rows_checked_by_their_range(world):
    from servicekontor.queueing import services

    visit = services.issue_ticket(office=world.office, service=world.tax)
    good = VisitEvent.objects.filter(visit=visit).get()
    mine = {Visit: (visit.pk, visit.pk + 1)}
    loader.check_keys(VisitEvent, good.pk, good.pk + 1, new_rows=mine)
    # a range of new visits the table does not hold whole
    with pytest.raises(ValueError, match=r"lacks 4 of the ids"):
        loader.check_keys(
            VisitEvent, good.pk, good.pk + 1, new_rows={Visit: (visit.pk, visit.pk + 5)}
        )
    bad = _event(world, visit_id=visit.pk + 10_000)  # outside the new range: the anti-join
    try:
        with pytest.raises(ValueError, match=r"1 rows of .* point nowhere in visit_id"):
            loader.check_keys(VisitEvent, good.pk, bad.pk + 1, new_rows=mine)
    finally:
        bad.delete()
