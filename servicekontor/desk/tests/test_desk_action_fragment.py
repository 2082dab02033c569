"""A desk action sent by desk.js (X-Desk-Fragment: 1) is answered with the changed parts, not
a redirect to the whole page (decision 0026); a plain form still gets the 303."""

import pytest
from django.urls import reverse

from servicekontor.queueing import services
from servicekontor.queueing.models import Visit, VisitState
from tests.factories import make_user

FRAGMENT = {"X-Desk-Fragment": "1"}


@pytest.fixture
def act_url(world):
    return reverse("desk:act", kwargs={"office_code": world.office.code})


def test_desk_action__fragment__called_visit_and_list_in_one_answer(client, world, act_url):
    services.issue_ticket(office=world.office, service=world.tax)
    services.issue_ticket(office=world.office, service=world.tax)
    client.force_login(world.alice)
    response = client.post(act_url, {"action": "call_next"}, headers=FRAGMENT)
    assert response.status_code == 200
    assert response["X-Desk-Parts"] == "1"
    html = response.content.decode()
    for part in ('id="desk-message"', 'id="current-panel"', 'id="waiting-panel"'):
        assert part in html
    assert "<html" not in html  # the parts only, not the page
    called = Visit.objects.get(state=VisitState.CALLED)
    assert response["X-Visit-Id"] == str(called.pk)
    assert called.ticket in html
    # the next poll of each part is a 304: the answer carried their versions
    etag = html.split('id="waiting-panel"')[1].split('data-poll-etag="')[1].split('"')[0]
    panel = reverse("desk:panel", kwargs={"office_code": world.office.code})
    assert (
        client.get(panel, headers={"if-none-match": etag.replace("&quot;", '"')}).status_code == 304
    )


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
