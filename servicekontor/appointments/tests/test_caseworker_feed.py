"""Caseworkers' free time from an agency's iCalendar feed: events, recurrence across DST,
cancelled and transparent events, a broken feed keeps the old time."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from servicekontor.appointments import availability_feed, services
from servicekontor.appointments.models import AvailabilitySource, Caseworker, CaseworkerAvailability
from servicekontor.appointments.tests.conftest import TUESDAY, local
from tests.factories import make_agency

FEED = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//agency//free time//SV
BEGIN:VEVENT
UID:one@agency
DTSTAMP:20250301T000000Z
DTSTART;TZID=Europe/Stockholm:20250311T100000
DTEND;TZID=Europe/Stockholm:20250311T120000
END:VEVENT
BEGIN:VEVENT
UID:weekly@agency
DTSTAMP:20250301T000000Z
DTSTART;TZID=Europe/Stockholm:20250324T090000
DURATION:PT1H
RRULE:FREQ=WEEKLY;COUNT=3
EXDATE;TZID=Europe/Stockholm:20250407T090000
END:VEVENT
BEGIN:VEVENT
UID:off@agency
DTSTAMP:20250301T000000Z
DTSTART:20250312T130000Z
DTEND:20250312T140000Z
STATUS:CANCELLED
END:VEVENT
BEGIN:VEVENT
UID:busy@agency
DTSTAMP:20250301T000000Z
DTSTART:20250312T150000Z
DTEND:20250312T160000Z
TRANSP:TRANSPARENT
END:VEVENT
BEGIN:VEVENT
UID:allday@agency
DTSTAMP:20250301T000000Z
DTSTART;VALUE=DATE:20250313
END:VEVENT
END:VCALENDAR
"""

SINCE = dt.datetime(2025, 3, 10, 7, 0, tzinfo=dt.UTC)


def test_feed__free_periods__events_recurrence_across_dst_and_exclusions():
    periods = availability_feed.free_periods(FEED, since=SINCE, until=SINCE + dt.timedelta(days=60))
    assert periods == [
        (local(TUESDAY, 10), local(TUESDAY, 12)),
        # 09:00 on the wall clock: 08:00 UTC before 30 March, 07:00 UTC after.
        (dt.datetime(2025, 3, 24, 8, tzinfo=dt.UTC), dt.datetime(2025, 3, 24, 9, tzinfo=dt.UTC)),
        (dt.datetime(2025, 3, 31, 7, tzinfo=dt.UTC), dt.datetime(2025, 3, 31, 8, tzinfo=dt.UTC)),
    ]


def test_feed__not_icalendar__feed_error():
    with pytest.raises(availability_feed.FeedError):
        availability_feed.free_periods(b"<html>", since=SINCE, until=SINCE)


@pytest.mark.django_db
def test_feed__command__publishes_and_keeps_old_time_when_a_feed_breaks(frozen, monkeypatch):
    agency = make_agency()
    good = Caseworker.objects.create(
        agency=agency, external_id="a", display_name="A", calendar_url="https://feeds.example/a"
    )
    broken = Caseworker.objects.create(
        agency=agency, external_id="b", display_name="B", calendar_url="https://feeds.example/b"
    )
    CaseworkerAvailability.objects.create(
        caseworker=broken,
        starts_at=local(TUESDAY, 13),
        ends_at=local(TUESDAY, 14),
        source=AvailabilitySource.FEED,
    )

    def fetch(url):
        if url.endswith("/b"):
            raise availability_feed.FeedError("cannot fetch: ConnectTimeout")
        return FEED

    monkeypatch.setattr(availability_feed, "read_feed", fetch)
    monkeypatch.setattr(services.refresh_caseworker_feeds, "__kwdefaults__", {"fetch": fetch})
    with pytest.raises(CommandError, match="1 feed"):
        call_command("read_caseworker_feeds")
    assert good.availability.count() == 3
    assert [(a.starts_at, a.ends_at) for a in broken.availability.all()] == [
        (local(TUESDAY, 13), local(TUESDAY, 14))
    ]
