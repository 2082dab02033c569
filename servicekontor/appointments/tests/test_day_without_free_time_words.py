"""A day without free time on the times page says why, each reason in its own words, in
Swedish and English (walk finding 2026-12-01: a Saturday and today after closing both said
"no free time"): closed, no more times today, fully booked, not offered that day. Checked at
several clock times: before opening, open, after booking closed for today, after closing,
on a closed day and on the day the clocks go forward."""

import datetime as dt
import re

import pytest
import time_machine

from servicekontor.appointments import services
from servicekontor.appointments.models import AppointmentAllocation
from servicekontor.appointments.services import Contact
from servicekontor.core import clock

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_rate_limit")]

MONDAY = dt.date(2025, 3, 10)  # office open Mon–Fri 10–16; booking closes 2 h before


def _days(client, office, service, *, at: dt.datetime, language: str = "en") -> dict[str, str]:
    """{short day: what the page says of it} ("3 times" for a day with free times)."""
    prefix = "/en" if language == "en" else ""
    with time_machine.travel(at, tick=False):
        response = client.get(f"{prefix}/book/service/{service.pk}/{office.code}/")
    assert response.status_code == 200
    html = response.content.decode()
    days = html.split('<ul class="days">')[1].split("</ul>")[0]
    found = {}
    for item in re.findall(r"<li>(.*?)</li>", days, flags=re.S):
        text = re.sub(r"<[^>]+>", "", item).strip()
        if "(" in text:  # "Mon 10 Mar (12 times)"
            day, rest = text.split(" (", 1)
            found[day.strip()] = rest.rstrip(")")
        else:  # "Sat 15 Mar: closed"
            day, rest = text.split(": ", 1)
            found[day.strip()] = rest.strip()
    return found


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return clock.local_datetime(day, dt.time(hour, minute))


def test_before_opening__today_has_times_and_the_weekend_is_closed(client, office, service):
    days = _days(client, office, service, at=at(MONDAY, 8))
    assert days["Mon 10 Mar"] == "12 times"
    assert days["Sat 15 Mar"] == "closed"
    assert days["Sun 16 Mar"] == "closed"
    assert "no free time" not in days.values()


def test_while_open__today_keeps_its_later_times(client, office, service):
    days = _days(client, office, service, at=at(MONDAY, 11))
    assert days["Mon 10 Mar"] == "6 times"  # 13:00…15:30: booking closes 2 h before


def test_open_but_booking_closed_for_today__no_more_times_today(client, office, service):
    days = _days(client, office, service, at=at(MONDAY, 14, 30))
    assert days["Mon 10 Mar"] == "no more times today"


@pytest.mark.parametrize("hour", [16, 21])
def test_after_closing__today_is_closed(client, office, service, hour):
    days = _days(client, office, service, at=at(MONDAY, hour))
    assert days["Mon 10 Mar"] == "closed"


def test_after_closing__swedish_words(client, office, service):
    days = _days(client, office, service, at=at(MONDAY, 21), language="sv")
    assert days["mån 10 mar"] == "stängt"
    assert days["lör 15 mar"] == "stängt"


def test_every_time_taken__fully_booked(client, office, service):
    # Wednesday: one counter for bookings at 10, so two times; both taken.
    wednesday = MONDAY + dt.timedelta(days=2)
    AppointmentAllocation.objects.filter(office=office, weekday=2).delete()
    AppointmentAllocation.objects.create(office=office, weekday=2, hour=10, counters=1)
    with time_machine.travel(at(MONDAY, 8), tick=False):
        for n, minute in enumerate((0, 30)):
            services.book_appointment(
                office=office,
                service=service,
                starts_at=at(wednesday, 10, minute),
                contact=Contact(name="A", email=f"a{n}@example.org"),
            )
    days = _days(client, office, service, at=at(MONDAY, 8))
    assert days["Wed 12 Mar"] == "fully booked"
    assert _days(client, office, service, at=at(MONDAY, 8), language="sv")["ons 12 mar"] == (
        "fullbokat"
    )


def test_service_not_offered_that_day(client, office, service):
    offering = service.offerings.get(office=office)
    offering.valid_to = MONDAY + dt.timedelta(days=1)  # ends Tuesday
    offering.save()
    days = _days(client, office, service, at=at(MONDAY, 8))
    assert days["Thu 13 Mar"] == "not offered this day"
    assert days["Sat 15 Mar"] == "closed"


def test_the_day_the_clocks_go_forward(client, office, service):
    # Sunday 30 March 2025: 02:00 → 03:00. The Sunday is closed, Monday has its 12 times.
    days = _days(client, office, service, at=at(dt.date(2025, 3, 30), 3, 30))
    assert days["Sun 30 Mar"] == "closed"
    assert days["Mon 31 Mar"] == "12 times"
