"""The free-times pages (choose a time, move a booking, the desk's booking page share
`_times_context`): only a day with free times is selectable, and a page past the booking
window says up to which day times can be booked and links to the first week."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from servicekontor.appointments.tests.conftest import TUESDAY, local
from tests.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "no_rate_limit")]

SATURDAY = "2025-03-15"  # the frozen week's Saturday: the office is closed
# Frozen on Monday 10 March 2025; the default window is 56 days: up to Monday 5 May.
LAST_DAY_EN = "Times at this office can be booked up to and including Monday 5 May."


def _hrefs(html: str, label: str) -> list[str]:
    return [
        href.replace("&amp;", "&")
        for href, text in re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', html)
        if text.strip() == label
    ]


@pytest.fixture(params=["choose", "reschedule", "desk"])
def times_url(request, client, office, service, django_capture_on_commit_callbacks):
    """The URL of each page that lists free times, and the query every link must keep."""
    if request.param == "choose":
        return f"/en/book/service/{service.pk}/{office.code}/", {}
    if request.param == "desk":
        client.force_login(make_user(offices=[office]))
        return f"/en/book/desk/{office.code}/book/", {"service": str(service.pk)}
    contact = reverse(
        "appointments:contact", args=[service.pk, office.code, int(local(TUESDAY, 11).timestamp())]
    )
    with django_capture_on_commit_callbacks(execute=True):
        made = client.post(contact, {"name": "A", "email": "a@example.org"})
    token = made["Location"].split("/manage/")[1].split("/")[0]
    with translation.override("en"):
        return reverse("appointments:reschedule", args=[token]), {}


def _get(client, times_url, **query):
    url, keep = times_url
    response = client.get(url, {**keep, **query})
    assert response.status_code == 200
    return response.content.decode()


def test_times__a_day_without_free_time_selects_the_first_free_day(client, times_url):
    html = _get(client, times_url, day=SATURDAY)
    assert "Free times on Saturday" not in html
    assert "Free times on Monday 10 March" in html
    (current,) = re.findall(r'<a href="([^"]*)" aria-current="date">([^<]*)</a>', html)
    assert current[1] == "Mon 10 Mar"


def test_times__a_chosen_free_day_stays_chosen(client, times_url):
    html = _get(client, times_url, day="2025-03-12")
    assert "Free times on Wednesday 12 March" in html


@pytest.mark.parametrize("query", [{"from": "2099-01-01"}, {"day": "2099-01-01"}])
def test_times__past_the_window_says_the_last_day_and_links_the_first_week(
    client, times_url, query
):
    html = _get(client, times_url, **query)
    assert LAST_DAY_EN in html
    assert "There is no free time at this office" not in html
    assert "Previous week" not in html
    (first_week,) = _hrefs(html, "Show the first week")
    assert "from=" not in first_week and "day=" not in first_week
    for key, value in times_url[1].items():
        assert f"{key}={value}" in first_week
    # The link leads to the first week's free times.
    url = times_url[0] + first_week
    page = _get(client, (url, {}))
    assert "Free times on Monday 10 March" in page


def test_times__the_window_ending_inside_the_page_is_said(client, times_url):
    html = _get(client, times_url, **{"from": "2025-05-05"})
    assert LAST_DAY_EN in html
    assert "Previous week" in html and "Next week" not in html
    assert "Show the first week" not in html


def test_times__past_the_window_in_swedish(client, office, service):
    with translation.override("sv"):
        url = reverse("appointments:times", args=[service.pk, office.code])
    html = client.get(url, {"from": "2099-01-01"})
    text = html.content.decode()
    assert "Tider på det här kontoret kan bokas till och med måndag 5 maj." in text
    assert "Visa första veckan" in text
