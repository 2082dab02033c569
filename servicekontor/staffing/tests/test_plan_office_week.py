"""The office manager's week: page, CSV, Excel, the command; scoped as the statistics."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from servicekontor.staffing import queries
from servicekontor.staffing.tests.conftest import MONDAY, WEEK
from tests.csv_files import read_csv

pytestmark = pytest.mark.django_db


def test_week_plan__history__need_each_open_hour_shifts_cover_it(history):
    plan = queries.week_plan(office=history.office, monday=MONDAY, replications=3)
    # open Mon-Fri 10-16: 5 days x 6 hours
    assert len(plan.rows) == 30
    assert {r.hour for r in plan.rows} == set(range(10, 16))
    assert all(r.need.base >= 1 and r.need.scheduled >= r.need.base for r in plan.rows)
    assert all(r.roster == 0 and r.difference == -r.need.scheduled for r in plan.rows)
    for day in plan.days:
        assert day.plan.optimal
        rows = {r.hour: r for r in plan.rows if r.day == day.day}
        for slot, covered in enumerate(day.plan.coverage):
            minute = day.first_minute + 30 * slot
            if minute // 60 in rows and 600 <= minute < 960:
                assert covered >= rows[minute // 60].need.scheduled
    assert all(r.simulated_service_level is not None for r in plan.rows)
    promised, simulated = plan.week_service_levels()
    assert 0.8 <= promised <= 1 and simulated is not None and 0 <= simulated <= 1
    assert plan.backtest is not None and plan.backtest.wape_model >= 0


def test_week_plan__volume_plus_50_percent__needs_more(history):
    base = queries.week_plan(office=history.office, monday=MONDAY, simulate=False)
    more = queries.week_plan(
        office=history.office,
        monday=MONDAY,
        simulate=False,
        what_if=queries.WhatIf(volume_factor=1.5),
    )
    assert sum(r.need.scheduled for r in more.rows) > sum(r.need.scheduled for r in base.rows)


def test_week_plan__no_history__no_plan(world):
    with pytest.raises(queries.NoPlan):
        queries.week_plan(office=world.office, monday=MONDAY)


def test_office_page__no_history__a_page_that_says_so_not_an_error(client, world, people):
    client.force_login(people.manager)
    swedish = client.get(reverse("staffing:office", args=[world.office.code]), {"week": WEEK})
    assert swedish.status_code == 200
    body = swedish.content.decode()
    assert world.office.name in body and "ingen prognos" in body
    assert reverse("staffing:network") in body
    with translation.override("en"):
        url = reverse("staffing:office", args=[world.office.code])
    english = client.get(url, {"week": WEEK})
    assert english.status_code == 200 and "no forecast to plan" in english.content.decode()


def test_office_page__manager__heatmap_table_and_shifts(client, history, people):
    client.force_login(people.manager)
    response = client.get(reverse("staffing:office", args=[history.office.code]), {"week": WEEK})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body and "<table" in body
    # the page title is text only (a block left open once pulled the roster form into it)
    title = body.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and "csrf" not in title
    assert body.count('id="roster"') == 1


@pytest.mark.parametrize("who", ["tax_analyst", "other_manager", "officer"])
def test_office_page__not_the_manager__403(client, history, people, who):
    from tests.factories import make_user

    user = {
        "tax_analyst": people.tax_analyst,
        "other_manager": make_user(role="office_manager", offices=[history.other_office]),
        "officer": history.alice,
    }[who]
    client.force_login(user)
    url = reverse("staffing:office", args=[history.office.code])
    assert client.get(url, {"week": WEEK}).status_code == 403
    assert client.get(url.rstrip("/") + ".csv", {"week": WEEK}).status_code in (403, 404)


def test_office_csv__bom_and_rows(client, history, people):
    client.force_login(people.manager)
    response = client.get(
        reverse("staffing:office_csv", args=[history.office.code]), {"week": WEEK}
    )
    assert response.status_code == 200
    rows = read_csv(response.content)
    assert len(rows) == 31  # the header and 30 hours
    assert rows[0][0] == "Dag"  # the page's language


@pytest.mark.parametrize("language", ["sv", "en"])
def test_office_csv_and_xlsx__the_simulated_columns_as_the_page_has_them(
    client, history, people, language
):
    """Walk F2, 2 Dec 2026: the files' "Simulated service level" and "Simulated mean wait"
    were empty in every row (the files were planned without the simulation)."""
    client.force_login(people.manager)
    with translation.override(language):
        page = client.get(reverse("staffing:office", args=[history.office.code]), {"week": WEEK})
        csv_rows = read_csv(
            client.get(
                reverse("staffing:office_csv", args=[history.office.code]), {"week": WEEK}
            ).content,
            language=language,
        )
        book = load_workbook(
            io.BytesIO(
                client.get(
                    reverse("staffing:office_xlsx", args=[history.office.code]), {"week": WEEK}
                ).content
            )
        )
    simulated = [i for i, h in enumerate(page.context["header"]) if "imul" in h]
    assert len(simulated) == 2
    sheet = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert len(page.context["rows"]) == len(csv_rows) - 1 == len(sheet) == 30
    for shown, written, cells in zip(page.context["rows"], csv_rows[1:], sheet, strict=True):
        for i in simulated:
            assert shown[i] is not None and written[i] != "" and cells[i] is not None
            assert cells[i] == shown[i]
            assert written[i] == (
                str(shown[i]).replace(".", ",") if language == "sv" else str(shown[i])
            )


def test_office_xlsx__a_workbook(client, history, people):
    client.force_login(people.manager)
    response = client.get(
        reverse("staffing:office_xlsx", args=[history.office.code]), {"week": WEEK}
    )
    assert response.status_code == 200
    assert response.content[:2] == b"PK"


def test_office_page__bad_week__400(client, history, people):
    client.force_login(people.manager)
    url = reverse("staffing:office", args=[history.office.code])
    assert client.get(url, {"week": "next week"}).status_code == 400
    assert client.get(url, {"week": WEEK, "volume": "lots"}).status_code == 400


def test_staffing_plan_command__prints_hours_and_shifts(history):
    out = io.StringIO()
    call_command(
        "staffing",
        "plan",
        "--office",
        history.office.code,
        "--week",
        WEEK,
        "--replications",
        "2",
        stdout=out,
    )
    text = out.getvalue()
    assert "paid hours (optimal)" in text
    assert "week service level: promised" in text
    assert "planned in" in text


def test_staffing_plan_command__unknown_office__error(history):
    with pytest.raises(CommandError):
        call_command("staffing", "plan", "--office", "nowhere", "--week", WEEK)
    with pytest.raises(CommandError):
        call_command("staffing", "plan", "--office", history.office.code, "--week", "2026-53x")


def test_week_plan__bookings_made__raise_that_hour(history):
    import datetime as dt

    from servicekontor.appointments.models import Booking
    from servicekontor.core import clock

    before = queries.week_plan(office=history.office, monday=MONDAY, simulate=False)
    hour = {(r.day, r.hour): sum(r.arrivals.values()) for r in before.rows}
    for k in range(40):  # far more than the usual booked part of 11:00 on Monday
        Booking.objects.create(
            office=history.office,
            service=history.tax,
            day=MONDAY,
            starts_at=clock.local_datetime(MONDAY, dt.time(11, 0)),
            ends_at=clock.local_datetime(MONDAY, dt.time(11, 15)),
            code=f"B{k:05d}",
            token_hash=f"{k:064d}",
            created_at=clock.now(),
        )
    after = queries.week_plan(office=history.office, monday=MONDAY, simulate=False)
    changed = {(r.day, r.hour): sum(r.arrivals.values()) for r in after.rows}
    assert changed[(MONDAY, 11)] >= 40
    assert changed[(MONDAY, 11)] > hour[(MONDAY, 11)]
    assert changed[(MONDAY, 12)] == pytest.approx(hour[(MONDAY, 12)])


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ({"volume": "-100"}, "volume", ["Volume change (%)", "-99"]),
        ({"volume": "abc"}, "volume", ["Volume change (%)", "number"]),
        ({"volume": "901"}, "volume", ["Volume change (%)", "900"]),
        ({"level": "0.8"}, "level", ["Service level (%)", "1"]),
        ({"level": "100"}, "level", ["Service level (%)", "99"]),
        ({"week": "2025-W53"}, "week", ["Week", "YYYY-Www"]),  # 2025 has 52 weeks
        ({"week": "9999-W52"}, "week", ["Week", "2999-12-31"]),
        ({"week": "0001-W01"}, "week", ["Week", "1900-01-01"]),
        ({"week": "2026-W00"}, "week", ["Week", "YYYY-Www"]),
        ({"week": "٢٠٢٦-W10"}, "week", ["Week", "YYYY-Www"]),
    ],
)
def test_office_page__bad_input__the_form_kept_with_the_error_at_its_field(
    client, world, people, query, field, words
):
    """Walk finding F6: the error names the field as labelled (percent, not a factor), and
    the staffing page keeps the form with what the user typed (400), also for an office
    without history."""
    client.force_login(people.manager)
    with translation.override("en"):
        url = reverse("staffing:office", args=[world.office.code])
        response = client.get(url, {"week": WEEK, **query})
        body = response.content.decode()
    assert response.status_code == 400
    assert f"Staffing: {world.office.name}" in body and "<h1>Statistics" not in body
    assert f'id="{field}-error"' in body
    for word in words:
        assert word in body
    assert f'value="{query[field]}"' in body  # the input kept
    assert "factor" not in body


def test_office_csv__bad_input__400_naming_the_field(client, world, people):
    client.force_login(people.manager)
    with translation.override("en"):
        url = reverse("staffing:office_csv", args=[world.office.code])
    response = client.get(url, {"week": WEEK, "volume": "-100"})
    assert response.status_code == 400
    assert "Volume change (%)" in response.content.decode()


@pytest.mark.parametrize(
    ("prefix", "sentence"),
    [
        ("", r"Veckan: utlovad servicenivå \d{1,3},\d\xa0%, simulerad \d{1,3},\d\xa0%\."),
        ("/en", r"The week: service level promised \d{1,3}\.\d\xa0%, simulated \d{1,3}\.\d\xa0%\."),
    ],
)
def test_office_page__week_service_level_in_percent_like_the_table(
    client, history, people, prefix, sentence
):
    """Walk finding (browser, 2026-11-30): the sentence above the hourly table said "service
    level promised 0,987, simulated 0,997" while the table's columns say "(%)" and show 99,0.
    The week's levels are now percentages with one decimal, as in the table."""
    import re

    client.force_login(people.manager)
    url = prefix + reverse("staffing:office", args=[history.office.code])
    body = client.get(url, {"week": WEEK}).content.decode()
    assert re.search(sentence, body), re.findall(r"(?:Veckan|The week)[^<]*", body)
