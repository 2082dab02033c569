"""The occupancy rollup written in SQL on PostgreSQL (`rollups._occupancy_sql`, used by
`roll_up_occupancy` after a bulk load) holds exactly the figures of the Python definition
(`measures.occupancy` through `rollups.occupancy_from_log`): on simulated desk logs across
the autumn DST change, and on hand-made rows with the awkward cases — an interval across
local midnight, a last row without a next one (ends at its local midnight), two rows at the
same instant (log order by id), a fraction of a second, a signed-out gap, and an officer
whose rows move between offices. On SQLite the Python definition itself writes the rows."""

import datetime as dt

import pytest

from servicekontor.accounts.models import User
from servicekontor.core.clock import STOCKHOLM
from servicekontor.queueing.models import DeskStatusEvent
from servicekontor.reports import rollups
from servicekontor.reports.models import OccupancyFigures
from servicekontor.simulation import loader
from servicekontor.simulation.tests.test_load_simulated_visits import network
from tests.factories import make_office

pytestmark = pytest.mark.django_db

__all__ = ["network"]

FIRST, LAST = dt.date(2026, 10, 22), dt.date(2026, 10, 27)  # DST ends 25 Oct


def _local(day: dt.date, h: int, m: int, s: int = 0, us: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, h, m, s, us, tzinfo=STOCKHOLM)


def _hand_made(office, other_office) -> None:
    officer = User.objects.create(username="desk-officer", is_active=False)
    rows = [
        # the night of the DST change: idle from 22:00 on the 24th to 09:00 on the 25th
        (office, _local(dt.date(2026, 10, 24), 22, 0), "idle"),
        (office, _local(dt.date(2026, 10, 25), 9, 0), "serving"),
        (office, _local(dt.date(2026, 10, 25), 9, 0), "idle"),  # same instant: by id
        (office, _local(dt.date(2026, 10, 25), 9, 30, 0, 999_999), "serving"),
        (office, _local(dt.date(2026, 10, 25), 9, 40, 1, 1), "signed_out"),
        (other_office, _local(dt.date(2026, 10, 26), 8, 0), "serving"),
        (other_office, _local(dt.date(2026, 10, 26), 8, 0, 0, 500_000), "signed_out"),
        (office, _local(dt.date(2026, 10, 27), 15, 0, 0, 250_000), "serving"),  # no next row
    ]
    for where, at, status in rows:
        DeskStatusEvent.objects.create(officer=officer, office=where, at=at, status=status)


def test_occupancy_rollup__sql_equals_the_python_definition(network):
    other = make_office(code="other-office", counters=1)
    loader.load(first=FIRST, last=LAST, seed=5, office_codes=["linkoping"])
    _hand_made(network, other)
    python = rollups.occupancy_from_log(start=FIRST, end=LAST)
    assert len(python) > 5  # simulated days of linkoping and the hand-made rows
    # the hand-made cases are in the figures: half a second at the other office is 0 s
    assert python[(other.pk, dt.date(2026, 10, 26))] == (0, 0)
    written = rollups.roll_up_occupancy(start=FIRST, end=LAST)
    stored = {
        (r.office_id, r.local_day): (r.signed_in_seconds, r.serving_seconds)
        for r in OccupancyFigures.objects.all()
    }
    assert written == len(stored)
    assert stored == python
    # and for a span that starts after the night crossing into it
    rollups.roll_up_occupancy(start=dt.date(2026, 10, 25), end=dt.date(2026, 10, 25))
    day = dt.date(2026, 10, 25)
    assert (
        OccupancyFigures.objects.get(office=network, local_day=day).signed_in_seconds
        == (python[(network.pk, day)][0])
    )
