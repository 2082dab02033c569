"""The staffing pages' computations are remembered by their inputs (`core.memo`): a plan read
again is the plan computed afresh, and after a change of the statistics it is the new plan,
never the one remembered; the network's histories are read together, not office by office."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from servicekontor.reports.models import HourFigures
from servicekontor.staffing import queries
from servicekontor.staffing.tests.conftest import MONDAY

pytestmark = pytest.mark.django_db


def _week(office):
    plan = queries.week_plan(office=office, monday=MONDAY, replications=3)
    return (
        [(r.day, r.hour, r.arrivals, r.need, r.simulated_service_level) for r in plan.rows],
        [(d.day, d.plan, d.profiles, d.note) for d in plan.days],
        plan.backtest,
    )


def _network():
    plan = queries.network_plan(year=2027)
    return [(r.office.pk, r.month, r.fte_needed, r.peak_at_desks) for r in plan.rows], (
        plan.competence,
        plan.backtests,
    )


def test_week_plan__read_again_and_after_a_change__as_computed_afresh(history, clock_at):
    cache.clear()
    first = _week(history.office)
    assert _week(history.office) == first  # from the cache
    cache.clear()
    assert _week(history.office) == first  # computed again: the same
    HourFigures.objects.filter(office=history.office).update(arrivals=F("arrivals") * 3)
    changed = _week(history.office)  # the cache still holds the plan of the old figures
    assert changed != first
    cache.clear()
    assert _week(history.office) == changed


def test_network_plan__read_again_and_after_a_change__as_computed_afresh(history, clock_at):
    cache.clear()
    first = _network()
    assert _network() == first
    HourFigures.objects.filter(office=history.office).update(arrivals=F("arrivals") * 3)
    changed = _network()
    assert changed != first
    cache.clear()
    assert _network() == changed


def test_network_plan__statements_do_not_grow_with_the_offices_planned(history, clock_at):
    def statements():
        with CaptureQueriesContext(connection) as ctx:
            queries.network_plan(year=2027)
        return len(ctx.captured_queries)

    one = statements()
    HourFigures.objects.bulk_create(
        HourFigures(
            office=history.other_office,
            service_id=h.service_id,
            agency_id=h.agency_id,
            local_day=h.local_day,
            hour=h.hour,
            arrivals=h.arrivals,
        )
        for h in HourFigures.objects.filter(office=history.office)
    )
    plan = queries.network_plan(year=2027)
    assert history.other_office not in plan.skipped  # planned now, from its history
    assert statements() == one
