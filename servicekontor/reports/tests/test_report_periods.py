"""A statistics month or year that has not begun, is running, or has no visits says so.

Walk finding (session 14): /statistics/agency/skatteverket/2027-01/ (and 1990-01) showed a
full report of zeros, and the running month read like a whole month (no "so far"), in the
page, the CSV and the Excel file; the costs report names its unsettled months (60d1bc4). Now:
a month or year after today is named as not begun (page 200 with the note, no table; CSV,
Excel and API 404 with the same words: a file cannot carry the note); the running one says
"up to and including today" on the page, in its Total row, its file names and the API's
`up_to`; a month without visits says so instead of a table of zeros.
"""

import pytest
from django.urls import reverse
from django.utils import translation

from servicekontor.reports.services import create_api_token
from tests.csv_files import read_csv

# The test's clock: Wednesday 2026-11-25 (queueing.tests.conftest.WEDNESDAY_1030).
# The world's visits are that day: its records begin then (reports.coverage).
RECORDED = "(part of the period: figures recorded from 2026-11-25)"


def _get(client, user, name, *args):
    client.force_login(user)
    with translation.override("en"):
        return client.get(reverse(f"reports:{name}", args=args))


@pytest.mark.parametrize(
    ("name", "period", "words"),
    [
        ("report", "2026-12", "The month December 2026 has not begun"),
        ("report", "2027-01", "The month January 2027 has not begun"),
        ("year", "2027", "The year 2027 has not begun"),
    ],
)
def test_not_begun__page_says_so_and_files_are_404(
    client, served_world, people, name, period, words
):
    code = served_world.skatteverket.code
    page = _get(client, people.tax_analyst, name, code, period)
    assert page.status_code == 200
    body = page.content.decode()
    assert words in body and "there are no figures yet" in body
    assert "<table" not in body
    files = ("csv", "xlsx") if name == "report" else ("year_csv", "year_xlsx")
    for file in files:
        response = _get(client, people.tax_analyst, file, code, period)
        assert response.status_code == 404, file
        assert words in response.content.decode(), file
    with translation.override("sv"):
        client.force_login(people.tax_analyst)
        swedish = client.get(reverse(f"reports:{name}", args=[code, period])).content.decode()
    assert "har inte börjat: det finns inga siffror ännu" in swedish


def test_not_begun__api_is_404_with_the_words(client, served_world, people):
    token = create_api_token(user=people.tax_analyst, name="BI")
    url = reverse("statistics-agency-report", args=[served_world.skatteverket.code, "2027-01"])
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "has not begun" in response.json()["detail"]


def test_running_month__so_far_on_the_page_total_file_name_and_api(client, served_world, people):
    code = served_world.skatteverket.code
    page = _get(client, people.tax_analyst, "report", code, "2026-11")
    body = page.content.decode()
    assert (
        "The month is not over: the figures are up to and including today, 25 November 2026" in body
    )
    # the world's records begin on the test's day too (walk F8–F10)
    assert page.context["rows"][-1][0] == f"Total up to and including 2026-11-25 {RECORDED}"
    xlsx = _get(client, people.tax_analyst, "xlsx", code, "2026-11")
    assert "statistics-skatteverket-2026-11-up-to-2026-11-25.xlsx" in xlsx["Content-Disposition"]
    token = create_api_token(user=people.tax_analyst, name="BI")
    api = client.get(
        reverse("statistics-agency-report", args=[code, "2026-11"]),
        HTTP_AUTHORIZATION=f"Bearer {token}",
    ).json()
    assert (api["up_to"], api["last_day"]) == ("2026-11-25", "2026-11-30")


def test_running_year__so_far_on_the_page_its_month_row_and_total(client, served_world, people):
    code = served_world.skatteverket.code
    page = _get(client, people.tax_analyst, "year", code, "2026")
    body = page.content.decode()
    assert (
        "The year is not over: the figures are up to and including today, 25 November 2026" in body
    )
    rows = page.context["rows"]
    assert rows[0][0] == (
        "2026-11 (up to and including 2026-11-25; part of the period: figures recorded from "
        "2026-11-25)"
    )
    assert rows[-1][0] == f"Total up to and including 2026-11-25 {RECORDED}"
    csv = _get(client, people.tax_analyst, "year_csv", code, "2026")
    assert "statistics-skatteverket-2026-months-up-to-2026-11-25.csv" in csv["Content-Disposition"]
    total = read_csv(csv.content, language="en")[-1][0]
    assert total == f"Total up to and including 2026-11-25 {RECORDED}"


@pytest.mark.parametrize("month", ["2026-10", "1990-01"])
def test_month_over_without_visits__says_none_recorded_not_a_table_of_zeros(
    client, served_world, people, month
):
    code = served_world.skatteverket.code
    page = _get(client, people.tax_analyst, "report", code, month)
    assert page.status_code == 200
    body = page.content.decode()
    assert "No visit is recorded in" in body and "<table" not in body
    assert "is not over" not in body
    csv = _get(client, people.tax_analyst, "csv", code, month)
    assert f'filename="statistics-skatteverket-{month}-offices.csv"' in csv["Content-Disposition"]
    assert read_csv(csv.content, language="en")[-1][0] == "Total"  # a whole month: no "so far"


def test_year_over_without_visits__says_none_recorded(client, served_world, people):
    page = _get(client, people.tax_analyst, "year", served_world.skatteverket.code, "2025")
    body = page.content.decode()
    assert "No visit is recorded in 2025." in body and "<table" not in body


@pytest.mark.parametrize(
    ("params", "note"),
    [
        ({"from": "2027-01-01", "to": "2027-01-31"}, "This period has not begun"),
        ({"from": "2026-11-01", "to": "2026-11-30"}, "up to and including today, 25 November"),
        ({"from": "2026-10-01", "to": "2026-10-31"}, None),
        # the default: the 30 days to today, today so far (walk F12: it did not say so)
        ({}, "up to and including today, 25 November"),
    ],
)
@pytest.mark.parametrize("who", ["admin", "tax_analyst"])
def test_dashboard__a_period_not_over_says_so(client, served_world, people, params, note, who):
    client.force_login(getattr(people, who))
    name, args = ("network", []) if who == "admin" else ("agency", ["skatteverket"])
    with translation.override("en"):
        page = client.get(reverse(f"reports:{name}", args=args), params)
    assert page.status_code == 200
    body = page.content.decode()
    if note is None:
        assert page.context["period_note"] is None and "not over" not in body
    else:
        assert note in body


# Session 15 (branch steerfix): the dashboards still drew a board of zeros under the note
# "This period has not begun", and the figures API answered a future period with rows of
# zeros. Now the dashboard shows its form with the dates asked for and the note only, and the
# API answers 404 with the words, as the monthly report does.


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2027-01-01", "to": "2027-01-31"},
        {"from": "2026-11-26", "to": "2026-11-26"},  # tomorrow alone
    ],
)
@pytest.mark.parametrize("who", ["admin", "tax_analyst"])
def test_dashboard__not_begun__the_note_and_no_figures(client, served_world, people, params, who):
    client.force_login(getattr(people, who))
    name, args = ("network", []) if who == "admin" else ("agency", ["skatteverket"])
    with translation.override("en"):
        page = client.get(reverse(f"reports:{name}", args=args), params)
    assert page.status_code == 200
    body = page.content.decode()
    assert "This period has not begun: there are no figures yet." in body
    assert page.context["board"] is None
    assert "<table" not in body and "<svg" not in body and "Key figures" not in body
    # the form keeps the period asked for
    assert f'value="{params["from"]}"' in body and f'value="{params["to"]}"' in body


def test_dashboard__today_has_begun(client, served_world, people):
    client.force_login(people.admin)
    with translation.override("en"):
        page = client.get(reverse("reports:network"), {"from": "2026-11-25", "to": "2026-12-31"})
    assert page.context["board"] is not None
    assert "up to and including today, 25 November" in page.content.decode()


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"from": "2027-01-01", "to": "2027-01-31"}, 404),
        ({"from": "2026-11-26", "to": "2026-11-30"}, 404),
        ({"from": "2026-11-25", "to": "2026-11-30"}, 200),  # begun today: figures so far
        ({"from": "2027-01-31", "to": "2027-01-01"}, 400),  # not a period: 400 before 404
    ],
)
def test_figures_api__a_period_not_begun_is_404_with_the_words(
    client, served_world, people, params, status
):
    token = create_api_token(user=people.admin, name="BI")
    response = client.get(
        reverse("statistics-figures"),
        {**params, "by": "agency"},
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == status
    if status == 404:
        assert response.json()["detail"] == "This period has not begun: there are no figures yet."


@pytest.mark.parametrize("who", ["admin", "tax_analyst"])
def test_dashboard__ending_after_today__figures_up_to_today_the_form_keeps_the_end(
    client, served_world, people, who
):
    """Its days to come are not drawn as zeros, and the year earlier compares the same days
    (a whole December last year against one running November week read as a fall)."""
    import datetime as dt

    client.force_login(getattr(people, who))
    name, args = ("network", []) if who == "admin" else ("agency", ["skatteverket"])
    with translation.override("en"):
        page = client.get(
            reverse(f"reports:{name}", args=args), {"from": "2026-11-01", "to": "2027-02-28"}
        )
    board = page.context["board"]
    assert (board.start, board.end) == (dt.date(2026, 11, 1), dt.date(2026, 11, 25))
    body = page.content.decode()
    assert 'value="2027-02-28"' in body  # the end asked for stays in the form
    assert "up to and including today, 25 November" in body
    periods = [row[0] for row in board.trend.rows]
    assert periods[-1].endswith("(so far)") and not any("December" in p for p in periods)
