"""The rows of the desk's waiting list (`desk/_waiting.html`), written out in Python.

The list is the screens' largest render at the peak (issue 13): as template loops its rows cost
about 0.2 ms each (every `{{ }}` a context lookup, localized and escaped; a `{% translate %}`,
a `{% csrf_token %}` and two `|time` per row), here 10–40 µs (docs/benchmarks.md, "Desk
list rows"). The HTML is byte for byte what the loops rendered
(`desk/tests/test_waiting_rows.py` compares them): every text is escaped with `html.escape`,
which is what Django's `escape` applies; numbers are plain integers; times are shown in the
active time zone as `|time:"H:i"` showed them. The CSRF token is the context's `csrf_token`,
as `{% csrf_token %}` reads it, so the shared fragment's placeholder (decision 0027) is filled
in per request as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from django import template
from django.template.context import Context
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from servicekontor.core.i18n import language_picker
from servicekontor.queueing.sql import ListedVisit

register = template.Library()


def csrf_input(context: Context | Mapping[str, Any]) -> str:
    """What `{% csrf_token %}` renders: the hidden input, or nothing without a token."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(str(token))}">'


def hhmm(moment: dt.datetime, tz: dt.tzinfo) -> str:
    """`{{ moment|time:"H:i" }}`: an aware time in the active time zone."""
    if timezone.is_aware(moment):
        moment = moment.astimezone(tz)
    return f"{moment:%H:%M}"


@register.simple_tag(takes_context=True)
def waiting_rows(
    context: Context, visits: Iterable[ListedVisit], *, busy: bool, act_url: str
) -> SafeString:
    """The waiting visits' table rows; each with a "Call" form unless the officer is `busy`."""
    tz, pick = timezone.get_current_timezone(), language_picker()
    url, csrf = escape(act_url), csrf_input(context)
    priority = f' <span class="tag">{escape(gettext("priority"))}</span>'
    call = escape(gettext("Call"))
    out = []
    for visit in visits:
        pk, ticket = int(visit.pk), escape(visit.ticket)
        booked = (
            f' <span class="tag booking">{hhmm(visit.booked_start, tz)}</span>'
            if visit.booked_start
            else ""
        )
        form = (
            ""
            if busy
            else f'<form method="post" action="{url}">{csrf}'
            '<input type="hidden" name="action" value="call">'
            f'<input type="hidden" name="visit" value="{pk}">'
            f'<button type="submit" class="link" data-focus-key="call-{pk}">{call}'
            f'<span class="visually-hidden"> {ticket}</span></button></form>'
        )
        out.append(
            "\n      <tr>\n"
            f'        <td><span class="ticket">{ticket}</span>{booked}'
            f"{priority if visit.priority else ''}</td>\n"
            f"        <td>{escape(pick(visit.service.name_sv, visit.service.name_en))}</td>\n"
            f"        <td>{hhmm(visit.arrived_at, tz)}</td>\n"
            f"        <td>{form}</td>\n"
            "      </tr>\n    "
        )
    return mark_safe("".join(out))  # every value above is escaped or an integer


@register.simple_tag(takes_context=True)
def parked_items(
    context: Context, visits: Iterable[ListedVisit], *, busy: bool, act_url: str
) -> SafeString:
    """The parked visits' list items; each with "Call" and "Back in line" unless `busy`."""
    url, csrf, pick = escape(act_url), csrf_input(context), language_picker()
    call, requeue = escape(gettext("Call")), escape(gettext("Back in line"))
    out = []
    for visit in visits:
        pk, ticket = int(visit.pk), escape(visit.ticket)
        form = (
            ""
            if busy
            else f'<form method="post" action="{url}" class="inline">{csrf}'
            f'<input type="hidden" name="visit" value="{pk}">\n'
            '          <button type="submit" name="action" value="call" class="link"'
            f' data-focus-key="call-{pk}">{call}'
            f'<span class="visually-hidden"> {ticket}</span></button>\n'
            '          <button type="submit" name="action" value="requeue" class="link"'
            f' data-focus-key="requeue-{pk}">{requeue}'
            f'<span class="visually-hidden"> {ticket}</span></button></form>'
        )
        out.append(
            f"\n      <li>{ticket} · {escape(pick(visit.service.name_sv, visit.service.name_en))}\n"
            f"        {form}\n"
            "      </li>\n    "
        )
    return mark_safe("".join(out))  # every value above is escaped or an integer
