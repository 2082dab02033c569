"""A what-if of a month that has not begun has no use of that month to read: it is computed
with the use of the latest complete month, and the page, the files and the API say so (in
Swedish and English). The clock stands on 25 November 2026: the latest complete month is
October 2026."""

import datetime as dt
from fractions import Fraction

import pytest
from django.utils import translation

from servicekontor.costs import queries
from servicekontor.costs.allocation import Change, Usage
from servicekontor.costs.models import Category, CostPool, HourlyRate
from servicekontor.staffing.tests.conftest import clock_at, fast_passwords, history, people, world
from tests.factories import make_agency

__all__ = ["clock_at", "fast_passwords", "history", "people", "world"]
pytestmark = pytest.mark.django_db

OCTOBER = dt.date(2026, 10, 1)
FUTURE = "2027-01"


@pytest.fixture
def costs_world(history, clock_at, monkeypatch):
    w = history
    CostPool.objects.create(
        month=OCTOBER, office=w.office, category=Category.STAFF, amount_ore=40_000_000
    )
    HourlyRate.objects.create(
        role="service_officer", valid_from=dt.date(2026, 1, 1), ore_per_hour=29_000
    )
    october = [
        Usage(w.office.pk, w.skatteverket.pk, 600, 600 * 12 * 60),
        Usage(w.office.pk, w.fk.pk, 200, 200 * 15 * 60),
    ]
    # only October has use: a later month has none yet
    monkeypatch.setattr(
        queries, "month_usage", lambda *, month: october if month == OCTOBER else []
    )
    w.newcomer = make_agency(letter="K", code="kronofogden", name_sv="Kronofogden")
    return w


def _query(w, month: str = FUTURE) -> dict[str, object]:
    return {
        "month": month,
        "agency": w.newcomer.pk,
        "action": "join",
        "offices": [w.office.pk],
        "start": f"{month}-01",
        "visits": 400,
        "minutes_per_visit": "20",
    }


def test_usage_month__a_month_not_begun_reads_the_latest_complete_one() -> None:
    today = dt.date(2026, 11, 25)
    assert queries.what_if_usage_month(dt.date(2027, 1, 1), today=today) == OCTOBER
    assert queries.what_if_usage_month(dt.date(2026, 12, 1), today=today) == OCTOBER
    assert queries.what_if_usage_month(dt.date(2026, 11, 1), today=today) == dt.date(2026, 11, 1)
    assert queries.what_if_usage_month(OCTOBER, today=today) == OCTOBER


@pytest.mark.parametrize(
    ("prefix", "words"),
    [
        ("/en", "2027-01 has not begun: it has no use and no cost pools yet."),
        ("", "2027-01 har inte börjat: den har ingen användning och inga kostnadspooler än."),
    ],
)
def test_what_if_page__future_month__october_s_use_and_pools_labelled(
    costs_world, people, client, prefix: str, words: str
) -> None:
    client.force_login(people.admin)
    response = client.get(f"{prefix}/costs/what-if/", _query(costs_world))
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.usage_month, result.pools_month) == (OCTOBER, OCTOBER)
    assert sum(o.a_ore for o in result.outcomes) == 40_000_000, "not a month of zeros"
    assert sum(o.a_visits for o in result.outcomes) == 800
    html = response.content.decode()
    assert words in html and "2026-10" in html
    csv = client.get(f"{prefix}/costs/what-if/", {**_query(costs_world), "format": "csv"})
    assert words in csv.content.decode("utf-8-sig")


def test_what_if__future_month_with_pools_of_its_own__those_pools(costs_world) -> None:
    CostPool.objects.create(
        month=dt.date(2027, 1, 1),
        office=costs_world.office,
        category=Category.PREMISES,
        amount_ore=5_000_000,
    )
    result = queries.what_if(
        month=dt.date(2027, 1, 1),
        change=Change(
            agency=costs_world.newcomer.pk,
            offices=(costs_world.office.pk,),
            visits=400,
            minutes_per_visit=Fraction(20),
            leave=False,
            fraction=Fraction(1),
        ),
        with_staff=False,
    )
    assert (result.usage_month, result.pools_month) == (OCTOBER, dt.date(2027, 1, 1))
    assert sum(o.a_ore for o in result.outcomes) == 5_000_000
    with translation.override("en"):
        assert "the cost pools of 2027-01" in result.usage_note
    with translation.override("sv"):
        assert "kostnadspoolerna för 2027-01" in result.usage_note


def test_what_if_api__future_month__says_which_month_s_use(costs_world, people, client) -> None:
    client.force_login(people.admin)
    response = client.get(
        "/api/costs/what-if/",
        {
            "month": FUTURE,
            "agency": "kronofogden",
            "action": "join",
            "offices": costs_world.office.code,
            "start": f"{FUTURE}-01",
            "visits": 400,
            "minutes_per_visit": 20,
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["month"], body["usage_month"], body["pools_month"]) == (
        FUTURE,
        "2026-10",
        "2026-10",
    )
    assert "has not begun" in body["note"]
    assert sum(a["today_ore"] for a in body["agencies"]) == 40_000_000
