"""The named date formats of config/formats exist in every language and read right."""

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.template import Context, Template
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


# --- Django's own names: English pages read day-month-year and a 24-hour clock -------------

AFTERNOON = dt.datetime(2026, 9, 14, 15, 5)


@pytest.mark.parametrize(
    ("language", "name", "expected"),
    [
        ("en", "DATE_FORMAT", "14 September 2026"),
        ("en", "DATETIME_FORMAT", "14 September 2026 15:05"),
        ("en", "TIME_FORMAT", "15:05"),
        ("en", "SHORT_DATE_FORMAT", "2026-09-14"),
        ("en", "SHORT_DATETIME_FORMAT", "2026-09-14 15:05"),
        ("en", "MONTH_DAY_FORMAT", "14 September"),
        ("en", "YEAR_MONTH_FORMAT", "September 2026"),
        ("sv", "DATE_FORMAT", "14 september 2026"),
        ("sv", "DATETIME_FORMAT", "14 september 2026 15:05"),
        ("sv", "TIME_FORMAT", "15:05"),
        ("sv", "SHORT_DATE_FORMAT", "2026-09-14"),
        ("sv", "YEAR_MONTH_FORMAT", "september 2026"),
    ],
)
def test_date_formats__djangos_names(language, name, expected):
    with translation.override(language):
        assert formats.date_format(AFTERNOON, name) == expected


@pytest.mark.parametrize("language", ["sv", "en"])
def test_date_formats__the_week_starts_on_monday(language):
    with translation.override(language):
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "14 September 2026|14 September 2026 15:05|15:05|2026-09-14"),
        ("sv", "14 september 2026|14 september 2026 15:05|15:05|2026-09-14"),
    ],
)
def test_date_formats__a_date_shown_without_a_format(language, expected):
    # `{{ day }}` and `|date` with no argument: what most pages do with a date or an instant.
    source = "{{ day }}|{{ instant }}|{{ instant.time }}|{{ day|date:'SHORT_DATE_FORMAT' }}"
    with translation.override(language):
        rendered = Template(source).render(Context({"day": AFTERNOON.date(), "instant": AFTERNOON}))
    assert rendered == expected


@pytest.mark.parametrize(
    ("language", "grain", "expected"),
    [
        ("en", "day", "2026-11-02"),
        ("sv", "day", "2026-11-02"),
        ("en", "month", "November 2026"),
        ("sv", "month", "november 2026"),
    ],
)
def test_date_formats__chart_axis_labels(language, grain, expected):
    from servicekontor.reports.dashboards import _label

    with translation.override(language):
        assert _label(dt.date(2026, 11, 2), grain) == expected


# --- real pages, each staff role, in English and Swedish -----------------------------------

# US formats: "a.m."/"p.m.", month-first numbers ("11/02/2026"), AP-style abbreviations
# ("Sept. 14", "Nov. 2") and "November 2, 2026".
US_FORMAT = re.compile(
    r"\b[ap]\.m\.|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
    r"|\b(?:Jan|Feb|Aug|Sept|Oct|Nov|Dec)\. \d"
    r"|\b(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December) \d{1,2}, \d{4}"
)
# A day and an English month: "14 September" (Swedish: "14 september"; a capital only starts
# a sentence or a link, as the admin's "November 2026").
ENGLISH_DAY_MONTH = re.compile(
    r"\b\d{1,2} (?:January|February|March|April|May|June|July|August|September|October"
    r"|November|December)\b"
)
SWEDISH_DATE = re.compile(
    r"\b\d{1,2} (?:januari|februari|mars|april|maj|juni|juli|augusti|september|oktober"
    r"|november|december) \d{4}\b"
)
MONDAY_10 = dt.datetime(2026, 11, 30, 10, tzinfo=ZoneInfo("Europe/Stockholm"))
# Not pages, or pages that change something when asked.
_SKIP = re.compile(r"/i18n/|logout|export|\.csv|\.xlsx|\.ics|/api/|/print/|/display/|/queue/")


def _visible(html: str) -> str:
    """The page's text and attribute values a reader meets, without scripts and tokens."""
    html = re.sub(r"<script\b.*?</script>", " ", html, flags=re.S)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', " ", html)


def _pages(client, starts: list[str], *, follow: int) -> dict[str, str]:
    """The start pages (each must answer 200) and up to `follow` pages they link to, in the
    start pages' language: {path: html}."""
    seen: dict[str, str] = {}
    queue = list(starts)
    prefix = "/en/" if starts[0].startswith("/en/") else "/"
    while queue and len(seen) < len(starts) + follow:
        path = queue.pop(0)
        if path in seen:
            continue
        response = client.get(path)
        if path in starts:
            assert response.status_code == 200, path
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            seen[path] = ""
            continue
        html = response.content.decode()
        seen[path] = html
        for href in re.findall(r'href="([^"#?]*(?:\?[^"#]*)?)"', html):
            href = href.replace("&amp;", "&")
            if href.startswith(prefix) and not _SKIP.search(href):
                if prefix == "/" and href.startswith("/en/"):
                    continue
                queue.append(href)
    return seen


@pytest.fixture
def demo(db, settings):
    """The demo: the real reference data, one account per role, a live office (Kista) with a
    queue and bookings, cost pools; a settled month; a desk taken by the officer."""
    from servicekontor.accounts.models import User
    from servicekontor.costs.models import Settlement
    from servicekontor.network.models import ServicePoint
    from servicekontor.network.reference_data import load_reference_data
    from servicekontor.queueing import services

    settings.DEMO = True
    load_reference_data(settings.REFERENCE_DATA_DIR)
    with time_machine.travel(MONDAY_10, tick=False):
        call_command("load_demo", stdout=io.StringIO())
        officer = User.objects.get(username="officer")
        desk = ServicePoint.objects.filter(office__code="kista", is_active=True).earliest("pk")
        services.sign_in_at_desk(officer=officer, service_point=desk)
        Settlement.objects.create(
            month=dt.date(2026, 10, 1),
            settled_by=User.objects.get(username="admin"),
            pools_ore=100_000,
        )
    with time_machine.travel(MONDAY_10.replace(hour=14, minute=35), tick=False):
        yield {name: User.objects.get(username=name) for name in _STARTS}


_STARTS = {
    "officer": ["staff/", "desk/", "desk/kista/", "book/desk/kista/book/"],
    "manager": [
        "staff/",
        "desk/kista/live/",
        "statistics/office/kista/",
        "statistics/office/kista/?from=2026-11-01&to=2026-11-30",
        "staffing/office/kista/",
    ],
    "admin": [
        "staff/",
        "statistics/network/",
        "statistics/network/?from=2025-06-01&to=2026-11-30",
        "costs/",
        "costs/report/?year=2026&month=10",
        "change-plans/",
        "staffing/network/",
        "planning/",
        "handovers/",
    ],
    "analyst": [
        "statistics/agency/skatteverket/",
        "statistics/agency/skatteverket/2026-10/",
    ],
}


@pytest.mark.parametrize("role", list(_STARTS))
def test_date_formats__english_staff_pages_have_no_us_formats(client, demo, role):
    client.force_login(demo[role])
    pages = _pages(client, ["/en/" + path for path in _STARTS[role]], follow=25)
    found = {
        path: sorted({m.group(0) for m in US_FORMAT.finditer(_visible(html))})
        for path, html in pages.items()
    }
    assert {path: hits for path, hits in found.items() if hits} == {}
    assert len([html for html in pages.values() if html]) > len(_STARTS[role])


# The admin has no English: its addresses carry no language, so it is always Swedish.
_ADMIN = {
    "admin": ["admin/appointments/booking/", "admin/queueing/visit/", "admin/costs/settlement/"],
}


@pytest.mark.parametrize("role", list(_STARTS))
def test_date_formats__swedish_staff_pages_unchanged(client, demo, role):
    client.force_login(demo[role])
    starts = ["/" + path for path in _STARTS[role] + _ADMIN.get(role, [])]
    pages = _pages(client, starts, follow=10)
    for path, html in pages.items():
        text = re.sub(r"<[^>]*>", " ", _visible(html))
        assert not US_FORMAT.search(text), path
        assert not ENGLISH_DAY_MONTH.search(text), path


def test_date_formats__statistics_period_in_each_language(client, demo):
    client.force_login(demo["manager"])
    english = _visible(client.get("/en/statistics/office/kista/").content.decode())
    swedish = _visible(client.get("/statistics/office/kista/").content.decode())
    # the default period: the last 12 weeks, or from the first recorded day when the figures
    # begin later (the demo's do: walk F12, decision 0100)
    assert re.search(
        r"(The last 12 weeks|Since the figures begin) "
        r"\(\d{1,2} [A-Z][a-z]+ 2026 – \d{1,2} [A-Z][a-z]+ 2026\)",
        english,
    )
    assert SWEDISH_DATE.search(swedish)


def test_date_formats__an_instant_on_a_staff_page_reads_24_hour(client, demo):
    # The costs page's "Settled" column shows the instant as it is (`{{ s.settled_at }}`).
    client.force_login(demo["admin"])
    english = client.get("/en/costs/").content.decode()
    assert "30 November 2026 10:00" in english
    swedish = client.get("/costs/").content.decode()
    assert "30 november 2026 10:00" in swedish
