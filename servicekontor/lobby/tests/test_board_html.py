"""The lobby board written out in Python (`lobby/templatetags/lobby_board.py`) is byte for
byte what `lobby/_board.html` rendered (`OLD_BOARD`, the template as it was), on
Hypothesis-made boards: calls now and earlier (tickets needing escaping, desk numbers), none,
any count waiting, the office open or closed (with or without a next opening), with and
without an announcement, in Swedish and English."""

import datetime as dt

from django.template import engines
from django.template.loader import render_to_string
from django.utils import translation
from hypothesis import example, given, settings
from hypothesis import strategies as st

from servicekontor.lobby.templatetags.lobby_board import board_html
from servicekontor.network.registry_cache import OpenNow
from servicekontor.queueing.queries import Call

OLD_BOARD = '{% load i18n %}\n{% if not opening.is_open %}<p class="closed-note">{% include "queueing/_closed_now.html" %}</p>{% endif %}\n{% if active %}\n<section class="now" aria-labelledby="now-heading">\n  <h2 id="now-heading" class="label">{% translate "Now serving" %}</h2>\n  <ul class="active">\n    {% for call in active %}<li class="call{% if forloop.first %} newest{% endif %}">{{ call.ticket }} → <span class="desk">{% translate "desk" %} {{ call.desk }}</span></li>{% endfor %}\n  </ul>\n</section>\n{% elif opening.is_open %}\n<section class="now">\n  <p class="label">{% translate "Welcome! Take a queue ticket and wait for your number." %}</p>\n</section>\n{% endif %}\n{% if earlier %}\n<h2 class="visually-hidden">{% translate "Earlier calls" %}</h2>\n<ul class="earlier">\n  {% for call in earlier %}<li>{{ call.ticket }} → <span class="desk">{% translate "desk" %} {{ call.desk }}</span></li>{% endfor %}\n</ul>\n{% endif %}\n<p class="waiting">{% blocktranslate count n=waiting %}{{ n }} waiting{% plural %}{{ n }} waiting{% endblocktranslate %}</p>\n{% if newest %}<p id="board-announcement" hidden data-key="{{ newest_key }}">{% blocktranslate with ticket=newest.ticket desk=newest.desk %}Now serving {{ ticket }}, desk {{ desk }}{% endblocktranslate %}</p>{% endif %}\n'
_OLD = engines["django"].from_string(OLD_BOARD)
HOSTILE = "<b>&amp; \"S\" 'o'</b>"
_AT = dt.datetime(2026, 11, 25, 9, 30, 0, 123456, tzinfo=dt.UTC)
_CALL = st.builds(
    Call,
    ticket=st.one_of(st.just(HOSTILE), st.from_regex(r"[A-Z]-[0-9]{3}", fullmatch=True)),
    desk=st.integers(1, 1200),
    at=st.just(_AT),
    active=st.booleans(),
)
_OPENING = st.builds(
    OpenNow,
    is_open=st.booleans(),
    closes_at=st.none(),
    next_opening=st.one_of(st.none(), st.just(_AT + dt.timedelta(hours=20))),
)


@settings(max_examples=300, deadline=None)
@example(
    active=[Call(HOSTILE, 3, _AT, True), Call("A-001", 12, _AT, True)],
    earlier=[Call(HOSTILE, 1, _AT, False)],
    waiting=1,
    opening=OpenNow(True, None, None),
    announce=True,
    language="sv",
)
@example(
    active=[],
    earlier=[],
    waiting=0,
    opening=OpenNow(False, None, None),
    announce=False,
    language="en",
)
@given(
    active=st.lists(_CALL, max_size=4),
    earlier=st.lists(_CALL, max_size=4),
    waiting=st.one_of(st.integers(0, 3), st.integers(0, 10**6)),
    opening=_OPENING,
    announce=st.booleans(),
    language=st.sampled_from(["sv", "en"]),
)
def test_board__as_the_old_template(active, earlier, waiting, opening, announce, language):
    newest = active[0] if active and announce else None
    context = {
        "active": active,
        "earlier": earlier,
        "waiting": waiting,
        "opening": opening,
        "newest": newest,
        "newest_key": f"{newest.ticket}-{newest.desk}-1764063000.123456" if newest else "",
    }
    with translation.override(language):
        old = _OLD.render(context)
        assert board_html(**context) == old
        # the template the views render is the tag (and the display's page includes it)
        assert render_to_string("lobby/_board.html", context) == old
