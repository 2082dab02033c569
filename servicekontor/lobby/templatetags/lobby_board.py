"""The lobby board (`lobby/_board.html`), written out in Python.

The board is rendered once per version of an office's board (decision 0027) and, since the
screens' HTML is pushed (decision 0062), asked for by the push server after every change of
the board: about 100 ms of Django CPU a second at 10× the national peak (issue 13), a quarter
of each request in the template (its loops of calls, `{% translate %}` and
`{% blocktranslate %}`). The rules of decisions 0051 and 0071: the HTML is byte for byte what
the template rendered (`lobby/tests/test_board_html.py` renders the old template beside it on
Hypothesis-made boards): every `{{ value }}` rendered as the template engine renders a
variable (`render_value_in_context`), a `{% translate "…" %}` of a literal as its translation
unescaped, a `{% blocktranslate %}` by the same message ids with its values rendered as
variables. The closed office's note stays a template (`queueing/_closed_now.html`): it is
shown only while the office is closed.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import render_value_in_context
from django.template.context import Context
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

register = template.Library()

# A template's defaults for rendering a variable: autoescape on, the settings' USE_TZ and
# USE_L10N; nothing request-specific is read from it.
_VARIABLE = Context()


def _v(value: Any) -> str:
    """`{{ value }}` in a template with autoescaping on."""
    return str(render_value_in_context(value, _VARIABLE))


def _t(message: str) -> str:
    """`{% translate "message" %}` of a literal without a percent sign: its translation,
    unescaped (the literal is safe)."""
    return str(gettext(mark_safe(message)))


def board_html(
    *,
    opening: Any,
    active: list[Any],
    earlier: list[Any],
    waiting: int,
    newest: Any,
    newest_key: str,
) -> str:
    """The board's HTML from `lobby.views._board_context`'s values."""
    out = ["\n"]
    if not opening.is_open:
        closed = get_template("queueing/_closed_now.html").render({"opening": opening})
        out.append(f'<p class="closed-note">{closed}</p>')
    out.append("\n")
    desk = _t("desk")
    if active:
        items = "".join(
            f'<li class="call{" newest" if i == 0 else ""}">{_v(call.ticket)} → '
            f'<span class="desk">{desk} {_v(call.desk)}</span></li>'
            for i, call in enumerate(active)
        )
        out.append(
            '\n<section class="now" aria-labelledby="now-heading">\n'
            f'  <h2 id="now-heading" class="label">{_t("Now serving")}</h2>\n'
            '  <ul class="active">\n'
            f"    {items}\n"
            "  </ul>\n"
            "</section>\n"
        )
    elif opening.is_open:
        welcome = _t("Welcome! Take a queue ticket and wait for your number.")
        out.append(f'\n<section class="now">\n  <p class="label">{welcome}</p>\n</section>\n')
    out.append("\n")
    if earlier:
        items = "".join(
            f'<li>{_v(call.ticket)} → <span class="desk">{desk} {_v(call.desk)}</span></li>'
            for call in earlier
        )
        out.append(
            f'\n<h2 class="visually-hidden">{_t("Earlier calls")}</h2>\n'
            '<ul class="earlier">\n'
            f"  {items}\n"
            "</ul>\n"
        )
    counted = ngettext("%(n)s waiting", "%(n)s waiting", waiting) % {"n": _v(waiting)}
    out.append(f'\n<p class="waiting">{counted}</p>\n')
    if newest:
        said = gettext("Now serving %(ticket)s, desk %(desk)s") % {
            "ticket": _v(newest.ticket),
            "desk": _v(newest.desk),
        }
        out.append(f'<p id="board-announcement" hidden data-key="{_v(newest_key)}">{said}</p>')
    out.append("\n")
    return "".join(out)


@register.simple_tag(takes_context=True)
def lobby_board(context: Context) -> SafeString:
    """`lobby/_board.html`'s board from the template's context (`lobby.views._board_context`)."""
    return mark_safe(  # every value rendered as the template did, or a translation of a literal
        board_html(
            opening=context["opening"],
            active=context["active"],
            earlier=context["earlier"],
            waiting=context["waiting"],
            newest=context["newest"],
            newest_key=context["newest_key"],
        )
    )
