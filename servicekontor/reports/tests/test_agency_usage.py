"""agency_usage: served visits once per agency, errands, handled seconds, per office × month."""

import datetime as dt

import pytest

from servicekontor.queueing import services
from servicekontor.queueing.errands import ErrandPart
from servicekontor.reports.queries import AgencyUsage, agency_usage


def _serve(world, clock_at, *, minutes, split=()):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=visit.pk)
    clock_at.shift(dt.timedelta(minutes=minutes))
    services.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="resolved", split=split)
    return visit


def test_agency_usage__visits_once_per_agency(world, clock_at):
    _serve(world, clock_at, minutes=10)
    _serve(
        world,
        clock_at,
        minutes=12,
        split=[
            ErrandPart(service=world.tax, outcome="resolved", weight=1),
            ErrandPart(service=world.id_card, outcome="resolved", weight=1),
            ErrandPart(service=world.parental, outcome="resolved", weight=1),
        ],
    )
    services.issue_ticket(office=world.office, service=world.tax)  # waiting: not served

    rows = agency_usage(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30))

    month = dt.date(2026, 11, 1)
    assert rows == sorted(
        [
            AgencyUsage(world.office.pk, world.skatteverket.pk, month, 2, 3, 600 + 480),
            AgencyUsage(world.office.pk, world.fk.pk, month, 1, 1, 240),
        ],
        key=lambda r: r.agency_id,
    )
    only_fk = agency_usage(
        start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30), agency_ids=[world.fk.pk]
    )
    assert [r.agency_id for r in only_fk] == [world.fk.pk]
    assert agency_usage(start=month, end=month.replace(day=24)) == []


def test_agency_usage__end_before_start_is_an_error(db):
    with pytest.raises(ValueError):
        agency_usage(start=dt.date(2026, 2, 1), end=dt.date(2026, 1, 1))
