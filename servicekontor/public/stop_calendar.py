"""An outreach stop's public iCalendar feed (`icalendar` library): one event per visit.

Subscribable: each visit has a stable UID (stop code and day), so a calendar app that reads
the feed again updates the event in place; a cancelled or diverted visit stays in the feed as
`STATUS:CANCELLED` with its reason and a higher SEQUENCE, so subscribers see it disappear
rather than silently go. The feed stays METHOD:PUBLISH: it is read again whole by its
subscribers, and holds standing and cancelled visits at once (a METHOD:CANCEL would cancel
every event in it; that method is for the booking's own file, appointments/calendar_file.py).
Times carry their Europe/Stockholm TZID (with a VTIMEZONE), so they stay on the wall clock
across DST in every client. Nothing personal: the stop's place, hours and services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from icalendar import Calendar, Event, Timezone

from servicekontor.core.clock import STOCKHOLM
from servicekontor.network.models import Office
from servicekontor.network.opening_hours import DayHours

PRODID = "-//servicekontor//outreach stop//SV"
# A visit is SEQUENCE 0; its cancellation outranks it (RFC 5545 §3.8.7.4: a change of STATUS
# raises SEQUENCE), so a calendar that imported the feed's earlier copy takes the cancellation.
CANCELLED_SEQUENCE = 1


def stop_ics(
    stop: Office,
    *,
    visits: Sequence[DayHours],
    cancelled: Sequence[DayHours],
    services: Sequence[str],
    url: str,
    stamp: dt.datetime,
    domain: str,
) -> bytes:
    """`visits` (open days) and `cancelled` (cancelled visits, with their reason) as events.

    `stamp` is DTSTAMP (the time of the feed, UTC); `url` the stop's page."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", stop.name)
    calendar.add("x-wr-timezone", "Europe/Stockholm")
    calendar.add_component(Timezone.from_tzid("Europe/Stockholm"))
    description = "\n".join(services)
    for hours in visits:
        for n, (opens, closes) in enumerate(hours.intervals):
            calendar.add_component(
                _event(stop, hours.day, n, opens, closes, description, url, stamp, domain)
            )
    for hours in cancelled:
        # Same UID as the visit it replaces: the subscriber's event turns into a cancellation.
        for n, (opens, closes) in enumerate(hours.intervals):
            event = _event(
                stop, hours.day, n, opens, closes, hours.closed_reason, url, stamp, domain
            )
            event["status"] = "CANCELLED"
            event["sequence"] = CANCELLED_SEQUENCE
            calendar.add_component(event)
    return calendar.to_ical()


def _event(
    stop: Office,
    day: dt.date,
    n: int,
    opens: dt.time,
    closes: dt.time,
    description: str,
    url: str,
    stamp: dt.datetime,
    domain: str,
) -> Event:
    event = Event()
    event.add("uid", f"stop-{stop.code}-{day:%Y%m%d}-{n}@{domain}")
    event.add("dtstamp", stamp)
    event.add("dtstart", dt.datetime.combine(day, opens, tzinfo=STOCKHOLM))
    event.add("dtend", dt.datetime.combine(day, closes, tzinfo=STOCKHOLM))
    event.add("sequence", 0)
    event.add("status", "CONFIRMED")
    event.add("summary", stop.name)
    event.add("location", stop.name_and_address)
    event.add("geo", (stop.latitude, stop.longitude))
    event.add("url", url)
    if description:
        event.add("description", description)
    return event
