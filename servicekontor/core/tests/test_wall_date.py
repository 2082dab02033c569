"""`wall_date` is Django's `date` filter remembered per process: the same text for every
value, format, zone and language, asked in any order."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

STOCKHOLM = ZoneInfo("Europe/Stockholm")
DATE_FORMATS = ["SHORT_DAY_FORMAT", "DAY_FORMAT", "Y-m-d"]
FORMATS = [*DATE_FORMATS, "SHORT_DAY_TIME_FORMAT", "DAY_TIME_FORMAT", "c"]


def _both(value: object, fmt: str, zone: str) -> tuple[str, str]:
    source = (
        "{% load tz wall_clock %}{% timezone zone %}{{ v|date:fmt }}|{{ v|wall_date:fmt }}"
        "{% endtimezone %}"
    )
    django, memo = (
        Template(source).render(Context({"v": value, "fmt": fmt, "zone": zone})).split("|")
    )
    return django, memo


@settings(max_examples=200, deadline=None)
@given(
    instants=st.lists(
        st.datetimes(min_value=dt.datetime(2026, 3, 28), max_value=dt.datetime(2026, 10, 27)).map(
            lambda d: d.replace(tzinfo=dt.UTC)
        ),
        min_size=1,
        max_size=4,
    ),
    fmt=st.sampled_from(FORMATS),
    zone=st.sampled_from(["Europe/Stockholm", "UTC", "America/New_York"]),
    language=st.sampled_from(["sv", "en"]),
    as_date=st.booleans(),
)
def test_wall_date__is_djangos_date_filter(instants, fmt, zone, language, as_date):
    with translation.override(language):
        for instant in instants:
            if as_date and fmt not in DATE_FORMATS:
                continue  # a time format for a date is an error in both
            value = instant.astimezone(STOCKHOLM).date() if as_date else instant
            django, memo = _both(value, fmt, zone)
            assert memo == django


def test_wall_date__equal_instants_in_other_zones_and_folds_are_not_confused():
    # 2026-10-25 00:30 UTC is 02:30 summer time, 01:30 UTC is 02:30 winter time in Stockholm.
    summer = dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)
    winter = dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)
    with translation.override("en"):
        for zone in ["UTC", "Europe/Stockholm", "UTC"]:
            for instant in [summer, winter, summer]:
                django, memo = _both(instant, "c", zone)
                assert memo == django
        assert _both(summer, "c", "Europe/Stockholm")[1] == "2026-10-25T02:30:00+02:00"
        assert _both(winter, "c", "Europe/Stockholm")[1] == "2026-10-25T02:30:00+01:00"
        assert _both(summer, "c", "UTC")[1] == "2026-10-25T00:30:00+00:00"


def test_wall_date__language_is_part_of_the_key():
    day = dt.date(2026, 11, 30)
    with translation.override("sv"):
        assert _both(day, "SHORT_DAY_FORMAT", "UTC") == ("mån 30 nov", "mån 30 nov")
    with translation.override("en"):
        assert _both(day, "SHORT_DAY_FORMAT", "UTC") == ("Mon 30 Nov", "Mon 30 Nov")
