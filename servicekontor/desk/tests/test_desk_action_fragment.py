"""A desk action sent by desk.js (X-Desk-Fragment: 1) is answered with the changed parts, not
a redirect to the whole page (decision 0026); a plain form still gets the 303."""

import re

import pytest
from django.urls import reverse

from servicekontor.queueing import services
from servicekontor.queueing.models import Visit, VisitState
from tests.factories import make_user

FRAGMENT = {"X-Desk-Fragment": "1"}


@pytest.fixture
def act_url(world):
    return reverse("desk:act", kwargs={"office_code": world.office.code})


def test_desk_action__fragment__own_visit_without_the_list(client, world, act_url):
    # Decision 0035: the answer is the message and the officer's own visit; the waiting list
    # is asked for by desk.js at once, on the screens' lane.
    services.issue_ticket(office=world.office, service=world.tax)
    services.issue_ticket(office=world.office, service=world.tax)
    client.force_login(world.alice)
    panel = reverse("desk:panel", kwargs={"office_code": world.office.code})
    before = client.get(panel)
    assert 'value="call"' in before.content.decode()  # "Call" buttons while not busy
    response = client.post(act_url, {"action": "call_next"}, headers=FRAGMENT)
    assert response.status_code == 200
    assert response["X-Desk-Parts"] == "1"
    html = response.content.decode()
    for part in ('id="desk-message"', 'id="current-panel"'):
        assert part in html
    assert 'id="waiting-panel"' not in html
    assert "<html" not in html  # the parts only, not the page
    called = Visit.objects.get(state=VisitState.CALLED)
    assert response["X-Visit-Id"] == str(called.pk)
    assert called.ticket in html
    assert called.service.name in html and called.service.agency.name in html
    # the next poll of the own visit is a 304: the answer carried its version
    etag = html.split('id="current-panel"')[1].split('data-poll-etag="')[1].split('"')[0]
    current = reverse("desk:current", kwargs={"office_code": world.office.code})
    assert (
        client.get(current, headers={"if-none-match": etag.replace("&quot;", '"')}).status_code
        == 304
    )
    # the list desk.js asks for next has changed: one visit fewer, no "Call" (busy)
    after = client.get(panel, headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200
    assert called.ticket not in after.content.decode()
    assert 'value="call"' not in after.content.decode()


@pytest.mark.parametrize("action", ["call_next", "start", "finish"])
def test_desk_action__fragment__own_visit_equals_a_fresh_render(client, world, act_url, action):
    # The answer's own-visit panel is built from the visit the action returned (not read
    # again): it must equal what the own-visit poll renders from the database.
    services.issue_ticket(office=world.office, service=world.tax)
    client.force_login(world.alice)
    steps = {"call_next": [], "start": ["call_next"], "finish": ["call_next", "start"]}[action]
    visit = None
    for step in [*steps, action]:
        data = {"action": step, **({"visit": visit} if visit else {})}
        if step == "finish":
            data["outcome"] = "resolved"
        response = client.post(act_url, data, headers=FRAGMENT)
        assert response.status_code == 200, step
        visit = response["X-Visit-Id"]
    html = response.content.decode()
    answered = "<section" + html.split("<section", 1)[1]
    current = reverse("desk:current", kwargs={"office_code": world.office.code})
    polled = client.get(current).content.decode()
    token = 'name="csrfmiddlewaretoken" value="'

    def without_tokens(text: str) -> str:  # each answer's CSRF token and its version
        text = re.sub(r' data-poll-etag="[^"]*"', "", text)
        return "".join(part.split('"', 1)[-1] for part in text.split(token)).strip()

    assert without_tokens(answered) == without_tokens(polled)


def test_desk_action__fragment__refusal_has_its_status_and_reason(client, world, act_url):
    client.force_login(world.alice)
    response = client.post(act_url, {"action": "call_next"}, headers=FRAGMENT)  # nobody waits
    assert response.status_code == 409
    assert response["X-Refused"] == "409"
    assert 'role="alert"' in response.content.decode()
    assert not Visit.objects.exists()


def test_desk_action__plain_form__still_redirects(client, world, act_url):
    services.issue_ticket(office=world.office, service=world.tax)
    client.force_login(world.alice)
    response = client.post(act_url, {"action": "call_next"})
    assert response.status_code == 303


def test_desk_action__fragment__signed_out__redirects_to_choose(client, world, act_url):
    client.force_login(make_user(offices=[world.office]))  # signed in at no desk
    response = client.post(act_url, {"action": "call_next"}, headers=FRAGMENT)
    assert response.status_code == 303
    assert response["Location"].endswith(reverse("desk:choose"))
