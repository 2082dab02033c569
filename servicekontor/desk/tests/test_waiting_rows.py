"""The desk's waiting list (`desk/_waiting.html`) renders its rows in Python
(`desk.templatetags.desk_rows`, docs/benchmarks.md "Desk list rows"): the HTML must be byte for
byte what the template's loops rendered, for every kind of row (waiting, parked, booked,
priority, the officer busy or not), in Swedish and English, with text that needs escaping.
`OLD_WAITING` is the template as it was, the reference."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.db import DEFAULT_DB_ALIAS
from django.template import engines
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st

from servicekontor.core import clock
from servicekontor.core.conditional import shared_html
from servicekontor.desk import views
from servicekontor.network.models import Office
from servicekontor.queueing import queries, services, sql
from servicekontor.queueing.models import Priority
from servicekontor.queueing.sql import ListedVisit

OLD_WAITING = """{% load i18n %}{% url 'desk:act' office.code as act_url %}
<div id="waiting-panel" data-poll-url="{% url 'desk:panel' office.code %}" data-poll-seconds="3"{% if waiting_etag %} data-poll-etag="{{ waiting_etag }}"{% endif %}>
  <p>{% blocktranslate count n=waiting|length %}{{ n }} waiting that you can serve{% plural %}{{ n }} waiting that you can serve{% endblocktranslate %} · {% blocktranslate with n=waiting_total %}{{ n }} in the whole office{% endblocktranslate %}</p>
  {% if waiting %}
  <div class="table-scroll" tabindex="0" role="region" aria-label="{% translate "Table (scrolls sideways on a narrow screen)" %}"><table>
    <caption class="visually-hidden">{% translate "Waiting list" %}</caption>
    <thead><tr><th scope="col">{% translate "Ticket" %}</th><th scope="col">{% translate "Service" %}</th><th scope="col">{% translate "Since" %}</th><th scope="col"><span class="visually-hidden">{% translate "Call" %}</span></th></tr></thead>
    <tbody>
    {% for visit in waiting %}
      <tr>
        <td><span class="ticket">{{ visit.ticket }}</span>{% if visit.booked_start %} <span class="tag booking">{{ visit.booked_start|time:"H:i" }}</span>{% endif %}{% if visit.priority %} <span class="tag">{% translate "priority" %}</span>{% endif %}</td>
        <td>{{ visit.service.name }}</td>
        <td>{{ visit.arrived_at|time:"H:i" }}</td>
        <td>{% if not current %}<form method="post" action="{{ act_url }}">{% csrf_token %}<input type="hidden" name="action" value="call"><input type="hidden" name="visit" value="{{ visit.pk }}"><button type="submit" class="link" data-focus-key="call-{{ visit.pk }}">{% translate "Call" %}<span class="visually-hidden"> {{ visit.ticket }}</span></button></form>{% endif %}</td>
      </tr>
    {% endfor %}
    </tbody>
  </table></div>
  {% endif %}
  {% if parked %}
  <h3>{% translate "On hold" %}</h3>
  <ul>
    {% for visit in parked %}
      <li>{{ visit.ticket }} · {{ visit.service.name }}
        {% if not current %}<form method="post" action="{{ act_url }}" class="inline">{% csrf_token %}<input type="hidden" name="visit" value="{{ visit.pk }}">
          <button type="submit" name="action" value="call" class="link" data-focus-key="call-{{ visit.pk }}">{% translate "Call" %}<span class="visually-hidden"> {{ visit.ticket }}</span></button>
          <button type="submit" name="action" value="requeue" class="link" data-focus-key="requeue-{{ visit.pk }}">{% translate "Back in line" %}<span class="visually-hidden"> {{ visit.ticket }}</span></button></form>{% endif %}
      </li>
    {% endfor %}
  </ul>
  {% endif %}
</div>
"""

HOSTILE = "Skatt <b>&amp; \"citat\" 'o' åäö</b>"


_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _same_token(html: str) -> str:
    """A request's CSRF token is masked anew for each render: compare the markup around it."""
    return _TOKEN.sub('name="csrfmiddlewaretoken" value="token"', html)


def _both(context: dict, request=None) -> tuple[str, str]:
    old = str(engines["django"].from_string(OLD_WAITING).render(dict(context), request))
    new = str(render_to_string("desk/_waiting.html", dict(context), request))
    if request is not None:
        old, new = _same_token(old), _same_token(new)
    return old, new


def _office(code: str = "stockholm-city") -> Office:
    return Office.from_db(DEFAULT_DB_ALIAS, ["id", "code"], [7, code])


_MOMENT = st.datetimes(
    min_value=dt.datetime(2020, 1, 1),
    max_value=dt.datetime(2035, 12, 31),
    timezones=st.just(dt.UTC),
)
_VISIT = st.builds(
    lambda pk, letter, number, booked, priority, arrived, sv, en: ListedVisit(
        [pk, letter, number, booked, priority, arrived, sv, en]
    ),
    st.integers(1, 10**9),
    st.sampled_from(["A", "S", "F", "<", "&"]),
    st.one_of(st.none(), st.integers(0, 9999)),
    st.one_of(st.none(), _MOMENT),
    st.sampled_from([Priority.NORMAL, Priority.ACCESSIBILITY]),
    _MOMENT,
    st.one_of(st.just(HOSTILE), st.text(max_size=30)),
    st.one_of(st.just(""), st.text(max_size=30)),
)


@settings(max_examples=150, deadline=None)
@given(
    waiting=st.lists(_VISIT, max_size=6),
    parked=st.lists(_VISIT, max_size=3),
    busy=st.booleans(),
    language=st.sampled_from(["sv", "en"]),
    zone=st.sampled_from(["Europe/Stockholm", "UTC", "America/New_York"]),
    token=st.sampled_from(["", "sharedfragmentcsrf_tokenplaceholder", "a<b&c"]),
    etag=st.sampled_from(["", '"desk-1-2-3-sv"']),
)
def test_rows_render_as_the_old_loops(waiting, parked, busy, language, zone, token, etag):
    context = {
        "office": _office(),
        "current": busy,
        "waiting": waiting,
        "parked": parked,
        "waiting_total": len(waiting) + 3,
        "csrf_token": token,
        "waiting_etag": etag,
    }
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        old, new = _both(context)
    assert new == old


@pytest.fixture
def seeded(world, clock_at):
    """alice's desk's list: walk-ins of two services, one of them priority, a booking checked
    in, two parked visits, a service name that needs escaping."""
    world.tax.name_sv, world.tax.name_en = HOSTILE, "Tax & <i>co</i>"
    world.tax.save(update_fields=["name_sv", "name_en"])
    for _ in range(2):
        services.issue_ticket(office=world.office, service=world.tax)
        visit = services.call_next(officer=world.alice)
        services.hold_visit(officer=world.alice, visit_id=visit.pk)
    for _ in range(2):
        services.issue_ticket(office=world.office, service=world.tax)
    services.issue_ticket(
        office=world.office, service=world.parental, priority=Priority.ACCESSIBILITY
    )
    services.check_in_booked_visit(
        office=world.office,
        service=world.parental,
        booked_start=clock.now() + dt.timedelta(minutes=20),
        booking_reference="B-1",
    )
    return world


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("busy", [False, True])
def test_seeded_list_renders_as_the_old_template(seeded, language, busy):
    world = seeded
    session = queries.desk_session(officer=world.alice)
    assert session is not None
    keys = views._keys_of(session)
    served = sql.desk_list_inputs(officer_id=world.alice.pk, service_point_id=keys.service_point_id)
    request = RequestFactory().get("/")
    with translation.override(language):
        context = views._waiting_context(keys, services=served.services, busy=busy)
        assert len(context["waiting"]) == 4 and len(context["parked"]) == 2
        assert any(v.booked_start for v in context["waiting"])
        assert any(v.priority for v in context["waiting"])
        old, new = _both(context, request)
        # through the shared fragment: the CSRF placeholder and the tag filled in per request
        shared = shared_html(
            request,
            key=f"test:waiting:{language}:{busy}",
            template="desk/_waiting.html",
            context=lambda: context,
            fill={"waiting_etag": '"desk-1"'},
        )
        old_shared = (
            engines["django"]
            .from_string(OLD_WAITING)
            .render(context | {"waiting_etag": '"desk-1"'}, request)
        )
    assert new == old
    assert ("csrfmiddlewaretoken" in new) is not busy
    assert "placeholder" not in shared and ("csrfmiddlewaretoken" in shared) is not busy
    assert _same_token(shared) == _same_token(old_shared)


def test_no_token_no_hidden_input():
    """As `{% csrf_token %}`: no input when the csrf context processor found no token."""
    visit = ListedVisit([1, "A", 1, None, 0, clock.now(), "Skatt", ""])
    context = {"office": _office(), "current": False, "waiting": [visit], "parked": [visit]}
    html = render_to_string("desk/_waiting.html", context | {"csrf_token": "NOTPROVIDED"})
    assert "csrfmiddlewaretoken" not in html and 'name="visit" value="1"' in html
