"""The simulation check: the simulator run with a plan's officers, per hour."""

import pytest

from servicekontor.staffing import dimensioning, simcheck

ARRIVALS = {h: {1: 24.0, 2: 8.0} for h in range(10, 16)}
MINUTES = {1: 9.0, 2: 12.0}


def _shifts(n):
    return [simcheck.SimShift(570, 990, frozenset({1, 2})) for _ in range(n)]


def _check(n, **kw):
    return simcheck.check_day(
        arrivals=ARRIVALS,
        service_minutes=MINUTES,
        open_minutes=(600, 960),
        shifts=_shifts(n),
        target_minutes=15,
        **{"replications": 30, **kw},
    )


def test_check_day__every_open_hour__arrivals_near_expected():
    result = _check(8)
    assert [r.hour for r in result] == list(range(10, 16))
    for r in result:
        assert r.arrivals == pytest.approx(32, rel=0.15)


def test_check_day__more_officers__better_service_level_and_shorter_wait():
    few, many = _check(4), _check(10)
    sl_few = sum(r.service_level for r in few) / len(few)
    sl_many = sum(r.service_level for r in many) / len(many)
    assert sl_many > sl_few
    assert sum(r.mean_wait for r in many) < sum(r.mean_wait for r in few)
    assert sl_many > 0.97  # ample staff: nearly everyone called within 15 minutes


def test_check_day__erlang_staffing__simulated_near_the_promise():
    demands = [dimensioning.AgencyDemand(a, n, MINUTES[a]) for a, n in ARRIVALS[12].items()]
    need = dimensioning.hour_need(demands, dimensioning.Policy(max_occupancy=1.0, shrinkage=0))
    result = _check(need.base)
    mean_sl = sum(r.service_level for r in result) / len(result)
    # the simulator adds walking up, recalls and lognormal service times, so only roughly
    assert mean_sl == pytest.approx(need.promised_service_level, abs=0.15)


def test_check_day__only_one_agency_trained__the_other_waits():
    shifts = [simcheck.SimShift(570, 990, frozenset({1})) for _ in range(6)]
    result = simcheck.check_day(
        arrivals=ARRIVALS,
        service_minutes=MINUTES,
        open_minutes=(600, 960),
        shifts=shifts,
        target_minutes=15,
        replications=20,
    )
    # a quarter of arrivals (agency 2) are never called
    assert sum(r.service_level for r in result) / len(result) <= 0.78


def test_check_day__bad_replications__error():
    with pytest.raises(ValueError):
        _check(2, replications=0)
