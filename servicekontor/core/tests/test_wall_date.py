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
# Django's own names too (config/formats/en sets them: "14 September 2026", not "Sept. 14,
# 2026"), and None: the filter's default, DATE_FORMAT.
DATE_FORMATS = [
    "SHORT_DAY_FORMAT",
    "DAY_FORMAT",
    "Y-m-d",
    None,
    "DATE_FORMAT",
    "SHORT_DATE_FORMAT",
    "MONTH_DAY_FORMAT",
    "YEAR_MONTH_FORMAT",
]
FORMATS = [
    *DATE_FORMATS,
    "SHORT_DAY_TIME_FORMAT",
    "DAY_TIME_FORMAT",
    "c",
    "DATETIME_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "TIME_FORMAT",
]


def _both(value: object, fmt: str | None, zone: str) -> tuple[str, str]:
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


def test_wall_date__english_uses_the_unambiguous_formats():
    day = dt.date(2026, 9, 14)
    afternoon = dt.datetime(2026, 9, 14, 13, 5, tzinfo=dt.UTC)  # 15:05 in Stockholm
    with translation.override("en"):
        assert _both(day, None, "UTC") == ("14 September 2026", "14 September 2026")
        assert _both(day, "SHORT_DATE_FORMAT", "UTC")[1] == "2026-09-14"
        assert _both(afternoon, "DATETIME_FORMAT", "Europe/Stockholm")[1] == (
            "14 September 2026 15:05"
        )
        assert _both(afternoon, "TIME_FORMAT", "Europe/Stockholm")[1] == "15:05"
    with translation.override("sv"):
        assert _both(day, None, "UTC") == ("14 september 2026", "14 september 2026")


def test_wall_date__forgets_what_it_formatted_when_the_formats_change(settings):
    day = dt.date(2026, 9, 14)
    with translation.override("en"):
        assert _both(day, "SHORT_DATE_FORMAT", "UTC")[1] == "2026-09-14"
        settings.FORMAT_MODULE_PATH = None  # Django's own English formats: month first
        django, memo = _both(day, "SHORT_DATE_FORMAT", "UTC")
        assert memo == django == "09/14/2026"
