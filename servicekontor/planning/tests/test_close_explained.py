"""Walk F21 (session 18): "close N offices" under the distance objective closed the busiest
office. Checked: that is the optimum of the stated objective (population-weighted distance
to the nearest office; an office's own visits are not in it), not a defect — brute force
over every choice agrees, weights and sign included. The answer now says why: per closed
office the residents whose nearest office it was, where most of them go and the distance
added (`plans.Moved`), and the page words the objective."""

import itertools

import numpy as np
import pytest
from django.utils import translation

from servicekontor.core.geography import find_locality, load_localities
from servicekontor.planning.plans import (
    Objective,
    PlanRequest,
    Question,
    Site,
    distances,
    plan,
    result_to_dict,
)


def _localities():
    return tuple(
        loc
        for loc in load_localities()
        if loc.county in {"Blekinge län", "Kalmar län", "Kronobergs län"}
    )


def _site(place: str, code: str | None = None, east_km: float = 0.0) -> Site:
    loc = find_locality(place)
    assert loc is not None
    lon = loc.longitude + east_km / (111.32 * np.cos(np.radians(loc.latitude)))
    return Site(code or loc.ascii_name.lower(), loc.name, loc.latitude, lon, loc.county)


def test_close_one__the_busiest_goes_when_another_is_next_to_it_and_that_is_the_optimum():
    locs = _localities()
    # Växjö, the largest town here, has two offices 3 km apart: its offices are the busiest
    existing = [
        _site("Växjö", "vaxjo-1"),
        _site("Växjö", "vaxjo-2", east_km=3.0),
        _site("Kalmar"),
        _site("Karlskrona"),
        _site("Ljungby"),
    ]
    result = plan(
        PlanRequest(Question.CLOSE, Objective.DISTANCE, n=1, exact=True),
        localities=locs,
        existing=existing,
    )
    (closed,) = result.closed
    assert closed.code in {"vaxjo-1", "vaxjo-2"}
    # brute force: the population-weighted mean distance of every choice of four
    d = distances(locs, existing)
    w = np.array([loc.population for loc in locs], dtype=np.float64)
    cost = {
        cols: float(w @ d[:, list(cols)].min(axis=1))
        for cols in itertools.combinations(range(len(existing)), len(existing) - 1)
    }
    best = min(cost, key=cost.__getitem__)
    assert {existing[j].code for j in range(len(existing)) if j not in best} == {closed.code}
    # the closed office served many (it is busy) and they go to its neighbour, 3 km on
    (moved,) = result.moved
    other = next(s for s in existing[:2] if s.code != closed.code)
    assert moved.people > 10_000 and moved.to == other.name
    assert 0 < moved.added_km < 3.5
    assert moved.person_km == pytest.approx(
        float(w @ (d[:, list(best)].min(axis=1) - d.min(axis=1))), rel=1e-9
    )
    closed_rows = result_to_dict(result)["closed"]
    assert isinstance(closed_rows, list)
    row = closed_rows[0]
    assert row["people"] == moved.people and row["to"] == other.name


def test_close__the_page_explains_the_objective_and_each_closing(client, django_user_model):
    from django.template.loader import render_to_string

    locs = _localities()
    existing = [_site("Växjö", "vaxjo-1"), _site("Växjö", "vaxjo-2", east_km=3.0), _site("Kalmar")]
    summary = result_to_dict(
        plan(
            PlanRequest(Question.CLOSE, Objective.DISTANCE, n=1, exact=True),
            localities=locs,
            existing=existing,
        )
    )
    with translation.override("en"):
        html = render_to_string("planning/_sites.html", {"summary": summary})
    assert "Residents whose nearest office it was" in html
    assert "Mean distance added" in html and "Visits that move" in html
    assert "an office’s visits are not counted" in html


@pytest.mark.django_db
def test_close__the_visits_that_move_from_the_statistics():
    """The objective counts residents; what moves is also the closed office's visits: the
    statistics' arrivals of the 12 whole months before this one, beside each closed office."""
    import datetime as dt

    from servicekontor.planning.queries import with_closed_visits
    from servicekontor.reports.models import MonthFigures
    from tests.factories import make_office, make_service

    office = make_office(code="vaxjo-1", name="Växjö")
    service = make_service()
    for month, walk_in, booked in (
        (dt.date(2025, 12, 1), 700, 50),
        (dt.date(2026, 11, 1), 200, 50),
    ):
        MonthFigures.objects.create(
            office=office,
            service=service,
            agency=service.agency,
            month=month,
            visits_walk_in=walk_in,
            visits_booked=booked,
        )
    MonthFigures.objects.create(  # before the 12 months: not counted
        office=office,
        service=service,
        agency=service.agency,
        month=dt.date(2025, 11, 1),
        visits_walk_in=9999,
    )
    summary = {"closed": [{"code": "vaxjo-1", "name": "Växjö"}, {"code": "gone", "name": "X"}]}
    shown = with_closed_visits(summary, today=dt.date(2026, 12, 2))
    assert [c.get("visits_year") for c in shown["closed"]] == [1000, None]
    assert "visits_year" not in summary["closed"][0]  # the saved summary is not changed
    # The figures begin in the window's first month: all 12 months are counted.
    assert shown["visits_months"] == {
        "first": dt.date(2025, 12, 1),
        "last": dt.date(2026, 11, 1),
        "full": True,
    }


@pytest.mark.django_db
def test_close__statistics_that_begin_inside_the_12_months__the_page_says_which_months():
    """Walk (session 18): the statistics began on 7 Oct 2026, yet the column said "the
    statistics' last 12 whole months": two months read as a year. The heading names the
    months the figures cover and a note says they are fewer than 12."""
    import datetime as dt

    from django.template.loader import render_to_string

    from servicekontor.planning.queries import with_closed_visits
    from servicekontor.reports.models import MonthFigures
    from tests.factories import make_office, make_service

    office = make_office(code="vaxjo-1", name="Växjö")
    service = make_service()
    for month in (dt.date(2026, 10, 1), dt.date(2026, 11, 1)):
        MonthFigures.objects.create(
            office=office, service=service, agency=service.agency, month=month, visits_walk_in=300
        )
    summary = {
        "closed": [{"code": "vaxjo-1", "name": "Växjö", "people": 5, "to": "X", "added_km": 2.5}]
    }
    shown = with_closed_visits(summary, today=dt.date(2026, 12, 2))
    assert shown["visits_months"]["first"] == dt.date(2026, 10, 1)
    assert shown["visits_months"]["full"] is False
    with translation.override("sv"):
        html = render_to_string("planning/_sites.html", {"summary": shown})
    assert "statistik oktober 2026–november 2026" in html
    assert "Statistiken börjar i oktober 2026" in html
    assert "senaste 12 hela månader" not in html
    with translation.override("en"):
        html = render_to_string("planning/_sites.html", {"summary": shown})
    assert "statistics October 2026–November 2026" in html
    assert "fewer than 12 months" in html

    empty = with_closed_visits(
        {"closed": [{"code": "vaxjo-1", "name": "Växjö", "people": 5, "to": "X", "added_km": 2.5}]},
        today=dt.date(2025, 6, 2),
    )
    assert empty["visits_months"]["first"] is None
    with translation.override("en"):
        html = render_to_string("planning/_sites.html", {"summary": empty})
    assert "no statistics in the last 12 whole months" in html
