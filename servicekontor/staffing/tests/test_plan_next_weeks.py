"""Planning the next weeks while the current one runs: the days not yet over are not read as
days without visitors (they pulled next week's forecast down by about a third), and a need
beyond the office's desks is said on the page."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from servicekontor.core import clock
from servicekontor.network.models import ServicePoint
from servicekontor.reports.models import HourFigures
from servicekontor.staffing import exports, queries

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 2)  # Wednesday of 2026-W49
W50, W51 = dt.date(2026, 12, 7), dt.date(2026, 12, 14)
PER_HOUR = (6, 9, 12, 10, 8, 4)  # 10:00–15:59, every weekday


@pytest.fixture
def until_yesterday(world):
    rows = []
    for back in range(1, 71):
        day = TODAY - dt.timedelta(days=back)
        if day.weekday() >= 5:
            continue
        for k, n in enumerate(PER_HOUR):
            rows.append(
                HourFigures(
                    office=world.office,
                    service=world.tax,
                    agency=world.skatteverket,
                    local_day=day,
                    hour=10 + k,
                    arrivals=n,
                )
            )
    HourFigures.objects.bulk_create(rows)
    return world


def _week_total(plan: queries.WeekPlan) -> float:
    return sum(sum(r.arrivals.values()) for r in plan.rows)


def test_week_plan__next_week_during_this_one__no_drop_from_days_not_yet_over(until_yesterday):
    with time_machine.travel(clock.local_datetime(TODAY, dt.time(10)), tick=False):
        next_week = queries.week_plan(office=until_yesterday.office, monday=W50, simulate=False)
        after = queries.week_plan(office=until_yesterday.office, monday=W51, simulate=False)
    history_week = 5 * sum(PER_HOUR)  # 245 arrivals every week
    assert _week_total(next_week) == pytest.approx(history_week, rel=0.15)
    assert _week_total(next_week) == pytest.approx(_week_total(after), rel=0.1)


def test_week_plan__need_beyond_the_desks__said_on_the_page_and_models_named(
    until_yesterday, client, people
):
    office = until_yesterday.office
    ServicePoint.objects.filter(office=office).exclude(
        pk=ServicePoint.objects.filter(office=office).order_by("number").values("pk")[:1]
    ).delete()
    with time_machine.travel(clock.local_datetime(TODAY, dt.time(10)), tick=False):
        plan = queries.week_plan(office=office, monday=W50, simulate=False)
        assert plan.desks == 1
        assert plan.beyond_desks
        # the plan is held to the desks; what the target would take is kept beside it
        assert all(r.need.base == 1 for r in plan.rows if r.need.base)
        assert all(r.need.needed_without_desk_limit > 1 for r in plan.beyond_desks)
        client.force_login(people.manager)
        with translation.override("sv"):
            url = reverse("staffing:office", args=[office.code])
        html = client.get(url, {"week": "2026-W50"}).content.decode()
    assert "fler handläggare vid diskarna än kontoret har diskar (1 diskar;" in html
    # "up to N": the most officers the target would need at the desks at once in those hours
    # (not the roster's count, which adds the shrinkage); the plan counts the one desk
    peak = max(r.need.needed_without_desk_limit for r in plan.beyond_desks)
    assert f"upp till {peak} handläggare skulle behövas samtidigt" in html
    assert "räknar planen, den utlovade servicenivån och simuleringen nedan med 1 " in html
    assert "erlang_a" not in html and "erlang_c" not in html
    assert "Erlang C (ingen lämnar kön)" in html or "Erlang A (några lämnar kön)" in html
    # The heatmaps have their titles as text, not only inside the SVG; the officers' heatmap
    # shows the roster's count and is named as the table's column of it.
    assert '<figcaption class="chart-title">Handläggare som behövs, med raster</figcaption>' in html
    assert (
        "<th>Handläggare som behövs, med raster</th>" in html
        or "Handläggare som behövs, med raster</th>" in html
    )


def test_exports__model_label_never_the_code():
    assert exports.model_label("erlang_a") != "erlang_a"
    assert exports.model_label("erlang_c") != "erlang_c"
