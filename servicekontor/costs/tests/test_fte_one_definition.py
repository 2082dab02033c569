"""Walk F22 (session 18): full-time equivalents had two computations — the staffing page's
month (officer-hours ÷ 8 h × the month's working days, its own 40) and the change plans' week
(÷ a 40 of their own), with the cost what-if interpolating FTE apart from its hours. One
definition now, `staffing.dimensioning.fte`; the staffing page, the cost what-if and the
change plans' words are that one.

The world is the staffing tests' `history`; the clock stands on 25 November 2026."""

import datetime as dt
from fractions import Fraction

import pytest
from django.urls import reverse
from django.utils import translation

from servicekontor.changeplans.queries import ASSUMPTION_TEXTS
from servicekontor.costs.allocation import Usage
from servicekontor.costs.models import Category, CostPool, HourlyRate
from servicekontor.costs.templatetags.costs_format import amount
from servicekontor.staffing import dimensioning
from servicekontor.staffing.tests.conftest import clock_at, fast_passwords, history, people, world
from tests.factories import make_agency

__all__ = ["clock_at", "fast_passwords", "history", "people", "world"]
pytestmark = pytest.mark.django_db

OCTOBER = dt.date(2026, 10, 1)


@pytest.fixture
def costs_world(history, clock_at, monkeypatch):
    from servicekontor.costs import queries

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
    monkeypatch.setattr(
        queries, "month_usage", lambda *, month: october if month == OCTOBER else []
    )
    w.newcomer = make_agency(letter="K", code="kronofogden", name_sv="Kronofogden")
    return w


def test_staffing_page_and_cost_what_if_show_one_fte_for_one_office_month(
    costs_world, people, client
):
    w = costs_world
    client.force_login(people.admin)
    staffing = client.get(reverse("staffing:network"), {"year": "2027"})
    assert staffing.status_code == 200
    (row,) = [r for r in staffing.context["plan"].rows if r.office == w.office and r.month == 3]
    what_if = client.get(
        "/en/costs/what-if/",
        {
            "month": "2027-03",
            "agency": w.newcomer.pk,
            "action": "join",
            "offices": [w.office.pk],
            "start": "2027-03-01",
            "visits": 400,
            "minutes_per_visit": "20",
        },
    )
    assert what_if.status_code == 200
    staff = what_if.context["result"].staff
    (office,) = staff.offices
    # the same hours, and the same FTE of them, on both pages
    assert office.hours_a == Fraction(row.hours_needed)
    days = dimensioning.working_days_in_month(2027, 3)
    assert days == 23
    assert office.fte_a == Fraction(row.hours_needed) / (8 * days)
    assert float(office.fte_a) == pytest.approx(row.fte_needed, abs=1e-12)
    assert amount(office.fte_a) in what_if.content.decode()
    # with the change: its own hours ÷ the same month's full-time hours, not an FTE of its own
    assert office.fte_b == office.hours_b / (8 * days)


def test_change_plans_word_the_one_definition():
    with translation.override("en"):
        words = str(ASSUMPTION_TEXTS["fte"])
    assert f"{dimensioning.HOURS_PER_FTE_WEEK} officer-hours a week" in words
    assert f"{dimensioning.HOURS_PER_FTE_WEEK // dimensioning.WORKING_DAYS_PER_WEEK} on each" in (
        words
    )
    assert "as on the staffing and cost pages" in words
