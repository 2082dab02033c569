"""After a simulated load the rollups are rebuilt in SQL (`rollups.rebuild`); on simulated
logs they equal the Python recompute from the raw log, across the autumn DST change (local
hours) and whole months, for one office and for the network."""

import datetime as dt

import pytest

from servicekontor.reports import rollups
from servicekontor.simulation import loader
from servicekontor.simulation.tests.test_load_simulated_visits import network

pytestmark = pytest.mark.django_db

__all__ = ["network"]


def test_load__rollups_rebuilt_in_sql_equal_the_python_recompute(network):
    first, last = dt.date(2026, 10, 22), dt.date(2026, 10, 27)  # DST ends 25 Oct
    loader.load(first=first, last=last, seed=7, office_codes=["linkoping"])
    loader.load(first=first, last=last, seed=8, office_codes=["skaggetorp"])
    for office_ids in (None, [network.pk]):
        raw = rollups.recompute(start=first, end=last, office_ids=office_ids)
        assert {k[0] for k in raw} >= {"day", "hour", "wait", "errand"}
        stored = rollups.stored(start=first, end=last, office_ids=office_ids)
        assert rollups.compare(stored, raw) == []
    # and once more over the whole month, rebuilt in SQL from scratch
    month = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    rollups.rebuild(start=month[0], end=month[1])
    raw = rollups.recompute(start=month[0], end=month[1])
    assert any(k[0] == "month" for k in raw)
    assert rollups.compare(rollups.stored(start=month[0], end=month[1]), raw) == []
