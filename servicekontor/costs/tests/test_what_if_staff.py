"""The what-if with the staff needed (the staffing plan) and its cost: page, CSV, Excel, API.

The world is the staffing tests' `history`: ten weeks of arrivals at `office` (Skatteverket
and Försäkringskassan) before December 2026; the clock stands on 25 November 2026.
"""

import datetime as dt
from fractions import Fraction

import pytest

from servicekontor.costs import queries
from servicekontor.costs.allocation import Change, Usage
from servicekontor.costs.models import Category, CostPool, HourlyRate
from servicekontor.staffing.tests.conftest import clock_at, fast_passwords, history, people, world
from tests.factories import make_agency

__all__ = ["clock_at", "fast_passwords", "history", "people", "world"]
pytestmark = pytest.mark.django_db

MONTH = dt.date(2026, 11, 1)
RATE = 29_000  # 290,00 kr an hour


@pytest.fixture
def costs_world(history, clock_at, monkeypatch):
    w = history
    CostPool.objects.create(
        month=MONTH, office=w.office, category=Category.STAFF, amount_ore=40_000_000
    )
    HourlyRate.objects.create(
        role="service_officer", valid_from=dt.date(2026, 1, 1), ore_per_hour=RATE
    )
    usage = [
        Usage(w.office.pk, w.skatteverket.pk, 600, 600 * 12 * 60),
        Usage(w.office.pk, w.fk.pk, 200, 200 * 15 * 60),
    ]
    monkeypatch.setattr(queries, "month_usage", lambda *, month: usage)
    w.newcomer = make_agency(letter="K", code="kronofogden", name_sv="Kronofogden")
    return w


def _join(w, **extra):
    return {
        "month": "2026-11",
        "agency": w.newcomer.pk,
        "action": "join",
        "offices": [w.office.pk],
        "start": "2026-11-16",
        "visits": 400,
        "minutes_per_visit": "20",
        **extra,
    }


def test_what_if__agency_joins__staff_needed_priced_by_hand(costs_world):
    w = costs_world
    change = Change(
        agency=w.newcomer.pk,
        offices=(w.office.pk,),
        visits=400,
        minutes_per_visit=Fraction(20),
        fraction=Fraction(15, 30),  # 16–30 November
    )
    result = queries.what_if(month=MONTH, change=change)
    assert result.missing == ""
    staff = result.staff
    assert staff is not None and staff.ore_per_hour == RATE
    (office,) = staff.offices
    # 400 more visits of 20 minutes need more officer hours than today
    assert office.hours_b > office.hours_a > 0
    # the month's hours with the change = today + half the full-month difference
    needs, _skipped = queries.staff_needs(month=MONTH, change=change)
    (need,) = needs
    assert (
        office.hours_b - office.hours_a
        == (Fraction(need.hours_with_change) - Fraction(need.hours_today)) / 2
    )
    # a reader's check: cost = hours × 290 kr, to the öre
    assert office.cost_a_ore == round(office.hours_a * RATE)
    assert abs(office.cost_b_ore - office.hours_b * RATE) <= Fraction(1, 2)
    # the extra staff cost is added to the office's costs: the agencies pay it between them
    a_total = sum(o.a_ore for o in result.outcomes)
    b_total = sum(o.b_ore for o in result.outcomes)
    assert a_total == 40_000_000
    assert b_total - a_total == staff.difference_ore > 0
    newcomer = next(o for o in result.outcomes if o.agency == w.newcomer)
    assert newcomer.b_visits == 200 and newcomer.b_ore > 0


def test_what_if__staff_apart__pools_unchanged(costs_world):
    w = costs_world
    change = Change(
        agency=w.newcomer.pk, offices=(w.office.pk,), visits=400, minutes_per_visit=Fraction(20)
    )
    result = queries.what_if(month=MONTH, change=change, staff_in_costs=False)
    assert result.staff is not None and result.staff.difference_ore > 0
    assert sum(o.b_ore for o in result.outcomes) == sum(o.a_ore for o in result.outcomes)


def test_what_if__agency_leaves__fewer_hours(costs_world):
    w = costs_world
    change = Change(agency=w.skatteverket.pk, offices=(w.office.pk,), leave=True)
    result = queries.what_if(month=MONTH, change=change)
    assert result.staff is not None
    (office,) = result.staff.offices
    assert office.hours_b < office.hours_a
    assert result.staff.difference_ore < 0


def test_what_if_page__staff_table_csv_xlsx_and_api_agree(costs_world, people, client):
    w = costs_world
    client.force_login(people.admin)
    response = client.get("/en/costs/what-if/", _join(w))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Staff needed" in html and "not part of this what-if" not in html
    result = response.context["result"]
    staff = result.staff
    assert staff is not None
    assert "290.00" in html  # the hourly cost shown next to the hours
    csv = client.get("/en/costs/what-if/", {**_join(w), "format": "csv"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "Staff needed" in text and str(staff.difference_ore) in text
    xlsx = client.get("/en/costs/what-if/", {**_join(w), "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    api = client.get(
        "/api/costs/what-if/",
        {
            "month": "2026-11",
            "agency": "kronofogden",
            "action": "join",
            "offices": w.office.code,
            "start": "2026-11-16",
            "visits": 400,
            "minutes_per_visit": 20,
        },
    )
    assert api.status_code == 200, api.content
    body = api.json()
    assert body["staff"]["extra_cost_ore"] == staff.difference_ore
    assert body["staff"]["ore_per_hour"] == RATE
    assert sum(a["with_change_ore"] for a in body["agencies"]) == sum(
        o.b_ore for o in result.outcomes
    )


def test_what_if_api__bad_input_400_unknown_office_400_non_admin_403(costs_world, people, client):
    client.force_login(people.admin)
    assert client.get("/api/costs/what-if/", {"month": "2026-13"}).status_code == 400
    assert (
        client.get(
            "/api/costs/what-if/",
            {
                "month": "2026-11",
                "agency": "kronofogden",
                "action": "leave",
                "offices": "nowhere",
                "start": "2026-11-01",
            },
        ).status_code
        == 400
    )
    client.force_login(people.tax_analyst)
    assert client.get("/api/costs/what-if/", {"month": "2026-11"}).status_code == 403


def test_what_if_page__missing_rate__role_label_not_code(costs_world, people, client):
    HourlyRate.objects.all().delete()
    client.force_login(people.admin)
    response = client.get("/en/costs/what-if/", _join(costs_world))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Service officer" in html and "service_officer" not in html
    assert response.context["result"].staff is None
    # the shares are still computed, without staff
    assert response.context["outcomes"]


def test_what_if_page__bad_format_400(costs_world, people, client):
    client.force_login(people.admin)
    assert (
        client.get("/en/costs/what-if/", {**_join(costs_world), "format": "pdf"}).status_code == 400
    )


def test_staff_needs__office_without_history_is_listed(costs_world):
    w = costs_world
    change = Change(
        agency=w.newcomer.pk,
        offices=(w.office.pk, w.other_office.pk),
        visits=10,
        minutes_per_visit=Fraction(10),
    )
    needs, skipped = queries.staff_needs(month=MONTH, change=change)
    assert [n.office for n in needs] == [w.office.pk]
    assert skipped == [w.other_office]
