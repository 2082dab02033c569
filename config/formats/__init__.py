"""Date formats per language, on top of Django's own (FORMAT_MODULE_PATH).

Templates name a format, never spell one: `{{ day|date:"SHORT_DAY_FORMAT" }}` is "mån 30 nov"
on Swedish pages and "Mon 30 Nov" on English ones. Django looks a name up in these modules
first; every name used in a template must exist in every language here
(core/tests/test_date_formats.py checks that).
"""

# The names the templates use; each language module defines all of them.
CUSTOM_DATE_FORMATS = (
    "DAY_FORMAT",
    "SHORT_DAY_FORMAT",
    "DAY_TIME_FORMAT",
    "SHORT_DAY_TIME_FORMAT",
    "FULL_DATETIME_FORMAT",
)
