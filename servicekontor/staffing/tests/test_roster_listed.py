"""Walk F27, 2 Dec 2026: after importing two shifts the page showed only "Officers on the
roster" per hour — 12:00 → 0 (officer2 works 12:00–12:30), 13:00 → 2 (officer2 on break until
13:15) — and never the shifts themselves, on the page or in the files."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from servicekontor.staffing import queries
from servicekontor.staffing.models import Shift
from servicekontor.staffing.tests.conftest import MONDAY, WEEK

pytestmark = pytest.mark.django_db


def _shifts(history):
    Shift.objects.create(
        officer=history.alice,
        office=history.office,
        day=MONDAY,
        start=dt.time(8, 30),
        end=dt.time(17),
        break_start=dt.time(12),
        break_minutes=60,
    )
    Shift.objects.create(
        officer=history.bob,
        office=history.office,
        day=MONDAY,
        start=dt.time(9),
        end=dt.time(17, 30),
        break_start=dt.time(12, 30),
        break_minutes=45,
    )


def test_roster_per_hour__each_officer_by_the_share_of_the_hour_at_work(history):
    _shifts(history)
    plan = queries.week_plan(office=history.office, monday=MONDAY, simulate=False)
    monday = {r.hour: r.roster for r in plan.rows if r.day == MONDAY}
    assert monday[11] == 2
    assert monday[12] == 0.5  # bob 12:00–12:30, alice on break
    assert monday[13] == 1.75  # alice, and bob from 13:15
    assert [s.officer for s in plan.roster] == [history.alice, history.bob]


@pytest.mark.parametrize(
    ("language", "heading", "sheet"),
    [
        ("sv", "Schemat för den planerade veckan", "Schema"),
        ("en", "The roster of the week planned", "Roster"),
    ],
)
def test_office_page_and_excel__the_shifts_listed(
    client, history, people, language, heading, sheet
):
    _shifts(history)
    client.force_login(people.manager)
    with translation.override(language):
        page = client.get(reverse("staffing:office", args=[history.office.code]), {"week": WEEK})
        xlsx = client.get(
            reverse("staffing:office_xlsx", args=[history.office.code]), {"week": WEEK}
        )
    html = page.content.decode()
    assert heading in html
    table = html.split('aria-labelledby="roster-heading"')[1].split("</table>")[0]
    assert "08:30" in table and "17:30" in table and "12:30" in table
    assert ("7,50" if language == "sv" else "7.50") in table  # alice's paid hours
    rows = [r for r in page.context["rows"] if r[0] == MONDAY.isoformat()]
    assert {r[1]: r[5] for r in rows}["13"] == 1.8  # 1.75, one decimal half up
    book = load_workbook(io.BytesIO(xlsx.content))
    assert sheet in book.sheetnames
    listed = list(book[sheet].iter_rows(min_row=2, values_only=True))
    assert [(r[2], r[3], r[4], r[5]) for r in listed] == [
        ("08:30", "17:00", "12:00", 60),
        ("09:00", "17:30", "12:30", 45),
    ]
