"""The desk records errands: one more errand while serving, the last one at finish."""

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from servicekontor.queueing import services
from servicekontor.queueing.models import Errand


@pytest.fixture
def alice(client, world):
    client.force_login(world.alice)
    return client


def _act(client, world, **data):
    return client.post(reverse("desk:act", kwargs={"office_code": world.office.code}), data)


def test_desk__errand__two_errands_with_interpreter(alice, world, clock_at):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=visit.pk)
    page = alice.get(reverse("desk:desk", kwargs={"office_code": world.office.code}))
    assert b'name="interpreter_used"' in page.content
    clock_at.shift(dt.timedelta(minutes=4))

    first = _act(
        alice,
        world,
        action="errand",
        visit=visit.pk,
        service=world.tax.pk,
        outcome="resolved",
        interpreter_used="on",
        language="so",
    )
    clock_at.shift(dt.timedelta(minutes=2))
    last = _act(
        alice,
        world,
        action="finish",
        visit=visit.pk,
        service=world.parental.pk,
        outcome="e_service",
    )

    assert (first.status_code, last.status_code) == (303, 303)
    rows = list(
        Errand.objects.filter(visit=visit).values_list(
            "service_id", "outcome", "interpreter_language", "service_seconds"
        )
    )
    assert rows == [
        (world.tax.pk, "resolved", "so", 240),
        (world.parental.pk, "e_service", "", 120),
    ]


def test_desk__errand__bad_language_is_400(alice, world, clock_at):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=visit.pk)

    response = _act(
        alice,
        world,
        action="finish",
        visit=visit.pk,
        outcome="resolved",
        interpreter_used="on",
        language="Swahili",
    )

    assert (response.status_code, response["X-Refused"]) == (303, "400")
    assert not Errand.objects.exists()


def test_desk__finish__split_the_time_with_a_second_errand(alice, world, clock_at):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=visit.pk)
    clock_at.shift(dt.timedelta(minutes=10))

    response = _act(
        alice,
        world,
        action="finish",
        visit=visit.pk,
        outcome="resolved",
        split_service=world.parental.pk,
        split_outcome="e_service",
        split_percent="30",
    )

    assert response.status_code == 303
    rows = list(
        Errand.objects.filter(visit=visit).values_list("service_id", "outcome", "service_seconds")
    )
    assert rows == [(world.tax.pk, "resolved", 420), (world.parental.pk, "e_service", 180)]


def test_desk__finish__bad_split_share_is_400(alice, world, clock_at):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=visit.pk)

    response = _act(
        alice,
        world,
        action="finish",
        visit=visit.pk,
        outcome="resolved",
        split_service=world.parental.pk,
        split_percent="100",
    )

    assert (response.status_code, response["X-Refused"]) == (303, "400")
    assert not Errand.objects.exists()


# --- the errands recorded so far are on the officer's own-visit panel ----------------------

FRAGMENT = {"X-Desk-Fragment": "1"}


def _recorded(html):
    """The texts of the panel's "recorded so far" list ([] when it has none)."""
    found = re.search(r'<ol aria-labelledby="recorded-errands-heading">(.*?)</ol>', html, re.S)
    if found is None:
        return []
    return [" ".join(unescape(li).split()) for li in re.findall(r"<li>(.*?)</li>", found[1], re.S)]


def _serving(world):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=visit.pk)
    return visit


def _errand(client, world, visit, service, outcome, headers=None, **more):
    data = {"action": "errand", "visit": visit.pk, "service": service.pk, "outcome": outcome}
    with translation.override("en"):
        url = reverse("desk:act", kwargs={"office_code": world.office.code})
    return client.post(url, data | more, headers=headers or {})


def _desk(client, world):
    with translation.override("en"):
        url = reverse("desk:desk", kwargs={"office_code": world.office.code})
    return client.get(url).content.decode()


def test_desk__errand__plain_form__the_desk_page_lists_what_was_recorded(alice, world, clock_at):
    visit = _serving(world)
    assert _recorded(_desk(alice, world)) == []  # nothing recorded yet: no list
    clock_at.shift(dt.timedelta(minutes=3))

    response = _errand(
        alice, world, visit, world.tax, "resolved", interpreter_used="on", language="so"
    )
    assert response.status_code == 303
    first = f"{world.skatteverket.name}: {world.tax.name} · Resolved · interpreter (Somali)"
    assert _recorded(_desk(alice, world)) == [first]

    clock_at.shift(dt.timedelta(minutes=2))
    assert _errand(alice, world, visit, world.parental, "e_service").status_code == 303
    assert _recorded(_desk(alice, world)) == [
        first,
        f"{world.fk.name}: {world.parental.name} · Helped with an e-service",
    ]


def test_desk__errand__fragment__the_answer_and_the_next_poll_list_it(alice, world, clock_at):
    visit = _serving(world)
    with translation.override("en"):
        current = reverse("desk:current", kwargs={"office_code": world.office.code})
    before = alice.get(current)
    clock_at.shift(dt.timedelta(minutes=3))

    response = _errand(alice, world, visit, world.tax, "resolved", headers=FRAGMENT)

    assert response.status_code == 200 and response["X-Desk-Parts"] == "1"
    html = response.content.decode()
    assert _recorded(html) == [f"{world.skatteverket.name}: {world.tax.name} · Resolved"]
    # Recording writes no visit event: the own-visit panel's version moves all the same, so a
    # second tab's poll (and the shared render) is not the panel from before the errand.
    etag = html.split('data-poll-etag="')[1].split('"')[0].replace("&quot;", '"')
    assert etag != before["ETag"]
    second_tab = alice.get(current, headers={"if-none-match": before["ETag"]})
    assert second_tab.status_code == 200
    assert _recorded(second_tab.content.decode()) == _recorded(html)
    assert alice.get(current, headers={"if-none-match": etag}).status_code == 304


def test_desk__errand__finished_visit_leaves_no_list_behind(alice, world, clock_at):
    visit = _serving(world)
    clock_at.shift(dt.timedelta(minutes=3))
    _errand(alice, world, visit, world.tax, "resolved")
    with translation.override("en"):
        url = reverse("desk:act", kwargs={"office_code": world.office.code})
    alice.post(url, {"action": "finish", "visit": visit.pk, "outcome": "resolved"})
    assert _recorded(_desk(alice, world)) == []


def test_desk__errand__another_officers_visit_is_not_listed(client, world, clock_at):
    visit = _serving(world)
    clock_at.shift(dt.timedelta(minutes=3))
    services.record_errand(
        officer=world.alice, visit_id=visit.pk, service=world.tax, outcome="resolved"
    )
    client.force_login(world.bob)
    assert _recorded(_desk(client, world)) == []


def test_desk__errand__swedish_list(alice, world, clock_at):
    visit = _serving(world)
    clock_at.shift(dt.timedelta(minutes=3))
    _errand(alice, world, visit, world.tax, "resolved")
    with translation.override("sv"):
        url = reverse("desk:desk", kwargs={"office_code": world.office.code})
    html = alice.get(url).content.decode()
    assert "Registrerat för besöket hittills" in html
    assert len(_recorded(html)) == 1
