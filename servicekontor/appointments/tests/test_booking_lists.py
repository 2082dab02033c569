"""The booking pages' long lists are written out in Python (`appointments.templatetags.
booking_lists`, decision 0067): the HTML must be byte for byte what the template loops
rendered. `OLD_*` are the loops as they were, the reference; Hypothesis makes the lists
(offices with text needing escaping, outreach stops, distances or none, earliest times or
none, the night the clocks go back, days with and without times, the page's query), in
Swedish and English; the pages themselves are compared whole with the old templates."""

import datetime as dt
import re

import pytest
from django.db import DEFAULT_DB_ALIAS
from django.http import QueryDict
from django.template import engines
from django.test import RequestFactory
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from servicekontor.appointments.capacity import NoTime, Slot
from servicekontor.appointments.queries import DayFree, OfficeChoice
from servicekontor.appointments.tests.conftest import TUESDAY
from servicekontor.network import registry_cache
from servicekontor.network.models import Office, OfficeKind
from tests.factories import make_offering, make_office

HOSTILE = "Skatt <b>&amp; \"citat\" 'o' åäö</b>"

OLD_OFFICES = """{% load i18n tz wall_clock %}{% timezone "Europe/Stockholm" %}<ul class="office-list">
{% translate "earliest free time:" as earliest_label %}{% translate "no free time in the booking period" as no_time %}{% for choice in choices %}
  <li>
    <a href="{{ times_prefix }}{{ choice.office.code }}/">{{ choice.office.name }}</a>{% if choice.office.is_outreach %} <span class="tag">{% translate "Outreach stop" %}</span>{% endif %}
    {% if choice.distance_km is not None %}({{ choice.distance_km|floatformat:0 }} km){% endif %}
    — {% if choice.earliest %}{{ earliest_label }} {{ choice.earliest.start|wall_date:"SHORT_DAY_TIME_FORMAT" }}{% else %}{{ no_time }}{% endif %}
  </li>
{% empty %}
  <li>{% translate "No office offers this service for booking." %}</li>
{% endfor %}
</ul>
{% endtimezone %}"""
NEW_OFFICES = """{% load i18n tz booking_lists %}{% timezone "Europe/Stockholm" %}<ul class="office-list">
{% if choices %}{% office_choice_items choices times_prefix %}{% else %}
  <li>{% translate "No office offers this service for booking." %}</li>
{% endif %}
</ul>
{% endtimezone %}"""

OLD_TIMES = """{% load wall_clock %}<ul class="times" aria-labelledby="times-heading">
  {% for slot in selected.slots %}
  <li><a href="{{ contact_prefix }}{{ slot.epoch }}/">{{ slot.start|wall_time }}–{{ slot.end|wall_time }}</a></li>
  {% endfor %}
</ul>"""
NEW_TIMES = """{% load booking_lists %}<ul class="times" aria-labelledby="times-heading">
  {% time_links selected.slots contact_prefix %}
</ul>"""

OLD_DAYS = """{% load i18n tz wall_clock %}{% timezone "Europe/Stockholm" %}  <ul class="days">
  {% for d in days %}
    <li>{% if d.slots %}<a href="{% querystring days_query from=first|wall_date:'Y-m-d' day=d.day|wall_date:'Y-m-d' %}"{% if selected and selected.day == d.day %} aria-current="date"{% endif %}>{{ d.day|wall_date:"SHORT_DAY_FORMAT" }}</a> ({% blocktranslate count n=d.slots|length %}{{ n }} time{% plural %}{{ n }} times{% endblocktranslate %}){% else %}{{ d.day|wall_date:"SHORT_DAY_FORMAT" }}: {{ d.no_time_words }}{% endif %}</li>
  {% endfor %}
  </ul>{% endtimezone %}"""
NEW_DAYS = """{% load tz booking_lists %}{% timezone "Europe/Stockholm" %}  <ul class="days">
  {% day_links days days_query first selected %}
  </ul>{% endtimezone %}"""


def _both(old: str, new: str, context: dict, language: str) -> tuple[str, str]:
    engine = engines["django"]
    with translation.override(language):
        return (
            str(engine.from_string(old).render(dict(context))),
            str(engine.from_string(new).render(dict(context))),
        )


# Around the night the clocks go back (2026-10-25) and ordinary days.
_INSTANT = st.one_of(
    st.datetimes(
        min_value=dt.datetime(2026, 10, 24, 22),
        max_value=dt.datetime(2026, 10, 25, 3),
        timezones=st.just(dt.UTC),
    ),
    st.datetimes(
        min_value=dt.datetime(2020, 1, 1),
        max_value=dt.datetime(2035, 12, 31),
        timezones=st.just(dt.UTC),
    ),
).map(lambda t: t.replace(second=0, microsecond=0))
_SLOT = st.builds(
    lambda start, minutes, free: Slot(
        start=start, end=start + dt.timedelta(minutes=minutes), capacity=3, free=free
    ),
    _INSTANT,
    st.sampled_from([10, 15, 30, 60]),
    st.integers(1, 3),
)
_TEXT = st.one_of(st.just(HOSTILE), st.just(""), st.text(max_size=20))


def _office(pk: int, code: str, name: str, outreach: bool) -> Office:
    kind = OfficeKind.OUTREACH if outreach else OfficeKind.OFFICE
    return Office.from_db(DEFAULT_DB_ALIAS, ["id", "code", "name", "kind"], [pk, code, name, kind])


_CHOICE = st.builds(
    lambda pk, code, name, outreach, km, earliest: OfficeChoice(
        office=_office(pk, code, name, outreach), distance_km=km, earliest=earliest
    ),
    st.integers(1, 10**6),
    st.sampled_from(["kiruna", "stockholm-city", "a<b&c"]),
    _TEXT,
    st.booleans(),
    st.one_of(st.none(), st.floats(0, 2500), st.sampled_from([0.5, 1.5, 2.5, 99.49999])),
    st.one_of(st.none(), _SLOT),
)


@settings(max_examples=150, deadline=None)
@given(
    choices=st.lists(_CHOICE, max_size=5),
    prefix=st.sampled_from(["/sv/book/service/7/", "/en/book/service/7/", "/x?a=1&b=<"]),
    language=st.sampled_from(["sv", "en"]),
)
def test_office_list_renders_as_the_old_loop(choices, prefix, language):
    old, new = _both(
        OLD_OFFICES, NEW_OFFICES, {"choices": choices, "times_prefix": prefix}, language
    )
    assert new == old


@settings(max_examples=150, deadline=None)
@given(
    slots=st.lists(_SLOT, max_size=6),
    prefix=st.sampled_from(["/sv/book/service/7/kiruna/", "/x?a=1&b=<"]),
    language=st.sampled_from(["sv", "en"]),
)
def test_time_list_renders_as_the_old_loop(slots, prefix, language):
    context = {"selected": DayFree(day=TUESDAY, slots=slots), "contact_prefix": prefix}
    old, new = _both(OLD_TIMES, NEW_TIMES, context, language)
    assert new == old


_QUERY = st.sampled_from(
    ["", "day=2026-10-25", "from=2026-10-19&day=2026-10-20", "service=4", "a=1&a=2&b=<>&c="]
)


@settings(max_examples=150, deadline=None)
@given(
    first=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31)),
    counts=st.lists(st.integers(0, 3), max_size=7),
    chosen=st.one_of(st.none(), st.integers(0, 6)),
    query=_QUERY,
    language=st.sampled_from(["sv", "en"]),
    why=st.sampled_from(["", *[str(reason) for reason in NoTime]]),
)
def test_day_list_renders_as_the_old_loop(first, counts, chosen, query, language, why):
    moment = dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC)
    slot = Slot(start=moment, end=moment + dt.timedelta(minutes=15), capacity=1, free=1)
    days = [  # a day without times says why (closed, fully booked…)
        DayFree(day=first + dt.timedelta(days=i), slots=[slot] * n, no_time="" if n else why)
        for i, n in enumerate(counts)
    ]
    selected = days[chosen] if chosen is not None and chosen < len(days) else None
    context = {
        "days": days,
        "days_query": QueryDict(query),
        "first": first,
        "selected": selected,
    }
    old, new = _both(OLD_DAYS, NEW_DAYS, context, language)
    assert new == old


@pytest.mark.parametrize(
    ("language", "words"), [("sv", "(1\xa0234 tider)"), ("en", "(1,234 times)")]
)
def test_many_times_are_counted_in_the_plural(language: str, words: str) -> None:
    """ "1 time", "2 times", and a count past a thousand grouped as every other figure on the
    pages (the old loop's blocktranslate did not group it: "1234 times")."""
    moment = dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC)
    slot = Slot(start=moment, end=moment, capacity=1, free=1)
    first = dt.date(2026, 3, 10)
    days = [
        DayFree(day=first + dt.timedelta(days=i), slots=[slot] * n)
        for i, n in enumerate([1, 2, 1234])
    ]
    context = {"days": days, "days_query": QueryDict(""), "first": first, "selected": days[0]}
    old, new = _both(OLD_DAYS, NEW_DAYS, context, language)
    assert words in new
    assert new == old.replace(words.replace("\xa0", "").replace(",", ""), words)


def _root(language: str) -> str:
    """Swedish pages have no language prefix."""
    return "/" if language == "sv" else f"/{language}/"


_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _same_token(html: str) -> str:
    return _TOKEN.sub('name="csrfmiddlewaretoken" value="token"', html)


def _old_page(name: str, swaps: list[tuple[str, str]]) -> str:
    """The page's template as it was: the current file with its lists put back as loops."""
    engine = engines["django"].engine  # type: ignore[attr-defined]
    with open(engine.find_template(name)[0].origin.name) as file:
        text = file.read()
    for new, old in swaps:
        assert new in text, new
        text = text.replace(new, old)
    return text


def _loops_of(old: str, new: str) -> tuple[str, str]:
    """(the tag's lines in the page, the loop's lines) from the fragments above."""

    def body(fragment: str) -> str:
        fragment = re.sub(r"^\{% load [^%]*%\}", "", fragment)
        fragment = fragment.replace('{% timezone "Europe/Stockholm" %}', "")
        return fragment.replace("{% endtimezone %}", "")

    return body(new), body(old)


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen", "no_rate_limit")
@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("query", ["", "?lat=59.33&lon=18.07", "?q=nowhere-at-all"])
def test_search_page_is_the_old_page(client, office, service, language, query):
    """The whole search page against the old template (its loop put back), with an outreach
    stop and an office whose name needs escaping among the offices."""
    office.name = HOSTILE
    office.save()
    other = make_office(code="ute", latitude=59.3, longitude=18.0)
    make_offering(office=other, service=service)
    Office.objects.filter(pk=other.pk).update(kind=OfficeKind.OUTREACH)
    registry_cache.registry_changed()
    response = client.get(f"{_root(language)}book/service/{service.pk}/{query}")
    assert response.status_code in (200, 400)
    page = response.content.decode()
    assert HOSTILE not in page
    old = _old_page(
        "appointments/choose_office.html",
        [
            (
                "{% load i18n static tz wall_clock booking_lists fixed_urls form_fields video_words %}",
                "{% load i18n static tz wall_clock fixed_urls form_fields video_words %}",
            ),
            (
                "{# times_prefix: each office's link is it and the office's code (one `reverse` "
                "per page); the items are written in Python (booking_lists) #}",
                "",
            ),
            _loops_of(OLD_OFFICES.split("\n", 1)[1], NEW_OFFICES.split("\n", 1)[1]),
        ],
    )
    request = RequestFactory().get(f"{_root(language)}book/service/{service.pk}/{query}")
    with translation.override(language):
        rendered = engines["django"].from_string(old).render(response.context[0].flatten(), request)
    assert _same_token(page) == _same_token(str(rendered))


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen", "no_rate_limit")
@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("query", ["", "?day=2025-03-12", "?from=2099-01-01", "?day=2025-03-15"])
def test_times_page_is_the_old_page(client, office, service, language, query):
    response = client.get(f"{_root(language)}book/service/{service.pk}/{office.code}/{query}")
    assert response.status_code == 200
    page = response.content.decode()
    context = response.context[0].flatten()
    request = RequestFactory().get(
        f"{_root(language)}book/service/{service.pk}/{office.code}/{query}"
    )
    old_page = _old_page(
        "appointments/choose_time.html",
        [
            (
                "{% load i18n tz wall_clock booking_lists fixed_urls video_words %}",
                "{% load i18n tz wall_clock fixed_urls video_words %}",
            ),
            _loops_of(OLD_TIMES.split(">\n", 1)[1], NEW_TIMES.split(">\n", 1)[1]),
            ('{% include "appointments/_days.html" %}', "{{ days_html }}"),
        ],
    )
    old_days = _old_page(
        "appointments/_days.html",
        [
            ("{% load i18n tz wall_clock booking_lists %}", "{% load i18n tz wall_clock %}"),
            _loops_of(OLD_DAYS.split("\n", 1)[1], NEW_DAYS.split("\n", 1)[1]),
        ],
    )
    engine = engines["django"]
    with translation.override(language):
        days_html = engine.from_string(old_days).render(context, request)
        rendered = engine.from_string(old_page).render(context | {"days_html": days_html}, request)
    assert _same_token(page) == _same_token(str(rendered))
    if "2099" not in query:
        assert "times)" in page or "tider)" in page
