"""The officer's own visit and status (`desk/_current.html`), written out in Python.

The panel is what a desk action answers with (desk.js, decision 0035) and what the own-visit
poll and the desk page show. As a template it was about a third of a desk action's Django CPU
at the national peak (issue 13): some 60 variable lookups, each resolved, localized and
escaped, 40 `{% translate %}`, up to eight `{% csrf_token %}`, two `{% url %}` and the service
lists' loops, three times over for a visit being served. The rules of decision 0051 (the desk
list's rows) apply: the HTML is byte for byte what the template rendered
(`desk/tests/test_current_panel.py` renders the old template beside it): every text is escaped
with `html.escape`, which is what Django's `escape` applies; a `{% translate "…" %}` of a
literal is its translation unescaped, as the tag leaves it; numbers are plain integers; times
in the active time zone as `|time:"H:i"`. The CSRF input is the context's `csrf_token`, as
`{% csrf_token %}` reads it, so the shared fragment's placeholder (decision 0027) is filled in
per request as before. The interpreter fields stay a template (`desk/_interpreter_fields.html`),
rendered once per language and desk form and kept: nothing in them depends on the request.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from django import template
from django.template.context import Context
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from servicekontor.core.templatetags.fixed_urls import fixed_url
from servicekontor.core.templatetags.languages import language_name
from servicekontor.desk.templatetags.desk_rows import csrf_input, hhmm

register = template.Library()
SECOND_SERVICE = "Second errand's service"
SHORTCUTS = (
    "Shortcuts: N call next, S start, R call again, K did not come, H hold, F outcome,"
    " T transfer (or Alt+Shift+key)."
)


def _t(message: str) -> str:
    """`{% translate "message" %}`: the literal is safe, so its translation is not escaped;
    percent signs are doubled for the lookup and restored after, as the tag does."""
    return str(gettext(mark_safe(message.replace("%", "%%")))).replace("%%", "%")


@functools.lru_cache(maxsize=16)
def _interpreter_fields(language: str | None, prefix: str) -> str:
    """`{% include "desk/_interpreter_fields.html" with prefix=… %}` in `language`: the same
    for every request (the ~180 language options among them)."""
    return render_to_string("desk/_interpreter_fields.html", {"prefix": prefix})


def _options(services: Iterable[Any], skip: int | None = None) -> str:
    """`{% for service in … %}<option value="{{ service.pk }}">{{ service.agency.name }}:
    {{ service.name }}</option>{% endfor %}`, leaving out the service `skip`."""
    return "".join(
        f'<option value="{int(s.pk)}">{escape(s.agency.name)}: {escape(s.name)}</option>'
        for s in services
        if s.pk != skip
    )


def _choices(choices: Iterable[tuple[Any, Any]], selected: str | None = None) -> str:
    """`{% for value, label in … %}<option value="{{ value }}"…>{{ label }}</option>{% endfor %}`."""
    return "".join(
        f'<option value="{escape(str(value))}"'
        f"{' selected' if selected is not None and value == selected else ''}>"
        f"{escape(str(label))}</option>"
        for value, label in choices
    )


def _errand_items(errands: Iterable[Any]) -> str:
    interpreter = _t("interpreter")
    out = []
    for errand in errands:
        service = errand.service
        used = ""
        if errand.interpreter_used:
            used = f" · {interpreter}"
            if errand.interpreter_language:
                used += f" ({escape(language_name(errand.interpreter_language))})"
        out.append(
            f"<li>{escape(service.agency.name)}: {escape(service.name)}"
            f" · {escape(str(errand.get_outcome_display()))}{used}</li>"
        )
    return "".join(out)


def current_panel_html(
    *,
    office_code: str,
    current: Any,
    session_status: str | None,
    statuses: Sequence[tuple[Any, Any]],
    outcomes: Sequence[tuple[Any, Any]],
    errands: Any,
    offered: Any,
    current_etag: str,
    csrf: str,
) -> str:
    """The panel's HTML (`<section id="current-panel">…</section>`). `errands` and `offered`
    are read only where the template read them (a visit being served; a visit at the desk);
    `csrf`: the hidden input (`desk_rows.csrf_input`)."""
    act = fixed_url("desk:act", office_code)  # escaped once, as `{{ act_url }}` was
    poll = fixed_url("desk:current", office_code)
    tag = f' data-poll-etag="{escape(current_etag)}"' if current_etag else ""
    out = [
        '<section id="current-panel" class="current card" aria-labelledby="current-heading"'
        f' data-poll-url="{poll}" data-poll-seconds="3"{tag}>\n'
        '  <div class="desk-status">\n  '
    ]
    if current:
        ticket = escape(current.ticket)
        state = current.state
        words = "calling %(ticket)s" if state == "called" else "serving %(ticket)s"
        out.append(
            f"\n    <p>{_t('Your status:')} <strong>"
            f"{gettext(words) % {'ticket': ticket}}</strong></p>\n  "
        )
    else:
        out.append(
            f'\n  <form method="post" action="{act}" class="inline">\n'
            f'    {csrf}<input type="hidden" name="action" value="status">\n'
            f'    <label for="status">{_t("Your status:")}</label>\n'
            '    <select name="status" id="status">\n'
            f"      {_choices(statuses, session_status)}\n"
            "    </select>\n"
            f'    <button type="submit">{_t("Set status")}</button>\n'
            "  </form>\n  "
        )
    out.append(f'\n  </div>\n  <h2 id="current-heading">{_t("Current visit")}</h2>\n  ')
    if current:
        out.append(
            _visit_html(
                current, act=act, outcomes=outcomes, errands=errands, csrf=csrf, offered=offered
            )
        )
    else:
        out.append(
            f"\n    <p>{_t('No visit at your desk.')}</p>\n"
            f'    <form method="post" action="{act}">\n'
            f"      {csrf}\n"
            '      <button type="submit" name="action" value="call_next" class="big"'
            f' accesskey="n" data-key="n">{_t("Call next")} <kbd>N</kbd></button>\n'
            "    </form>\n  "
        )
    out.append(f'\n  <p class="help">{_t(SHORTCUTS)}</p>\n</section>')
    return "".join(out)


def _visit_html(
    current: Any,
    *,
    act: str,
    outcomes: Sequence[tuple[Any, Any]],
    errands: Any,
    csrf: str,
    offered: Any,
) -> str:
    """The part of the panel shown while the officer has a visit (called or being served)."""
    service = current.service
    names = f"{escape(service.agency.name)}: {escape(service.name)}"
    pk = int(current.pk)
    state = current.state
    visit_input = f'<input type="hidden" name="visit" value="{pk}">'
    out = [
        f'\n    <p class="ticket-number">{escape(current.ticket)}</p>\n'
        f"    <p>{names}\n"
        f'      · <span class="state">{escape(str(current.get_state_display()))}</span>\n      '
    ]
    if current.call_count > 1:
        out.append(f"· {gettext('called %(n)s times') % {'n': int(current.call_count)}}")
    out.append("\n      ")
    if current.booked_start:
        moment = hhmm(current.booked_start, timezone.get_current_timezone())
        out.append(f'· <span class="tag booking">{_t("booked")} {moment}</span>')
    out.append("\n      ")
    if current.priority:
        out.append(f'· <span class="tag">{_t("priority")}</span>')
    out.append("\n    </p>\n    ")
    if errands:
        out.append(
            '\n    <div class="recorded-errands">\n'
            '      <h3 id="recorded-errands-heading">'
            f"{_t('Recorded for this visit so far')}</h3>\n"
            '      <ol aria-labelledby="recorded-errands-heading">\n'
            f"        {_errand_items(errands)}\n"
            "      </ol>\n"
            '      <p class="help">'
            f"{_t('The errand being served now is recorded when you finish (or record it and turn to the next).')}"
            "</p>\n    </div>\n    "
        )
    out.append('\n    <div class="actions">\n      ')
    if state == "called":
        out.append(
            f'\n        <form method="post" action="{act}">{csrf}{visit_input}\n'
            '          <button type="submit" name="action" value="start" class="big"'
            f' accesskey="s" data-key="s">{_t("Start")} <kbd>S</kbd></button></form>\n'
            f'        <form method="post" action="{act}">{csrf}{visit_input}\n'
            '          <button type="submit" name="action" value="recall" accesskey="r"'
            f' data-key="r">{_t("Call again")} <kbd>R</kbd></button></form>\n'
            f'        <form method="post" action="{act}">{csrf}{visit_input}\n'
            '          <button type="submit" name="action" value="no_show" accesskey="k"'
            f' data-key="k">{_t("Did not come")} <kbd>K</kbd></button></form>\n      '
        )
    out.append("\n      ")
    if state == "serving":
        out.append(
            f'\n        <form method="post" action="{act}">{csrf}{visit_input}\n'
            '          <button type="submit" name="action" value="hold" accesskey="h"'
            f' data-key="h">{_t("Put on hold")} <kbd>H</kbd></button></form>\n      '
        )
    out.append("\n    </div>\n    ")
    transfer_to = _options(offered, skip=current.service_id)
    if state == "serving":
        language = get_language()
        choose = _t("Choose…")
        outcome_options = _choices(outcomes)
        out.append(
            f'\n    <form method="post" action="{act}" class="card">\n'
            f'      {csrf}{visit_input}<input type="hidden" name="action" value="finish">\n'
            '      <div class="field">\n'
            f'        <label for="outcome">{_t("Outcome")} <kbd>F</kbd></label>\n'
            '        <select name="outcome" id="outcome" required accesskey="f" data-key="f">\n'
            f'          <option value="">{choose}</option>\n'
            f"          {outcome_options}\n"
            "        </select>\n"
            "      </div>\n"
            '      <div class="field">\n'
            f'        <label for="finish-service">{_t("Service of this errand")}</label>\n'
            '        <select name="service" id="finish-service">\n'
            f'          <option value="">{names}</option>\n'
            f"          {transfer_to}\n"
            "        </select>\n"
            "      </div>\n"
            f"      {_interpreter_fields(language, 'finish')}\n"
            '      <details class="field">\n'
            f"        <summary>{_t('Split the time with a second errand')}</summary>\n"
            f'        <label for="split-service">{_t(SECOND_SERVICE)}</label>\n'
            '        <select name="split_service" id="split-service">\n'
            '          <option value="">–</option>\n'
            f"          {_options(offered)}\n"
            "        </select>\n"
            f'        <label for="split-outcome">{_t("Its outcome")}</label>\n'
            '        <select name="split_outcome" id="split-outcome">\n'
            f'          <option value="">{_t("Same as above")}</option>\n'
            f"          {outcome_options}\n"
            "        </select>\n"
            f'        <label for="split-percent">{_t("Its share of the time (%)")}</label>\n'
            '        <input type="number" name="split_percent" id="split-percent" min="1"'
            ' max="99" value="50">\n'
            "      </details>\n"
            '      <div class="field">\n'
            f'        <label for="note">{_t("Short note (optional)")}</label>\n'
            '        <input type="text" name="note" id="note" maxlength="200"'
            ' aria-describedby="note-warning">\n'
            '        <p class="warn-note" id="note-warning">'
            f"{_t('No personal data: no names, personal identity numbers or case details.')}"
            "</p>\n"
            "      </div>\n"
            f'      <button type="submit" class="big">{_t("Finish")}</button>\n'
            "    </form>\n"
            f'    <form method="post" action="{act}" class="card">\n'
            f'      {csrf}{visit_input}<input type="hidden" name="action" value="errand">\n'
            f"      <h3>{_t('More than one errand?')}</h3>\n"
            f"      <p>{_t('Record the errand you have just finished; the time from now on goes to the next one.')}</p>\n"
            '      <div class="field">\n'
            f'        <label for="errand-service">{_t("Service")}</label>\n'
            '        <select name="service" id="errand-service">\n'
            f'          <option value="{int(service.pk)}">{names}</option>\n'
            f"          {transfer_to}\n"
            "        </select>\n"
            "      </div>\n"
            '      <div class="field">\n'
            f'        <label for="errand-outcome">{_t("Outcome")}</label>\n'
            '        <select name="outcome" id="errand-outcome" required>\n'
            f'          <option value="">{choose}</option>\n'
            f"          {outcome_options}\n"
            "        </select>\n"
            "      </div>\n"
            f"      {_interpreter_fields(language, 'errand')}\n"
            f'      <button type="submit">{_t("Record errand, turn to the next")}</button>\n'
            "    </form>\n    "
        )
    out.append(
        f'\n    <form method="post" action="{act}" class="inline">\n'
        f'      {csrf}{visit_input}<input type="hidden" name="action" value="transfer">\n'
        f'      <label for="transfer-service">{_t("Transfer to")} <kbd>T</kbd></label>\n'
        '      <select name="service" id="transfer-service" accesskey="t" data-key="t">\n'
        f"        {transfer_to}\n"
        "      </select>\n"
        f'      <button type="submit">{_t("Transfer")}</button>\n'
        "    </form>\n  "
    )
    return "".join(out)


def panel_of(context: Any, *, csrf: str) -> SafeString:
    """The panel from a desk context (`desk.views._desk_context` and `current_etag`: a dict
    or a template `Context`): `office`, `current`, `session`, `statuses`, `outcomes`,
    `errands`, `offered`, `current_etag`; `csrf`: the hidden input (`csrf_input`)."""
    session = context.get("session")
    return mark_safe(  # every value is escaped, an integer or a translation of a literal
        current_panel_html(
            office_code=context["office"].code,
            current=context.get("current"),
            session_status=session.status if session is not None else None,
            statuses=context.get("statuses", ()),
            outcomes=context.get("outcomes", ()),
            errands=context.get("errands", ()),
            offered=context.get("offered", ()),
            current_etag=context.get("current_etag", ""),
            csrf=csrf,
        )
    )


@register.simple_tag(takes_context=True)
def current_panel(context: Context) -> SafeString:
    """`desk/_current.html`'s panel from the template's context (`panel_of`), its CSRF input
    from the context's `csrf_token` as `{% csrf_token %}` reads it."""
    return panel_of(context, csrf=csrf_input(context))
