"""The admin's pages: settle, correct, what-if; errors with their status, never 500."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from servicekontor.costs import services
from servicekontor.costs.models import Correction, Settlement

from .conftest import MONTH


@pytest.fixture
def stats_usage(world, monkeypatch):
    """The statistics' usage for the month, as `reports.queries.agency_usage` would give it."""
    monkeypatch.setattr(services, "month_usage", lambda *, month: world.usage())
    return world


def test_settle_page__settles_then_refuses_with_409(stats_usage, client):
    world = stats_usage
    client.force_login(world.admin)
    assert (
        client.post(
            "/costs/settle/", {"month": "2025-03", "confirm": "on", "accept_partial": "on"}
        ).status_code
        == 302
    )
    assert Settlement.objects.get().settled_by == world.admin
    again = client.post(
        "/costs/settle/", {"month": "2025-03", "confirm": "on", "accept_partial": "on"}
    )
    assert again.status_code == 409
    assert "correction" in again.content.decode().lower() or "rättelse" in again.content.decode()


def test_cost_forms__get__303_to_the_costs_page_nothing_written(stats_usage, client):
    """A GET of a form's URL (back/forward after posting) leads to the costs page, not a
    blank 405, and does nothing."""
    client.force_login(stats_usage.admin)
    for url in ("/costs/settle/", "/costs/correct/", "/costs/staff-cost/"):
        response = client.get(url, {"month": "2025-03"})
        assert response.status_code == 303, url
        assert response["Location"] == "/costs/"
    assert not Settlement.objects.exists() and not Correction.objects.exists()


def test_settle_page__analyst_refused(stats_usage, client):
    client.force_login(stats_usage.fk_analyst)
    assert client.post("/costs/settle/", {"month": "2025-03"}).status_code == 403
    assert not Settlement.objects.exists()


def test_correct_page__books_with_who_and_why(stats_usage, client):
    world = stats_usage
    services.settle_month(month=MONTH, by=world.admin, usage=world.usage())
    client.force_login(world.admin)
    response = client.post(
        "/costs/correct/",
        {
            "month": "2025-03",
            "pool": world.pools["kista-staff"].pk,
            "amount_sek": "101000",
            "reason": "Late invoice",
        },
    )
    assert response.status_code == 302
    corr = Correction.objects.get()
    assert (corr.created_by, corr.reason, corr.total_ore) == (world.admin, "Late invoice", 100_000)
    report = client.get("/costs/report/?year=2025&month=4").content.decode()
    assert "Late invoice" in report  # booked into April, listed with who and why
    bad = client.post("/costs/correct/", {"month": "2025-03", "reason": ""})
    assert bad.status_code == 400


def test_what_if__agency_joins_two_offices(stats_usage, client):
    world = stats_usage
    services.settle_month(month=MONTH, by=world.admin, usage=world.usage())
    client.force_login(world.admin)
    response = client.get(
        "/costs/what-if/",
        {
            "month": "2025-03",
            "agency": world.p.pk,
            "action": "join",
            "offices": [world.lulea.pk],
            "start": "2025-03-01",
            "visits": 60,
            "minutes_per_visit": "25",
        },
    )
    assert response.status_code == 200
    # Without hourly costs the staff part says what is missing; the shares are computed.
    assert response.context["result"].staff is None
    # P now has 60 visits × 25 min at Luleå: 1 500 of Luleå's 2 500 minutes.
    rows = response.context["outcomes"]
    p = next(o for o in rows if o.agency == world.p)
    assert p.b_visits == 110
    assert p.b_ore > p.a_ore
    assert sum(o.a_ore for o in rows) == sum(o.b_ore for o in rows) == 15_200_000


def test_what_if__bad_input_is_400(stats_usage, client):
    client.force_login(stats_usage.admin)
    response = client.get("/costs/what-if/", {"month": "2025-13", "action": "join"})
    assert response.status_code == 400


def test_staff_cost_page__missing_rate_is_400_and_nothing_written(world, client):
    import datetime as dt
    from decimal import Decimal

    from servicekontor.costs.models import CostPool, StaffHours

    StaffHours.objects.create(
        office=world.kista, month=dt.date(2025, 4, 1), role="service_officer", hours=Decimal(10)
    )
    client.force_login(world.admin)
    response = client.post("/costs/staff-cost/", {"month": "2025-04"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Servicehandläggare" in body
    assert "service_officer" not in body  # the role's label, not its code
    assert not CostPool.objects.filter(month=dt.date(2025, 4, 1)).exists()


def test_compare__driver_that_cannot_share_is_409(stats_usage, client):
    world = stats_usage
    services.settle_month(month=MONTH, by=world.admin, usage=world.usage())
    client.force_login(world.admin)
    # Only the Kista premises pool has fixed shares; the others cannot be shared by them.
    response = client.get("/costs/compare/?month=2025-03&a=configured&b=fixed")
    assert response.status_code == 409


def test_what_if__agency_leaves_from_mid_month(stats_usage, client):
    world = stats_usage
    services.settle_month(month=MONTH, by=world.admin, usage=world.usage())
    client.force_login(world.admin)
    response = client.get(
        "/costs/what-if/",
        {
            "month": "2025-03",
            "agency": world.p.pk,
            "action": "leave",
            "offices": [world.kista.pk],
            "start": "2025-03-17",
        },
    )
    assert response.status_code == 200
    rows = {o.agency: o for o in response.context["outcomes"]}
    # 15 of March's 31 days without P at Kista: 50 × 16/31 visits remain → 25.
    assert rows[world.p].b_visits == 25
    assert rows[world.p].b_ore < rows[world.p].a_ore
    assert rows[world.f].b_ore > rows[world.f].a_ore and rows[world.s].b_ore > rows[world.s].a_ore


def test_pages__swedish_and_english(world, client):
    client.force_login(world.admin)
    assert "Kostnader och avräkning" in client.get("/costs/").content.decode()
    assert "Costs and settlement" in client.get("/en/costs/").content.decode()
    assert "Compare drivers" in client.get("/en/costs/compare/").content.decode()
    assert "Jämför fördelningsnycklar" in client.get("/costs/compare/").content.decode()


def test_report__no_input__the_last_whole_month_then_the_last_settled(stats_usage, client):
    """Walk finding F11: a bare /costs/report/ was a 400 naming the raw field "year"."""
    import datetime as dt

    import time_machine

    from servicekontor.core.clock import STOCKHOLM

    client.force_login(stats_usage.admin)
    with time_machine.travel(dt.datetime(2026, 1, 15, 12, tzinfo=STOCKHOLM), tick=False):
        bare = client.get("/costs/report/")
        assert bare.status_code == 200
        assert "2025-12" in bare.content.decode()  # none settled: the last whole month
        index = client.get("/costs/")
        assert 'value="2025"' in index.content.decode()  # the report form prefilled
        assert (
            client.post(
                "/costs/settle/", {"month": "2025-03", "confirm": "on", "accept_partial": "on"}
            ).status_code
            == 302
        )
        settled = client.get("/costs/report/")
        assert settled.status_code == 200 and "2025-03" in settled.content.decode()


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ({"year": "abc"}, "Year"),
        ({"year": "9999"}, "Year"),
        ({"year": "0001"}, "Year"),
        ({"year": "2025", "month": "13"}, "Month (empty: the whole year)"),
        ({"year": "", "month": "3"}, "Year"),
    ],
)
def test_report__bad_input__form_kept_errors_named_by_label(stats_usage, client, query, label):
    from django.urls import reverse
    from django.utils import translation

    client.force_login(stats_usage.admin)
    with translation.override("en"):
        response = client.get(reverse("costs:report"), query)
    body = response.content.decode()
    assert response.status_code == 400
    assert f"{label}:" in body  # the summary names the field by its label
    assert "<li>year<ul" not in body and "<li>month<ul" not in body  # not the raw name
    assert '<form method="get"' in body and 'name="year"' in body
    if query["year"]:
        assert f'value="{query["year"]}"' in body


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2026-13", "2026-00", "2026-1", "٢٠٢٦-01"])
def test_compare_and_what_if__month_out_of_range__400_not_500(stats_usage, client, month):
    """Walk finding F4: month 9999-12 overflowed computing the month's end."""
    client.force_login(stats_usage.admin)
    compare = client.get("/costs/compare/", {"month": month, "a": "minutes", "b": "visits"})
    assert compare.status_code == 400
    what_if = client.get(
        "/costs/what-if/", {"month": month, "action": "leave", "start": "2025-03-01"}
    )
    assert what_if.status_code == 400


@pytest.mark.parametrize("start", ["9999-12-31", "0001-01-01"])
def test_what_if__start_out_of_range__400_with_the_form(stats_usage, client, start):
    world = stats_usage
    client.force_login(world.admin)
    query = {
        "month": "2025-03",
        "agency": world.f.pk,
        "action": "leave",
        "offices": [world.kista.pk],
        "start": start,
    }
    for fmt in ("", "csv"):
        response = client.get("/costs/what-if/", {**query, "format": fmt})
        assert response.status_code == 400
        assert "2999-12-31" in response.content.decode()
        assert f'value="{start}"' in response.content.decode()


def test_correct_page__bad_input__form_kept_with_label(stats_usage, client):
    client.force_login(stats_usage.admin)
    response = client.post("/costs/correct/", {"month": "9999-12", "reason": "x" * 600})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Settled month (YYYY-MM)" in body or "Avräknad månad" in body
    assert 'value="9999-12"' in body and 'method="post"' in body


@pytest.mark.parametrize(("prefix", "group", "decimal"), [("", "\xa0", ","), ("/en", ",", ".")])
def test_report__money_and_counts_localized_with_two_decimals(
    stats_usage, client, prefix, group, decimal
):
    """Walk finding (browser, 2026-11-30): the report's tables showed raw floats and ints:
    "43108,57", "38369,8" kr (one decimal), "56,7" kr per minute, "4310857" öre, while the
    settled-months table above showed "31 172 000,00". Every number cell is now grouped and
    kronor have two decimals, minutes one (as the statistics: walk finding F28), in every
    table of the page."""
    import re

    from servicekontor.costs import queries
    from servicekontor.costs.exports import (
        lines_table,
        months_table,
        services_table,
        summary_table,
    )

    world = stats_usage
    services.settle_month(month=MONTH, by=world.admin, usage=world.usage())
    client.force_login(world.admin)
    page = client.get(f"{prefix}/costs/report/?year=2025&month=3").content.decode()
    # the lines a page at a time (walk F23: no longer on the report page)
    page += client.get(
        f"{prefix}/costs/report/lines/?year=2025&month=3&per_page=500"
    ).content.decode()
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", page)
    rep = queries.agency_report(start=MONTH, end=dt.date(2025, 4, 1), agency_ids=None)
    minute_cells = set()
    for table in (summary_table, months_table, services_table, lines_table):
        for row in table(rep)[1]:
            for value in row:
                if isinstance(value, Decimal):  # minutes: one decimal, as the statistics
                    whole, _, frac = f"{value:.1f}".partition(".")
                    shown = f"{int(whole):,}".replace(",", group) + decimal + frac
                    assert shown in cells, (value, shown)
                    minute_cells.add(shown)
                elif isinstance(value, float):
                    whole, _, frac = f"{value:.2f}".partition(".")
                    shown = f"{int(whole):,}".replace(",", group) + decimal + frac
                    assert shown in cells, (value, shown)
                elif isinstance(value, int) and value >= 1000:
                    assert f"{value:,}".replace(",", group) in cells, value
    assert not [c for c in cells if re.fullmatch(r"-?\d{4,}([.,]\d+)?", c)]
    assert minute_cells
    assert not [
        c for c in cells if re.fullmatch(r"-?[\d\xa0,.]*[.,]\d", c) and c not in minute_cells
    ]


def test_report__unsettled_months_are_named_not_shown_as_zero(stats_usage, client):
    """Walk finding (session 11): an unsettled month's report was all zeros with "Settled
    months included: none", which reads as a month without activity."""
    import time_machine

    from servicekontor.core.clock import STOCKHOLM

    client.force_login(stats_usage.admin)
    with time_machine.travel(dt.datetime(2025, 6, 15, 12, tzinfo=STOCKHOLM), tick=False):
        month = client.get("/en/costs/report/", {"year": "2025", "month": "3"})
        assert month.status_code == 200
        assert [m.isoformat() for m in month.context["unsettled"]] == ["2025-03-01"]
        assert "Not settled yet: 2025-03." in month.content.decode()
        year = client.get("/en/costs/report/", {"year": "2025"})
        # Only months that can be settled (queries.months_to_settle): March has pools; the
        # other months have none, June is still running and later months are to come.
        assert [m.month for m in year.context["unsettled"]] == [3]
        assert (
            client.post(
                "/costs/settle/", {"month": "2025-03", "confirm": "on", "accept_partial": "on"}
            ).status_code
            == 302
        )
        settled = client.get("/en/costs/report/", {"year": "2025", "month": "3"})
        assert settled.context["unsettled"] == []
        assert "Not settled yet" not in settled.content.decode()
        year = client.get("/en/costs/report/", {"year": "2025"})
        assert year.context["unsettled"] == []


def test_report__months_not_over_are_named_not_shown_as_zero(stats_usage, client):
    """Walk finding (session 14, the statistics' kind): the running month's and a later
    month's cost report read as a month of zeros, with no word that they cannot be settled
    yet."""
    import time_machine

    from servicekontor.core.clock import STOCKHOLM

    client.force_login(stats_usage.admin)
    with time_machine.travel(dt.datetime(2025, 6, 15, 12, tzinfo=STOCKHOLM), tick=False):
        running = client.get("/en/costs/report/", {"year": "2025", "month": "6"})
        assert "Not over yet: 2025-06." in running.content.decode()
        year = client.get("/en/costs/report/", {"year": "2025"})
        assert [m.month for m in year.context["not_over"]] == [6, 7, 8, 9, 10, 11, 12]
        over = client.get("/en/costs/report/", {"year": "2025", "month": "5"})
        assert over.context["not_over"] == [] and "Not over yet" not in over.content.decode()


def test_report__every_totals_row_agrees_with_the_summary(stats_usage):
    """Walk: the "Per month" Total row showed "–" for Allocated and Visits while the
    summary's Total row had them."""
    from servicekontor.costs import queries
    from servicekontor.costs.exports import months_table, services_table, summary_table

    world = stats_usage
    services.settle_month(month=MONTH, by=world.admin, usage=world.usage())
    rep = queries.agency_report(start=MONTH, end=dt.date(2025, 4, 1), agency_ids=None)
    summary = summary_table(rep)[1][-1]
    months = months_table(rep)[1][-1]
    assert summary[0] == months[0]  # "Total"
    # allocated, adjustments, total öre, kr, visits, handled minutes
    assert months[2:8] == summary[2:8]
    assert None not in months[2:8]
    per_service = services_table(rep)[1][-1]
    assert per_service[4] is not None and per_service[5] is not None  # errands, minutes


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"year": "2025", "month": "7"}, "The month July 2025 has not begun"),
        ({"year": "2026"}, "The year 2026 has not begun"),
    ],
)
def test_report__a_period_not_begun_says_so_without_tables_files_and_api_404(
    stats_usage, client, params, words
):
    """Session 15 (branch steerfix), the statistics' kind: a month or year after today showed
    the note "Not over yet" above tables whose Total row read 0 kr, and its CSV, Excel and
    API answered with zeros a reader could take for costs of zero."""
    import time_machine

    from servicekontor.core.clock import STOCKHOLM

    client.force_login(stats_usage.admin)
    with time_machine.travel(dt.datetime(2025, 6, 15, 12, tzinfo=STOCKHOLM), tick=False):
        page = client.get("/en/costs/report/", params)
        assert page.status_code == 200
        body = page.content.decode()
        assert f"{words}: there are no figures yet." in body
        assert "<table" not in body and "Not over yet" not in body
        for extra in ({"format": "csv"}, {"format": "csv", "table": "lines"}, {"format": "xlsx"}):
            file = client.get("/en/costs/report/", {**params, **extra})
            assert file.status_code == 404, extra
            assert words in file.content.decode(), extra
        for api in ("/api/costs/summary/", "/api/costs/lines/", "/api/costs/services/"):
            answer = client.get(api, params, HTTP_ACCEPT_LANGUAGE="en")
            assert answer.status_code == 404, api
            assert words in answer.json()["detail"], api
        begun = client.get("/api/costs/summary/", {"year": "2025", "month": "6"})
        assert begun.status_code == 200


def test_compare__a_month_not_begun_says_so_without_shares(stats_usage, client):
    import time_machine

    from servicekontor.core.clock import STOCKHOLM

    client.force_login(stats_usage.admin)
    with time_machine.travel(dt.datetime(2025, 3, 15, 12, tzinfo=STOCKHOLM), tick=False):
        later = client.get(
            "/en/costs/compare/", {"month": "2025-04", "a": "configured", "b": "visits"}
        )
        running = client.get(
            "/en/costs/compare/", {"month": "2025-03", "a": "configured", "b": "visits"}
        )
    assert later.status_code == 200
    assert "The month April 2025 has not begun: there are no figures yet." in later.content.decode()
    assert "outcomes" not in later.context and "<table" not in later.content.decode()
    assert "has not begun" not in running.content.decode()  # compared (or refused: 409)


def test_what_if__offices_by_name_grouped_by_county(stats_usage, client):
    """Walk F15: the what-if's offices, like the planning forms', are grouped by county."""
    world = stats_usage
    client.force_login(world.admin)
    html = client.get("/costs/what-if/").content.decode()
    select = html.split('<select name="offices"', 1)[1].split("</select>", 1)[0]
    group = select.split(f'<optgroup label="{world.lulea.county}">', 1)[1].split("</optgroup>")[0]
    assert f'<option value="{world.lulea.pk}">{world.lulea.name}</option>' in group


def test_report__unsettled_month__no_table_of_zeros_a_preliminary_share_and_who_settles(
    stats_usage, client
):
    """Walk F14: the analyst's report of a closed, unsettled month was a table of zeros
    ("Totalt 0 … 0,00") with no name of who settles and no preview of the share."""
    import time_machine

    from servicekontor.core.clock import STOCKHOLM

    w = stats_usage
    w.admin.first_name, w.admin.last_name, w.admin.email = "Ada", "Admin", "ada@example.se"
    w.admin.save()
    expected = services.preliminary_shares(MONTH)
    assert expected.problem == "" and sum(expected.by_agency.values()) > 0
    client.force_login(w.fk_analyst)
    with time_machine.travel(dt.datetime(2025, 6, 15, 12, tzinfo=STOCKHOLM), tick=False):
        page = client.get("/en/costs/report/", {"year": "2025", "month": "3"})
        body = page.content.decode()
        assert 'id="nothing-settled"' in body
        assert "Per agency and office" not in body  # no table of zeros
        assert "Ada Admin" in body and "ada@example.se" in body
        [(month, problem, shares)] = page.context["preliminary"]
        assert month == MONTH and problem == ""
        # the analyst sees only Försäkringskassan's preliminary share, the same as settling
        assert shares == [(w.f, expected.by_agency[w.f.pk])]
        assert "(preliminary)" in body
        index = client.get("/en/costs/").content.decode()
        assert "Months waiting to be settled" in index and "Ada Admin" in index
        client.force_login(w.admin)
        client.post("/costs/settle/", {"month": "2025-03", "confirm": "on", "accept_partial": "on"})
        client.force_login(w.fk_analyst)
        settled = client.get("/en/costs/report/", {"year": "2025", "month": "3"})
        assert settled.context["preliminary"] == []
        assert "Per agency and office" in settled.content.decode()
        # the preliminary figure was what settling charged
        assert w.f.pk in expected.by_agency
        from servicekontor.costs.models import SettlementLine

        charged = sum(
            SettlementLine.objects.filter(agency=w.f).values_list("amount_ore", flat=True)
        )
        assert charged == expected.by_agency[w.f.pk]


def test_what_if__closed_offices_apart_and_refused_for_a_month_they_were_closed(
    stats_usage, client
):
    """Walk F25: the what-if offered offices not in operation (Bollnäs, closed 2025-06-14,
    among the open ones for 2026-11), printed served visits as "17059", and did not say that
    it adds visits where a change plan moves them."""
    from servicekontor.network.models import Office

    world = stats_usage
    Office.objects.filter(pk=world.lulea.pk).update(closed_on=dt.date(2025, 2, 1))
    client.force_login(world.admin)
    with translation.override("en"):
        page = client.get("/en/costs/what-if/").content.decode()
        select = page.split('<select name="offices"', 1)[1].split("</select>", 1)[0]
        closed = select.split('<optgroup label="Closed (for a month they were open)">', 1)[1]
        assert f'value="{world.lulea.pk}"' in closed
        assert f'value="{world.lulea.pk}"' not in select.split("Closed (for", 1)[0]
        assert 'id="what-if-question"' in page and "/en/change-plans/" in page
        refused = client.get(
            "/en/costs/what-if/",
            {
                "month": "2025-03",
                "agency": world.p.pk,
                "action": "join",
                "offices": [world.lulea.pk],
                "start": "2025-03-01",
                "visits": 60,
                "minutes_per_visit": "25",
            },
        )
    assert refused.status_code == 400
    assert f"Not in operation in 2025-03: {world.lulea.name}." in refused.content.decode()


def test_outcomes__served_visits_grouped_like_every_other_figure(stats_usage, client):
    world = stats_usage
    services.settle_month(month=MONTH, by=world.admin, usage=world.usage(factor=100))
    client.force_login(world.admin)
    with translation.override("en"):
        response = client.get(
            "/en/costs/what-if/",
            {
                "month": "2025-03",
                "agency": world.p.pk,
                "action": "join",
                "offices": [world.kista.pk],
                "start": "2025-03-01",
                "visits": 60,
                "minutes_per_visit": "25",
            },
        )
    html = response.content.decode()
    big = [o.a_visits for o in response.context["outcomes"] if o.a_visits >= 1000]
    assert big
    for v in big:
        assert f">{v:,}<" in html and f">{v}<" not in html
