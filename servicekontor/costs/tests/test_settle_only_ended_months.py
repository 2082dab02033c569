"""Walk finding: any month could be settled and frozen — the running month, a future one, one
without pools — each at 0 kr, for good. The rule is `services.check_settleable`, in the use
case, so the page, the command and anything later refuse alike (400, nothing written); the
costs page and the report list only the months the rule lets through."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command

from servicekontor.core.clock import STOCKHOLM
from servicekontor.costs import queries, services
from servicekontor.costs.errors import EarlierMonthOpen, MonthNotOver, NothingToSettle
from servicekontor.costs.models import Settlement, SettlementLine
from servicekontor.costs.tests.conftest import add_pools

DECEMBER = dt.date(2026, 12, 1)
NOVEMBER = dt.date(2026, 11, 1)
OCTOBER = dt.date(2026, 10, 1)
SEPTEMBER = dt.date(2026, 9, 1)  # no pools
FUTURE = dt.date(2030, 1, 1)


def _at(year: int, month: int, day: int, hour: int, minute: int) -> time_machine.travel:
    return time_machine.travel(
        dt.datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM), tick=False
    )


@pytest.fixture
def months(world, monkeypatch):
    """Pools in October, November, December (running on 2026-12-15) and January 2030."""
    for month in (OCTOBER, NOVEMBER, DECEMBER, FUTURE):
        add_pools(world, month)
    monkeypatch.setattr(services, "month_usage", lambda *, month: world.usage())
    monkeypatch.setattr(services, "month_service_usage", lambda *, month: [])
    return world


@pytest.mark.parametrize(
    ("month", "error"),
    [(DECEMBER, MonthNotOver), (FUTURE, MonthNotOver), (SEPTEMBER, NothingToSettle)],
    ids=["running", "future", "no-pools"],
)
def test_settle_month__refuses_and_writes_nothing(months, month, error):
    with _at(2026, 12, 15, 12, 0), pytest.raises(error):
        services.settle_month(month=month, by=months.admin)
    assert not Settlement.objects.exists()
    assert not SettlementLine.objects.exists()


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [
        # 23:59 on the last day in Stockholm: November is still running
        (dt.datetime(2026, 11, 30, 23, 59, 59, tzinfo=STOCKHOLM), False),
        # 00:00 on the 1st in Stockholm is still 30 November 23:00 in UTC: over all the same
        (dt.datetime(2026, 12, 1, 0, 0, tzinfo=STOCKHOLM), True),
    ],
    ids=["last-second", "first-instant-after"],
)
def test_settle_month__at_the_month_boundary_in_stockholm_time(months, moment, allowed):
    with time_machine.travel(moment, tick=False):
        assert moment.astimezone(dt.UTC).month == 11
        if allowed:
            for earlier in (dt.date(2025, 3, 1), OCTOBER):  # months are settled in order
                services.settle_month(month=earlier, by=None)
            assert services.settle_month(month=NOVEMBER, by=None).month == NOVEMBER
        else:
            with pytest.raises(MonthNotOver):
                services.settle_month(month=NOVEMBER, by=None)
            assert not Settlement.objects.exists()


def test_settle_month__summer_time_boundary(months):
    """The end of March is in summer time (UTC+2): 00:30 on 1 April is 22:30 UTC on 31 March."""
    add_pools(months, dt.date(2027, 3, 1))
    with _at(2027, 3, 31, 23, 59), pytest.raises(MonthNotOver):
        services.check_settleable(dt.date(2027, 3, 1))
    with _at(2027, 4, 1, 0, 30):
        for earlier in (dt.date(2025, 3, 1), OCTOBER, NOVEMBER, DECEMBER):  # in order
            services.settle_month(month=earlier, by=None)
        services.check_settleable(dt.date(2027, 3, 1))


@pytest.mark.parametrize("month", ["2026-12", "2030-01", "2026-09"])
def test_settle_page__form_again_with_the_reason(months, client, month):
    client.force_login(months.admin)
    with _at(2026, 12, 15, 12, 0):
        response = client.post("/en/costs/settle/", {"month": month})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'name="month"' in page and f'value="{month}"' in page
    reason = "has not ended yet" if month != "2026-09" else "has no cost pools"
    assert reason in page
    assert not Settlement.objects.exists()


def test_settle_page__an_ended_month_with_pools_is_settled_after_confirming(months, client):
    """Walk: "Settle and freeze" took a typed month, had no confirmation and let 2026-11 be
    settled while 2026-10 was open."""
    client.force_login(months.admin)
    with _at(2026, 12, 15, 12, 0):
        services.settle_month(month=dt.date(2025, 3, 1), by=None)
        index = client.get("/en/costs/").content.decode()
        # the month is chosen from those that can be settled now: the earliest open one
        assert '<option value="2026-10">2026-10</option>' in index
        assert 'value="2026-11"' not in index
        first = client.post("/en/costs/settle/", {"month": "2026-10"})
        assert first.status_code == 200
        page = first.content.decode()
        assert "cannot be undone" in page and "2026-10" in page
        assert 'name="confirm"' in page
        assert not Settlement.objects.filter(month=OCTOBER).exists()
        # November while October is open: refused, naming October
        early = client.post(
            "/en/costs/settle/", {"month": "2026-11", "confirm": "on", "accept_partial": "on"}
        )
        assert early.status_code == 400
        assert "Settle 2026-10 first" in early.content.decode()
        assert not Settlement.objects.filter(month=NOVEMBER).exists()
        for month in ("2026-10", "2026-11"):
            done = client.post(
                "/costs/settle/", {"month": month, "confirm": "on", "accept_partial": "on"}
            )
            assert done.status_code == 302
    assert list(Settlement.objects.order_by("month").values_list("month", flat=True)) == [
        dt.date(2025, 3, 1),
        OCTOBER,
        NOVEMBER,
    ]


def test_settle__in_order__the_command_refuses_a_month_after_an_open_one(months):
    with _at(2026, 12, 15, 12, 0):
        with pytest.raises(CommandError, match="2025-03, 2026-10"):
            call_command("settle_costs", "--month", "2026-11", stdout=io.StringIO())
        with pytest.raises(EarlierMonthOpen):
            services.settle_month(month=OCTOBER, by=None)
    assert not Settlement.objects.exists()


@pytest.mark.parametrize("month", ["2026-12", "2030-01", "2026-09"])
def test_settle_command__refuses_alike(months, month):
    with _at(2026, 12, 15, 12, 0), pytest.raises(CommandError):
        call_command("settle_costs", "--month", month, stdout=io.StringIO())
    assert not Settlement.objects.exists()


def test_costs_page_lists_only_months_that_can_be_settled(months, client):
    client.force_login(months.admin)
    with _at(2026, 12, 15, 12, 0):
        response = client.get("/en/costs/")
        # the world's March 2025 too; not December (running) nor 2030
        expected = [dt.date(2025, 3, 1), OCTOBER, NOVEMBER]
        assert response.context["open_months"] == expected
        assert queries.months_to_settle(today=dt.date(2026, 12, 15)) == expected


def test_yearly_report_names_only_months_that_can_be_settled(months, client):
    """The analyst's year: October and November are to be settled; September (no pools) and
    December (running) are not named as waiting for a settlement."""
    client.force_login(months.fk_analyst)
    with _at(2026, 12, 15, 12, 0):
        services.settle_month(month=dt.date(2025, 3, 1), by=None)
        services.settle_month(month=OCTOBER, by=None)
        year = client.get("/en/costs/report/", {"year": "2026"})
    assert year.status_code == 200
    assert year.context["unsettled"] == [NOVEMBER]
    assert year.context["report"].months == [OCTOBER]
    assert "Not settled yet: 2026-11." in year.content.decode()


@pytest.mark.parametrize("month", ["2026-13", "december", ""])
def test_settle_page__malformed_month_is_the_form_with_its_error(months, client, month):
    client.force_login(months.admin)
    response = client.post("/en/costs/settle/", {"month": month})
    assert response.status_code == 400
    assert 'name="month"' in response.content.decode()
    assert not Settlement.objects.exists()


@pytest.mark.parametrize(
    ("prefix", "label", "grouped"),
    # the costs' measure is the statistics' served visits per agency (walk F17: a visit with
    # errands for two agencies counts for each; "served visits" alone are visits served once)
    [
        ("", "Betjänade besök per myndighet", "139\xa0680"),
        ("/en", "Served visits per agency", "139,680"),
    ],
)
def test_settle_confirm__served_visits_named_and_grouped(
    world, monkeypatch, client, prefix, label, grouped
):
    """The walk: the confirmation read "Besök 139680": the costs' measure is served visits
    (one name per measure), and a count is grouped as on every other page."""
    add_pools(world, OCTOBER)
    usage = world.usage()
    visits = sum(u.visits for u in usage)
    scaled = [
        type(u)(u.office, u.agency, u.visits * 139_680 // visits, u.handled_seconds) for u in usage
    ]
    scaled[0] = type(scaled[0])(
        scaled[0].office,
        scaled[0].agency,
        scaled[0].visits + 139_680 - sum(u.visits for u in scaled),
        scaled[0].handled_seconds,
    )
    monkeypatch.setattr(services, "month_usage", lambda *, month: scaled)
    monkeypatch.setattr(services, "month_service_usage", lambda *, month: [])
    client.force_login(world.admin)
    with _at(2026, 12, 15, 12, 0):
        services.settle_month(month=dt.date(2025, 3, 1), by=None)  # the world's earlier month
        response = client.post(f"{prefix}/costs/settle/", {"month": "2026-10"})
    page = response.content.decode()
    assert response.status_code == 200, page[page.find("<main") : page.find("<main") + 600]
    assert f'<th scope="row">{label}</th><td class="num">{grouped}</td>' in page
