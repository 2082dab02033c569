"""Walk F25, 2 Dec 2026 (/staffing/office/kista/): "51" and "vecka 51" in the week field were
refused by the browser's own English bubble ("Please match the requested format", the input's
`pattern`); there was no week before/after, and the empty service-level field did not say
which target the plan is for."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from servicekontor.core import clock
from servicekontor.staffing import forms
from servicekontor.staffing.tests.test_plan_next_weeks import TODAY, W50, until_yesterday

pytestmark = pytest.mark.django_db
__all__ = ["until_yesterday"]  # the fixture, used by name


@pytest.mark.parametrize(
    ("typed", "monday"),
    [
        ("50", W50),
        ("v50", W50),
        ("V. 50", W50),
        ("vecka 50", W50),
        ("week 50", W50),
        ("2026-W50", W50),
        ("2", dt.date(2027, 1, 11)),  # in December: next January's
        ("45", dt.date(2026, 11, 2)),  # a few weeks back: this year's
    ],
)
def test_week_field__the_number_alone_is_the_nearest_such_week(typed, monday):
    with time_machine.travel(clock.local_datetime(TODAY, dt.time(10)), tick=False):
        form = forms.OfficeWeekForm({"week": typed})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["week"] == monday


def test_week_field__no_such_week_and_no_browser_pattern():
    with time_machine.travel(clock.local_datetime(TODAY, dt.time(10)), tick=False):
        form = forms.OfficeWeekForm({"week": "60"})
        assert not form.is_valid() and "week" in form.errors
        assert "pattern" not in str(form["week"])


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "sv",
            [
                "Vecka 2026-W51 →",
                "← Vecka 2026-W49",
                "eget servicenivåmål",
                "80\u00a0% inom 15 min",
                "Veckans nummer (51)",
            ],
        ),
        (
            "en",
            [
                "Week 2026-W51 →",
                "← Week 2026-W49",
                "own service-level target",
                "80\u00a0% within 15 min",
                "Its number (51)",
            ],
        ),
    ],
)
def test_office_page__week_by_number_weeks_around_and_the_target_named(
    until_yesterday, client, people, language, said
):
    client.force_login(people.manager)
    with (
        time_machine.travel(clock.local_datetime(TODAY, dt.time(10)), tick=False),
        translation.override(language),
    ):
        url = reverse("staffing:office", args=[until_yesterday.office.code])
        response = client.get(url, {"week": "50", "volume": "10"})
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["plan"].monday == W50
    for text in said:
        assert text in html, text
    # the links keep the what-if
    assert "?week=2026-W51&amp;volume=10" in html or "?volume=10&amp;week=2026-W51" in html
    assert 'pattern="' not in html.split("<form")[1].split("</form>")[0]
