"""The long lists of the citizens' booking pages, written out in Python (decision 0067).

At the national peak (issue 13) the office search (`appointments/choose_office.html`), the
free times (`appointments/choose_time.html`) and their days (`appointments/_days.html`) spent
most of their CPU in these loops: per item a handful of `{{ }}` lookups (each resolved,
localized and escaped), filters and, for the days, a `{% querystring %}` and a
`{% blocktranslate count %}`. Here each item is an f-string. The HTML is byte for byte what
the loops rendered (`appointments/tests/test_booking_lists.py` keeps the loops as the
reference and compares): every text is escaped with `html.escape`, which is what Django's
`escape` applies; numbers are plain integers; dates go through the same filters
(`wall_date`, `wall_time`, `floatformat`) the template called, a datetime first put in the active zone as
the template does for `wall_date` (`expects_localtime`); translations are Django's
`gettext`/`ngettext` of the same message ids, escaped as `{% translate %}` escapes them (a
`{% blocktranslate %}`'s message is not escaped, only its values). One difference on purpose:
a day's count of free times is grouped as every other figure (`core.rounding.shown`: "1 234
tider", "1,234 times"), which `{% blocktranslate count %}` did not do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from html import escape

from django import template
from django.http import QueryDict
from django.template.defaultfilters import floatformat
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]
from django.utils.translation import gettext, ngettext

from servicekontor.appointments.capacity import Slot
from servicekontor.core.rounding import shown
from servicekontor.core.templatetags.wall_clock import wall_date, wall_time

register = template.Library()


@register.simple_tag
def time_links(slots: Iterable[Slot], prefix: str) -> SafeString:
    """The free times of a day (choose_time.html): each a link to its contact form,
    `prefix` + the slot's epoch."""
    url = escape(prefix)
    return mark_safe(
        "".join(
            f'\n  <li><a href="{url}{slot.epoch}/">'
            f"{escape(wall_time(slot.start))}–{escape(wall_time(slot.end))}</a></li>\n  "
            for slot in slots
        )
    )


def _query(days_query: QueryDict, **changes: str | None) -> str:
    """`{% querystring days_query k=v … %}`, escaped as the tag's output is."""
    params = days_query.copy()
    for key, value in changes.items():
        if value is None:
            if key in params:
                del params[key]
        else:
            params[key] = value
    if not params and not days_query:
        return ""
    return escape(f"?{params.urlencode()}")


@register.simple_tag
def day_links(
    days: Sequence[object], days_query: QueryDict, first: dt.date, selected: object
) -> SafeString:
    """The page's days (_days.html's list): a day with free times links to itself (the
    page's other parameters kept) and says how many; a day without says so."""
    first_iso = wall_date(first, "Y-m-d")
    selected_day = getattr(selected, "day", None) if selected else None
    out = []
    for d in days:
        day: dt.date = d.day  # type: ignore[attr-defined]
        label = escape(wall_date(day, "SHORT_DAY_FORMAT"))
        slots = d.slots  # type: ignore[attr-defined]
        if slots:
            href = _query(days_query, **{"from": first_iso, "day": wall_date(day, "Y-m-d")})
            current = ' aria-current="date"' if selected and selected_day == day else ""
            n = len(slots)
            # grouped as every figure on the pages (sv "1 234", en "1,234"; core.rounding)
            count = ngettext("%(n)s time", "%(n)s times", n) % {"n": shown(n)}
            item = f'<a href="{href}"{current}>{label}</a> ({count})'
        else:
            # why the day has none: closed, fully booked, no more today… (DayFree.no_time_words)
            item = f"{label}: {escape(d.no_time_words)}"  # type: ignore[attr-defined]
        out.append(f"\n    <li>{item}</li>\n  ")
    return mark_safe("".join(out))


@register.simple_tag
def office_choice_items(choices: Iterable[object], prefix: str) -> SafeString:
    """The offices of a search (choose_office.html's list): each a link to its free times,
    `prefix` + the office's code, with its distance and earliest free time."""
    url = escape(prefix)
    outreach = f' <span class="tag">{escape(gettext("Outreach stop"))}</span>'
    earliest_label = escape(gettext("earliest free time:"))
    no_time = escape(gettext("no free time in the booking period"))
    out = []
    for choice in choices:
        office = choice.office  # type: ignore[attr-defined]
        km = choice.distance_km  # type: ignore[attr-defined]
        earliest = choice.earliest  # type: ignore[attr-defined]
        distance = "" if km is None else f"({escape(floatformat(km, 0))} km)"
        when = (
            f"{earliest_label} {escape(wall_date(template_localtime(earliest.start), 'SHORT_DAY_TIME_FORMAT'))}"
            if earliest
            else no_time
        )
        out.append(
            "\n  <li>\n"
            f'    <a href="{url}{escape(office.code)}/">{escape(office.name)}</a>'
            f"{outreach if office.is_outreach else ''}\n"
            f"    {distance}\n"
            f"    — {when}\n"
            "  </li>\n"
        )
    return mark_safe("".join(out))
