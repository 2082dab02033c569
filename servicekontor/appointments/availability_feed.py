"""Caseworkers' free time from an agency's iCalendar feed (the alternative to the API).

Each VEVENT in the feed is one free period (DTSTART–DTEND, or DTSTART + DURATION); a
recurring one (RRULE, with EXDATE) is expanded with python-dateutil up to the horizon;
cancelled events (STATUS:CANCELLED) and ones marked TRANSP:TRANSPARENT are not free time.
Times without a zone are Stockholm wall-clock times; all-day events are ignored (a free
*day* says nothing about which hours). Parsing is pure (`free_periods`); reading the feeds
on a schedule is `manage.py read_caseworker_feeds` (`read_feed`).
"""

from __future__ import annotations

import datetime as dt
import logging

from dateutil import rrule
from icalendar import Calendar

from servicekontor.core.clock import STOCKHOLM

logger = logging.getLogger(__name__)
FETCH_TIMEOUT_S = 10
MAX_FEED_BYTES = 2 * 1024 * 1024


class FeedError(ValueError):
    """The feed cannot be read as iCalendar (the message says why)."""


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=STOCKHOLM)
    return value.astimezone(dt.UTC)


def free_periods(
    ics: bytes, *, since: dt.datetime, until: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The feed's free periods overlapping [since, until), sorted; raises FeedError."""
    try:
        calendar = Calendar.from_ical(ics)
    except ValueError as exc:
        raise FeedError(f"not iCalendar: {exc}") from None
    periods = set()
    for event in calendar.walk("VEVENT"):
        if str(event.get("status", "")).upper() == "CANCELLED":
            continue
        if str(event.get("transp", "")).upper() == "TRANSPARENT":
            continue
        start = event.decoded("dtstart", None)
        if not isinstance(start, dt.datetime):
            continue  # all-day or missing
        if "dtend" in event:
            end = event.decoded("dtend")
            if not isinstance(end, dt.datetime):
                continue
            duration = _aware(end) - _aware(start)
        elif "duration" in event:
            duration = event.decoded("duration")
        else:
            continue
        if duration <= dt.timedelta(0):
            continue
        starts = [start]
        if "rrule" in event:
            wall = start.replace(tzinfo=None) if start.tzinfo else start
            zone = start.tzinfo or STOCKHOLM
            rule_text = event["rrule"].to_ical()
            rule = rrule.rrulestr(
                rule_text.decode() if isinstance(rule_text, bytes) else str(rule_text),
                dtstart=wall,
            )
            excluded = set()
            for exdates in (
                event.get("exdate", [])
                if isinstance(event.get("exdate"), list)
                else [event.get("exdate")]
                if event.get("exdate")
                else []
            ):
                for d in exdates.dts:
                    excluded.add(_aware(d.dt) if isinstance(d.dt, dt.datetime) else d.dt)
            lower = since.astimezone(zone).replace(tzinfo=None) - duration
            upper = until.astimezone(zone).replace(tzinfo=None)
            # Wall-clock recurrence: 09:00 every Monday stays 09:00 across DST.
            starts = [
                s.replace(tzinfo=zone)
                for s in rule.between(lower, upper, inc=True)
                if _aware(s.replace(tzinfo=zone)) not in excluded
            ]
        for s in starts:
            begin = _aware(s)
            end_at = begin + duration
            if begin < until and end_at > since:
                periods.add((begin, end_at))
    return sorted(periods)


def read_feed(url: str) -> bytes:
    """GET the feed (timeout, size cap); raises FeedError."""
    import requests

    try:
        response = requests.get(url, timeout=FETCH_TIMEOUT_S, stream=True)
        response.raise_for_status()
        body = response.raw.read(MAX_FEED_BYTES + 1, decode_content=True)
    except requests.RequestException as exc:
        raise FeedError(f"cannot fetch: {exc.__class__.__name__}") from None
    if len(body) > MAX_FEED_BYTES:
        raise FeedError("larger than 2 MB")
    return bytes(body)
