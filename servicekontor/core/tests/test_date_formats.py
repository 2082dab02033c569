"""The named date formats of config/formats exist in every language and read right."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import formats, translation

from config.formats import CUSTOM_DATE_FORMATS

MONDAY_30_NOVEMBER = dt.datetime(2026, 11, 30, 10, 0)


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
@pytest.mark.parametrize("name", CUSTOM_DATE_FORMATS)
def test_date_formats__every_name_is_defined_in_every_language(language, name):
    with translation.override(language):
        assert formats.get_format(name) != name  # an undefined name comes back as itself


@pytest.mark.parametrize(
    ("language", "name", "expected"),
    [
        ("sv", "SHORT_DAY_FORMAT", "mån 30 nov"),
        ("en", "SHORT_DAY_FORMAT", "Mon 30 Nov"),
        ("sv", "SHORT_DAY_TIME_FORMAT", "mån 30 nov kl. 10:00"),
        ("en", "SHORT_DAY_TIME_FORMAT", "Mon 30 Nov, 10:00"),
        ("sv", "DAY_FORMAT", "måndag 30 november"),
        ("en", "DAY_FORMAT", "Monday 30 November"),
        ("sv", "FULL_DATETIME_FORMAT", "måndag 30 november 2026 kl. 10:00"),
        ("en", "FULL_DATETIME_FORMAT", "Monday 30 November 2026, 10:00"),
    ],
)
def test_date_formats__short_and_long_dates_in_each_language(language, name, expected):
    with translation.override(language):
        assert formats.date_format(MONDAY_30_NOVEMBER, name) == expected
