"""The officer's own visit and status (`desk/_current.html`) is written out in Python
(`desk.templatetags.desk_current`, docs/benchmarks.md "Desk actions' CPU and round trips"): the
HTML must be byte for byte what the template rendered, for every state the panel shows (no
visit with each status, a visit called once or again, booked, priority, a visit being served
with the errands recorded so far, interpreters with and without a language), in Swedish and
English, in three time zones, with text that needs escaping. `OLD_CURRENT` is the template as
it was, the reference."""

import datetime as dt
import re
import zoneinfo
from html import unescape

import pytest
from django.template import engines
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject
from hypothesis import given, settings
from hypothesis import strategies as st

from servicekontor.catalog.models import Agency, Service
from servicekontor.desk import views
from servicekontor.network.models import Office
from servicekontor.queueing import queries, services
from servicekontor.queueing.models import (
    FINISH_OUTCOMES,
    DeskSession,
    Errand,
    OfficerStatus,
    Outcome,
    Priority,
    Visit,
)

OLD_CURRENT = """{% load i18n languages %}{% url 'desk:act' office.code as act_url %}
{% comment %}The officer's own visit and status: polled (desk.js) so a second tab of the same
officer follows what the first one did; it changes only with the officer's own actions.{% endcomment %}
<section id="current-panel" class="current card" aria-labelledby="current-heading" data-poll-url="{% url 'desk:current' office.code %}" data-poll-seconds="3"{% if current_etag %} data-poll-etag="{{ current_etag }}"{% endif %}>
  <div class="desk-status">
  {% if current %}
    <p>{% translate "Your status:" %} <strong>{% if current.state == "called" %}{% blocktranslate with ticket=current.ticket %}calling {{ ticket }}{% endblocktranslate %}{% else %}{% blocktranslate with ticket=current.ticket %}serving {{ ticket }}{% endblocktranslate %}{% endif %}</strong></p>
  {% else %}
  <form method="post" action="{{ act_url }}" class="inline">
    {% csrf_token %}<input type="hidden" name="action" value="status">
    <label for="status">{% translate "Your status:" %}</label>
    <select name="status" id="status">
      {% for value, label in statuses %}<option value="{{ value }}"{% if value == session.status %} selected{% endif %}>{{ label }}</option>{% endfor %}
    </select>
    <button type="submit">{% translate "Set status" %}</button>
  </form>
  {% endif %}
  </div>
  <h2 id="current-heading">{% translate "Current visit" %}</h2>
  {% if current %}
    <p class="ticket-number">{{ current.ticket }}</p>
    <p>{{ current.service.agency.name }}: {{ current.service.name }}
      · <span class="state">{{ current.get_state_display }}</span>
      {% if current.call_count > 1 %}· {% blocktranslate with n=current.call_count %}called {{ n }} times{% endblocktranslate %}{% endif %}
      {% if current.booked_start %}· <span class="tag booking">{% translate "booked" %} {{ current.booked_start|time:"H:i" }}</span>{% endif %}
      {% if current.priority %}· <span class="tag">{% translate "priority" %}</span>{% endif %}
    </p>
    {% if errands %}
    <div class="recorded-errands">
      <h3 id="recorded-errands-heading">{% translate "Recorded for this visit so far" %}</h3>
      <ol aria-labelledby="recorded-errands-heading">
        {% for errand in errands %}<li>{{ errand.service.agency.name }}: {{ errand.service.name }} · {{ errand.get_outcome_display }}{% if errand.interpreter_used %} · {% translate "interpreter" %}{% if errand.interpreter_language %} ({{ errand.interpreter_language|language_name }}){% endif %}{% endif %}</li>{% endfor %}
      </ol>
      <p class="help">{% translate "The errand being served now is recorded when you finish (or record it and turn to the next)." %}</p>
    </div>
    {% endif %}
    <div class="actions">
      {% if current.state == "called" %}
        <form method="post" action="{{ act_url }}">{% csrf_token %}<input type="hidden" name="visit" value="{{ current.pk }}">
          <button type="submit" name="action" value="start" class="big" accesskey="s" data-key="s">{% translate "Start" %} <kbd>S</kbd></button></form>
        <form method="post" action="{{ act_url }}">{% csrf_token %}<input type="hidden" name="visit" value="{{ current.pk }}">
          <button type="submit" name="action" value="recall" accesskey="r" data-key="r">{% translate "Call again" %} <kbd>R</kbd></button></form>
        <form method="post" action="{{ act_url }}">{% csrf_token %}<input type="hidden" name="visit" value="{{ current.pk }}">
          <button type="submit" name="action" value="no_show" accesskey="k" data-key="k">{% translate "Did not come" %} <kbd>K</kbd></button></form>
      {% endif %}
      {% if current.state == "serving" %}
        <form method="post" action="{{ act_url }}">{% csrf_token %}<input type="hidden" name="visit" value="{{ current.pk }}">
          <button type="submit" name="action" value="hold" accesskey="h" data-key="h">{% translate "Put on hold" %} <kbd>H</kbd></button></form>
      {% endif %}
    </div>
    {% if current.state == "serving" %}
    <form method="post" action="{{ act_url }}" class="card">
      {% csrf_token %}<input type="hidden" name="visit" value="{{ current.pk }}"><input type="hidden" name="action" value="finish">
      <div class="field">
        <label for="outcome">{% translate "Outcome" %} <kbd>F</kbd></label>
        <select name="outcome" id="outcome" required accesskey="f" data-key="f">
          <option value="">{% translate "Choose…" %}</option>
          {% for value, label in outcomes %}<option value="{{ value }}">{{ label }}</option>{% endfor %}
        </select>
      </div>
      <div class="field">
        <label for="finish-service">{% translate "Service of this errand" %}</label>
        <select name="service" id="finish-service">
          <option value="">{{ current.service.agency.name }}: {{ current.service.name }}</option>
          {% for service in transfer_to %}<option value="{{ service.pk }}">{{ service.agency.name }}: {{ service.name }}</option>{% endfor %}
        </select>
      </div>
      {% include "desk/_interpreter_fields.html" with prefix="finish" %}
      <details class="field">
        <summary>{% translate "Split the time with a second errand" %}</summary>
        <label for="split-service">{% translate "Second errand's service" %}</label>
        <select name="split_service" id="split-service">
          <option value="">–</option>
          {% for service in offered %}<option value="{{ service.pk }}">{{ service.agency.name }}: {{ service.name }}</option>{% endfor %}
        </select>
        <label for="split-outcome">{% translate "Its outcome" %}</label>
        <select name="split_outcome" id="split-outcome">
          <option value="">{% translate "Same as above" %}</option>
          {% for value, label in outcomes %}<option value="{{ value }}">{{ label }}</option>{% endfor %}
        </select>
        <label for="split-percent">{% translate "Its share of the time (%)" %}</label>
        <input type="number" name="split_percent" id="split-percent" min="1" max="99" value="50">
      </details>
      <div class="field">
        <label for="note">{% translate "Short note (optional)" %}</label>
        <input type="text" name="note" id="note" maxlength="200" aria-describedby="note-warning">
        <p class="warn-note" id="note-warning">{% translate "No personal data: no names, personal identity numbers or case details." %}</p>
      </div>
      <button type="submit" class="big">{% translate "Finish" %}</button>
    </form>
    <form method="post" action="{{ act_url }}" class="card">
      {% csrf_token %}<input type="hidden" name="visit" value="{{ current.pk }}"><input type="hidden" name="action" value="errand">
      <h3>{% translate "More than one errand?" %}</h3>
      <p>{% translate "Record the errand you have just finished; the time from now on goes to the next one." %}</p>
      <div class="field">
        <label for="errand-service">{% translate "Service" %}</label>
        <select name="service" id="errand-service">
          <option value="{{ current.service.pk }}">{{ current.service.agency.name }}: {{ current.service.name }}</option>
          {% for service in transfer_to %}<option value="{{ service.pk }}">{{ service.agency.name }}: {{ service.name }}</option>{% endfor %}
        </select>
      </div>
      <div class="field">
        <label for="errand-outcome">{% translate "Outcome" %}</label>
        <select name="outcome" id="errand-outcome" required>
          <option value="">{% translate "Choose…" %}</option>
          {% for value, label in outcomes %}<option value="{{ value }}">{{ label }}</option>{% endfor %}
        </select>
      </div>
      {% include "desk/_interpreter_fields.html" with prefix="errand" %}
      <button type="submit">{% translate "Record errand, turn to the next" %}</button>
    </form>
    {% endif %}
    <form method="post" action="{{ act_url }}" class="inline">
      {% csrf_token %}<input type="hidden" name="visit" value="{{ current.pk }}"><input type="hidden" name="action" value="transfer">
      <label for="transfer-service">{% translate "Transfer to" %} <kbd>T</kbd></label>
      <select name="service" id="transfer-service" accesskey="t" data-key="t">
        {% for service in transfer_to %}<option value="{{ service.pk }}">{{ service.agency.name }}: {{ service.name }}</option>{% endfor %}
      </select>
      <button type="submit">{% translate "Transfer" %}</button>
    </form>
  {% else %}
    <p>{% translate "No visit at your desk." %}</p>
    <form method="post" action="{{ act_url }}">
      {% csrf_token %}
      <button type="submit" name="action" value="call_next" class="big" accesskey="n" data-key="n">{% translate "Call next" %} <kbd>N</kbd></button>
    </form>
  {% endif %}
  <p class="help">{% translate "Shortcuts: N call next, S start, R call again, K did not come, H hold, F outcome, T transfer (or Alt+Shift+key)." %}</p>
</section>
"""

# `desk/_after_action.html` as it was (a desk action's answer to desk.js), its include of
# the panel replaced by the old panel itself
OLD_AFTER_ACTION = (
    """{% comment %}The answer to a desk action sent by desk.js: the message and the officer's own visit.
desk.js puts each element in place of the one with the same id, and asks for the waiting list
itself (decision 0035).{% endcomment %}<div id="desk-message" class="message{% if error %} error{% endif %}" role="{% if error %}alert{% else %}status{% endif %}">{{ message }}</div>
"""
    + OLD_CURRENT
    + """
"""
)

HOSTILE = "Skatt <b>&amp; \"citat\" 'o' åäö</b>"
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _same_token(html: str) -> str:
    """A request's CSRF token is masked anew for each render: compare the markup around it."""
    return _TOKEN.sub('name="csrfmiddlewaretoken" value="token"', html)


def _both(context: dict, request=None) -> tuple[str, str]:
    old = str(engines["django"].from_string(OLD_CURRENT).render(dict(context), request))
    new = str(render_to_string("desk/_current.html", dict(context), request))
    if request is not None:
        old, new = _same_token(old), _same_token(new)
    return old, new


_NAME = st.one_of(st.just(HOSTILE), st.text(max_size=20))
_MOMENT = st.datetimes(
    min_value=dt.datetime(2020, 1, 1),
    max_value=dt.datetime(2035, 12, 31),
    timezones=st.just(dt.UTC),
)


def _service(pk: int, sv: str, en: str, agency_sv: str, agency_en: str) -> Service:
    agency = Agency(pk=pk % 7 + 1, name_sv=agency_sv, name_en=agency_en)
    return Service(pk=pk, name_sv=sv, name_en=en, agency=agency)


_SERVICE = st.builds(_service, st.integers(1, 10**6), _NAME, _NAME, _NAME, _NAME)
_ERRAND = st.builds(
    lambda service, outcome, used, language: Errand(
        service=service, outcome=outcome, interpreter_used=used, interpreter_language=language
    ),
    _SERVICE,
    st.sampled_from([*Outcome.values, "unknown<&>"]),
    st.booleans(),
    st.sampled_from(["", "ar", "so", "prs", "zz", "<b>"]),
)


def _visit(pk, letter, number, state, service, calls, booked, priority) -> Visit:
    return Visit(
        pk=pk,
        ticket_letter=letter,
        ticket_number=number,
        state=state,
        service=service,
        call_count=calls,
        booked_start=booked,
        priority=priority,
    )


_VISIT = st.builds(
    _visit,
    st.integers(1, 10**9),
    st.sampled_from(["A", "S", "<", "&"]),
    st.one_of(st.none(), st.integers(0, 9999)),
    st.sampled_from(["called", "serving"]),
    _SERVICE,
    st.integers(0, 5),
    st.one_of(st.none(), _MOMENT),
    st.sampled_from([Priority.NORMAL, Priority.ACCESSIBILITY]),
)


def _office(code: str = "stockholm-city") -> Office:
    return Office(pk=7, code=code)


@settings(max_examples=200, deadline=None)
@given(
    current=st.one_of(st.none(), _VISIT),
    status=st.one_of(st.none(), st.sampled_from(OfficerStatus.values)),
    errands=st.lists(_ERRAND, max_size=3),
    offered=st.lists(_SERVICE, max_size=4),
    language=st.sampled_from(["sv", "en"]),
    zone=st.sampled_from(["Europe/Stockholm", "UTC", "America/New_York"]),
    token=st.sampled_from(["", "sharedfragmentcsrf_tokenplaceholder", "a<b&c"]),
    etag=st.sampled_from(["", '"current-1-2-idle-3-sv"']),
    code=st.sampled_from(["stockholm-city", "a-b"]),
)
def test_panel_renders_as_the_old_template(
    current, status, errands, offered, language, zone, token, etag, code
):
    if current is not None and offered:  # the visit's own service among those offered
        offered = [*offered, current.service]
    context = {
        "office": _office(code),
        "session": None if status is None else DeskSession(status=status),
        "current": current,
        "errands": errands if current is not None and current.state == "serving" else [],
        "outcomes": [(o.value, o.label) for o in FINISH_OUTCOMES],
        "statuses": OfficerStatus.choices,
        "offered": offered,
        "transfer_to": [s for s in offered if current is None or s.pk != current.service_id],
        "current_etag": etag,
        "csrf_token": token,
    }
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        old, new = _both(context)
    assert new == old


def test_lazy_parts_are_read_only_where_shown():
    """No visit: neither the services offered nor the errands are read (the template read
    them only inside `{% if current %}`)."""

    def never() -> list:
        raise AssertionError("read")

    context = {
        "office": _office(),
        "session": DeskSession(status="idle"),
        "current": None,
        "errands": SimpleLazyObject(never),
        "outcomes": [],
        "statuses": OfficerStatus.choices,
        "offered": SimpleLazyObject(never),
        "transfer_to": SimpleLazyObject(never),
        "current_etag": "",
        "csrf_token": "t",
    }
    html = render_to_string("desk/_current.html", context)
    assert 'value="call_next"' in html


def test_no_token_no_hidden_input():
    """As `{% csrf_token %}`: no input when the csrf context processor found no token (the
    old template's tag warns of a deprecation there, so only the new one renders it)."""
    visit = _visit(1, "A", 1, "serving", _service(2, "Skatt", "Tax", "S", "S"), 1, None, 0)
    context = {
        "office": _office(),
        "session": DeskSession(status="idle"),
        "current": visit,
        "errands": [],
        "outcomes": [(o.value, o.label) for o in FINISH_OUTCOMES],
        "statuses": OfficerStatus.choices,
        "offered": [],
        "current_etag": "",
        "csrf_token": "NOTPROVIDED",
    }
    html = render_to_string("desk/_current.html", context)
    assert "csrfmiddlewaretoken" not in html and 'name="visit" value="1"' in html


@pytest.fixture
def desk(world, clock_at):
    """alice at desk 1 with a visit of a service whose names need escaping, Skatteverket's
    and Försäkringskassan's services offered."""
    world.tax.name_sv, world.tax.name_en = HOSTILE, "Tax & <i>co</i>"
    world.tax.save(update_fields=["name_sv", "name_en"])
    services.issue_ticket(office=world.office, service=world.tax)
    return world


@pytest.mark.parametrize("language", ["sv", "en"])
def test_desk_contexts_render_as_the_old_template(desk, language):
    """The contexts the desk really builds (`views._desk_context`): no visit, a visit called
    (and called again), being served with an errand recorded (an interpreter), and after."""
    world = desk
    request = RequestFactory().get("/")
    seen = []

    def check() -> None:
        session = queries.desk_session(officer=world.alice)
        assert session is not None
        with translation.override(language):
            context = views._desk_context(session, bookings=False) | {"current_etag": '"current-x"'}
            old, new = _both(context, request)
        assert new == old
        seen.append(new)

    check()  # no visit
    visit = services.call_next(officer=world.alice)
    check()
    Visit.objects.filter(pk=visit.pk).update(call_count=2, priority=Priority.ACCESSIBILITY)
    check()
    services.start_service(officer=world.alice, visit_id=visit.pk)
    check()
    services.record_errand(
        officer=world.alice,
        visit_id=visit.pk,
        service=world.parental,
        outcome=Outcome.RESOLVED,
        interpreter_used=True,
        interpreter_language="ar",
    )
    check()
    services.finish_visit(officer=world.alice, visit_id=visit.pk, outcome=Outcome.RESOLVED)
    check()
    assert any("recorded-errands" in html for html in seen)
    assert any('value="finish"' in html for html in seen)


FRAGMENT = {"X-Desk-Fragment": "1"}
_MESSAGE = re.compile(r'<div id="desk-message"[^>]*>(.*?)</div>', re.S)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_action_answers_render_as_the_old_template(desk, client, language):
    """desk.js's answers (the message and the panel, written out in `views._parts`) are the
    old template's bytes, for every action that answers with them and for a refusal."""
    world = desk
    services.issue_ticket(office=world.office, service=world.tax)
    services.issue_ticket(office=world.office, service=world.parental)
    client.force_login(world.alice)
    with translation.override(language):  # the language's prefix (i18n_patterns)
        act = reverse("desk:act", kwargs={"office_code": world.office.code})
    headers = FRAGMENT
    request = RequestFactory().get("/")

    def post(data: dict, status: int = 200):
        response = client.post(act, data, headers=headers)
        assert response.status_code == status, (data, response.status_code)
        html = response.content.decode()
        found = queries.desk_poll(officer_id=world.alice.pk)
        session = queries.desk_session(officer=world.alice)
        assert found is not None and session is not None
        keys, versions = found
        message = _MESSAGE.search(html)
        assert message is not None
        with translation.override(language):
            context = views._desk_context(session, bookings=False) | {
                "current_etag": views._current_etag(keys, world.alice.pk, versions),
                "message": unescape(message.group(1)),
                "error": status != 200,
            }
            old = engines["django"].from_string(OLD_AFTER_ACTION).render(context, request)
        assert _same_token(html) == _same_token(str(old)), data
        return response

    visit = post({"action": "call_next"})["X-Visit-Id"]
    post({"action": "start", "visit": visit})
    post({"action": "errand", "visit": visit, "service": world.parental.pk, "outcome": "resolved"})
    post({"action": "hold", "visit": visit})
    post({"action": "call", "visit": visit})
    post({"action": "start", "visit": visit})  # its errand so far, read with the start
    post({"action": "transfer", "visit": visit, "service": world.parental.pk})
    visit = post({"action": "call_next"})["X-Visit-Id"]
    post({"action": "start", "visit": visit})
    post(
        {
            "action": "finish",
            "visit": visit,
            "outcome": "resolved",
            "interpreter_used": "on",
            "language": "so",
        }
    )
    post({"action": "status", "status": "break"})
    post({"action": "call_next"}, status=409)  # refused: not ready
