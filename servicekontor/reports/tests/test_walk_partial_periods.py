"""Walk F8–F10: a period whose figures cover only part of it was shown like a complete one.

The world's visits are all on Wednesday 2026-11-25 (its records begin that day): November
2026 is a month with figures for part of it. An office that opened within a month, an agency
offered from a day within a year, and a comparison with a year earlier when records began
within that period read the same as whole periods. Now the page says so in words above the
figures (not a colour), the rows concerned and the Total say why after their names (page,
CSV and Excel alike, as a running period's "up to and including"), and the API gives the
same words in `part_of_period`; the dashboards say it above their figures.
"""

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from servicekontor.core.clock import STOCKHOLM
from servicekontor.network.models import Offering, Office
from servicekontor.reports.services import create_api_token
from tests.csv_files import read_csv

DECEMBER = dt.datetime(2026, 12, 10, 12, 0, tzinfo=STOCKHOLM)


def _get(client, user, name, *args, language="sv", **query):
    client.force_login(user)
    with translation.override(language):
        return client.get(reverse(f"reports:{name}", args=args), query)


@pytest.fixture
def november_over(served_world, clock_at):
    """November is over; the other office opened on 10 November (its visit on the 25th)."""
    Office.objects.filter(pk=served_world.other_office.pk).update(opened_on=dt.date(2026, 11, 10))
    clock_at.move_to(DECEMBER)
    return served_world


def test_month_report__page_note_rows_and_total_say_which_part(client, november_over, people):
    world = november_over
    code = world.skatteverket.code
    page = _get(client, people.tax_analyst, "report", code, "2026-11").content.decode()
    assert "Bara en del av perioden:" in page
    assert "siffror registrerade från 2026-11-25" in page
    other = f"{world.other_office.name} (del av perioden: öppnade 2026-11-10)"
    assert other in page
    assert "Totalt (del av perioden: siffror registrerade från 2026-11-25)" in page
    # the office open the whole month is not marked
    assert f"{world.office.name} (del av perioden" not in page


@pytest.mark.parametrize("language", ["sv", "en"])
def test_month_report__csv_and_excel_carry_the_same_marks(client, november_over, people, language):
    world = november_over
    code = world.skatteverket.code
    opened = {"sv": "öppnade 2026-11-10", "en": "opened 2026-11-10"}[language]
    part = {"sv": "del av perioden", "en": "part of the period"}[language]
    text = _get(client, people.tax_analyst, "csv", code, "2026-11", language=language)
    rows = read_csv(text.content, language=language)
    names = [r[0] for r in rows[1:]]
    assert f"{world.other_office.name} ({part}: {opened})" in names
    assert names[-1].endswith("2026-11-25)") and part in names[-1]
    book = _get(client, people.tax_analyst, "xlsx", code, "2026-11", language=language)
    cells = [
        c.value
        for sheet in openpyxl.load_workbook(io.BytesIO(book.content))
        for r in sheet
        for c in r
    ]
    assert f"{world.other_office.name} ({part}: {opened})" in cells


def test_month_report__api_says_which_part(client, november_over, people):
    world = november_over
    token = create_api_token(user=people.tax_analyst, name="BI")
    url = reverse("statistics-agency-report", args=[world.skatteverket.code, "2026-11"])
    data = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert data["part_of_period"] == "figures recorded from 2026-11-25"
    by_code = {r["code"]: r for r in data["offices"]}
    assert by_code[world.other_office.code]["part_of_period"] == "opened 2026-11-10"
    assert by_code[world.office.code]["part_of_period"] == ""
    assert by_code[world.other_office.code]["name"] == world.other_office.name  # data, unmarked


def test_year_report__agency_offered_from_mid_year_and_the_first_month(
    client, november_over, people
):
    """Skatteverket offered from 1 March 2026 (an agency added mid-year), records from
    25 November: the year's Total and the month of November say so; page and CSV."""
    world = november_over
    Offering.objects.filter(service__agency=world.skatteverket).update(
        valid_from=dt.date(2026, 3, 1)
    )
    code = world.skatteverket.code
    page = _get(client, people.tax_analyst, "year", code, "2026").content.decode()
    # the year runs (the clock: 10 December): its Total says both
    assert (
        "Totalt t.o.m. 2026-12-10 (del av perioden: siffror registrerade från 2026-11-25; "
        "erbjuds från 2026-03-01)" in page
    )
    # an office opened after the agency's first day there says only when it opened
    assert f"{world.other_office.name} (del av perioden: öppnade 2026-11-10)" in page
    assert "2026-11 (del av perioden: siffror registrerade från 2026-11-25)" in page
    assert f"{world.skatteverket.name}: siffror registrerade från 2026-11-25; erbjuds" in page
    rows = read_csv(_get(client, people.tax_analyst, "year_csv", code, "2026").content)
    assert rows[1][0] == "2026-11 (del av perioden: siffror registrerade från 2026-11-25)"
    assert "erbjuds från 2026-03-01" in rows[-1][0]


def test_a_whole_period_is_not_marked(client, served_world, people, clock_at):
    """Records from 25 November; the office open all along: December 2026, once over, is
    whole (no visits: the report says so), and the network's note is absent for it."""
    clock_at.move_to(dt.datetime(2027, 1, 10, 12, 0, tzinfo=STOCKHOLM))
    page = _get(
        client, people.admin, "network", **{"from": "2026-12-01", "to": "2026-12-31"}
    ).content.decode()
    assert "Bara en del av perioden" not in page
    assert "del av perioden:" not in page


@pytest.mark.parametrize(
    ("name", "user", "args"),
    [("network", "admin", ()), ("agency", "tax_analyst", ("skatteverket",))],
)
def test_dashboards__say_which_part_above_the_figures(
    client, november_over, people, name, user, args
):
    query = {"from": "2026-11-01", "to": "2026-11-30"}
    page = _get(client, getattr(people, user), name, *args, **query).content.decode()
    assert "Bara en del av perioden:" in page
    assert "siffror registrerade från 2026-11-25" in page
    assert f"{november_over.other_office.name}: öppnade 2026-11-10" in page
    english = _get(
        client, getattr(people, user), name, *args, language="en", **query
    ).content.decode()
    assert "Part of the period only:" in english and "figures recorded from 2026-11-25" in english


def test_dashboard__a_year_earlier_covers_part_of_that_period(
    client, served_world, people, clock_at
):
    clock_at.move_to(dt.datetime(2027, 12, 10, 12, 0, tzinfo=STOCKHOLM))
    page = _get(
        client, people.admin, "network", **{"from": "2027-11-01", "to": "2027-11-30"}
    ).content.decode()
    assert "Ett år tidigare finns siffror först från 2026-11-25" in page


def test_office_dashboard__an_office_opened_within_the_twelve_weeks(client, november_over, people):
    world = november_over
    Office.objects.filter(pk=world.office.pk).update(opened_on=dt.date(2026, 10, 5))
    # the last 12 weeks chosen: by default they begin with the figures, 2026-11-25 (walk F12)
    twelve_weeks = {"from": "2026-09-21", "to": "2026-12-10"}
    page = _get(client, people.manager, "office", world.office.code, **twelve_weeks)
    page = page.content.decode()
    assert f"{world.office.name}: öppnade 2026-10-05" in page
    assert "siffror registrerade från 2026-11-25" in page


def test_dashboard_trend__cut_periods_and_the_first_of_records_say_so(
    client, november_over, people
):
    """The trend's table: a month the period cuts (from the 15th) and the month in which
    records begin are marked, as the running one says "(so far)"; whole months are not."""
    query = {"from": "2026-05-15", "to": "2026-11-30"}  # 200 days: by month
    page = _get(client, people.admin, "network", **query)
    rows = [r[0] for r in page.context["trend_chart"].rows]
    assert rows[0].endswith("(del av perioden: från 2026-05-15)")
    assert rows[-1].endswith("(del av perioden: siffror registrerade från 2026-11-25)")
    assert all("(" not in r for r in rows[1:-1])
    weeks = _get(client, people.admin, "network", **{"from": "2026-10-15", "to": "2026-11-30"})
    rows = [r[0] for r in weeks.context["trend_chart"].rows]
    assert rows[0].endswith("(del av perioden: från 2026-10-15)")
    assert rows[-2].endswith("(del av perioden: siffror registrerade från 2026-11-25)")
    assert rows[-1].endswith("(del av perioden: till och med 2026-11-30)")


@pytest.mark.parametrize(
    ("name", "user", "args"),
    [("network", "admin", ()), ("agency", "tax_analyst", ("skatteverket",))],
)
def test_dashboards__the_ranked_offices_table_marks_an_office_opened_within(
    client, november_over, people, name, user, args
):
    world = november_over
    query = {"from": "2026-11-01", "to": "2026-11-30"}
    page = _get(client, getattr(people, user), name, *args, **query)
    rows = [r[0] for r in page.context["ranked_chart"].rows]
    assert f"{world.other_office.name} (del av perioden: öppnade 2026-11-10)" in rows
    assert world.office.name in rows  # open the whole month: as it is
    # the board's own rows are not changed (a board may be kept and shown again)
    assert world.other_office.name in [r[0] for r in page.context["board"].ranked.rows]


@pytest.fixture
def closing_after_today(served_world, clock_at):
    """The year runs (today 10 December 2026); the other office closes on 20 December."""
    Office.objects.filter(pk=served_world.other_office.pk).update(closed_on=dt.date(2026, 12, 20))
    clock_at.move_to(DECEMBER)
    return served_world


def test_running_year__one_caveat_rule_a_closing_after_today_marks_nothing(
    client, closing_after_today, people
):
    """Walk F19 (session 18): two rules decided the yearly report's caveats and disagreed —
    "the year is not over: figures up to today" and "part of the period only: closed from
    2026-12-20", judged on the whole year, days the figures do not claim to cover. One rule
    now (`agency_report.covered`): the caveats judge the days the figures cover, up to today,
    on the page, in the files and in the API alike."""
    world = closing_after_today
    code = world.skatteverket.code
    closed = "2026-12-20"
    with translation.override("en"):
        page = _get(client, people.tax_analyst, "year", code, "2026", language="en")
    body = page.content.decode()
    assert "The year is not over" in body
    assert closed not in body
    assert f"{world.other_office.name} (part of the period" not in body
    rows = read_csv(_get(client, people.tax_analyst, "year_csv", code, "2026").content)
    assert not any(closed in cell for row in rows for cell in row)
    token = create_api_token(user=people.tax_analyst, name="BI")
    url = reverse("statistics-agency-year", args=[code, "2026"])
    data = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en").json()
    # (the records begin on 2026-11-25: that part stays, it is within the days covered)
    assert data["part_of_period"] == "figures recorded from 2026-11-25"
    assert all(o["part_of_period"] == "" for o in data["offices"])
    assert not any(closed in m["part_of_period"] for m in data["months"])
    # the running month's report alike
    month = _get(client, people.tax_analyst, "report", code, "2026-12", language="en")
    if month.status_code == 200:
        assert closed not in month.content.decode()


def test_year_over__a_closing_within_it_is_still_marked(client, served_world, people, clock_at):
    """The same closing once the year is over: the figures cover all of it, and the office's
    row says it closed within it (the rule judges the days covered, not "never")."""
    Office.objects.filter(pk=served_world.other_office.pk).update(closed_on=dt.date(2026, 12, 20))
    clock_at.move_to(dt.datetime(2027, 1, 10, 12, 0, tzinfo=STOCKHOLM))
    page = _get(client, people.tax_analyst, "year", served_world.skatteverket.code, "2026")
    body = page.content.decode()
    assert "stängt från 2026-12-20" in body or "stängd från 2026-12-20" in body
