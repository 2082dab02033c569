"""Polled fragments answer 304 while nothing they show changed, and a change invalidates them.

Desk waiting list (alice at desk 1), the manager's live view, the lobby board: each is
polled with the ETag of its last answer, as the browser's cache (htmx) and the display's
script do.
"""

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse

from servicekontor.queueing import services
from tests.factories import make_user


class Rollback(Exception):
    pass


def _poll(client, url, etag=""):
    return client.get(url, headers={"if-none-match": etag} if etag else {})


@pytest.fixture
def desk_url(world):
    return reverse("desk:panel", kwargs={"office_code": world.office.code})


@pytest.fixture
def live_url(world):
    return reverse("desk:live_panel", kwargs={"office_code": world.office.code})


@pytest.fixture
def board_url(world):
    return reverse("lobby:board", kwargs={"office_code": world.office.code})


@pytest.fixture
def manager(client, world):
    client.force_login(make_user(role="office_manager", offices=[world.office]))
    return client


def test_poll__desk__304_until_a_ticket_is_issued(client, world, desk_url):
    client.force_login(world.alice)
    first = _poll(client, desk_url)
    assert first.status_code == 200
    assert "private" in first["Cache-Control"]

    unchanged = _poll(client, desk_url, first["ETag"])
    assert unchanged.status_code == 304
    assert unchanged.content == b""

    services.issue_ticket(office=world.office, service=world.tax)
    changed = _poll(client, desk_url, first["ETag"])

    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert "S-001" in changed.content.decode()


def test_poll__desk__another_desks_call_invalidates(client, world, desk_url):
    services.issue_ticket(office=world.office, service=world.tax)
    client.force_login(world.alice)
    etag = _poll(client, desk_url)["ETag"]

    services.call_next(officer=world.bob)  # the ticket leaves alice's list too

    changed = _poll(client, desk_url, etag)
    assert changed.status_code == 200
    assert "S-001" not in changed.content.decode()


def test_poll__desk__tag_is_per_desk_session(client, world, desk_url):
    client.force_login(world.alice)
    alice_tag = _poll(client, desk_url)["ETag"]
    client.force_login(world.bob)

    assert _poll(client, desk_url, alice_tag).status_code == 200


def test_poll__desk__weak_and_listed_tags_match(client, world, desk_url):
    client.force_login(world.alice)
    etag = _poll(client, desk_url)["ETag"]

    assert _poll(client, desk_url, f'"other", W/{etag}').status_code == 304


def test_poll__live__304_until_queue_or_staff_change(manager, world, live_url, clock_at):
    etag = _poll(manager, live_url)["ETag"]
    assert _poll(manager, live_url, etag).status_code == 304

    services.set_officer_status(officer=world.bob, status="break")  # no visit event
    after_status = _poll(manager, live_url, etag)
    assert after_status.status_code == 200
    etag = after_status["ETag"]
    assert _poll(manager, live_url, etag).status_code == 304

    services.issue_ticket(office=world.office, service=world.tax)
    after_ticket = _poll(manager, live_url, etag)
    assert after_ticket.status_code == 200
    assert world.tax.name in after_ticket.content.decode()


def test_poll__live__a_new_minute_renders_again(manager, world, live_url, clock_at):
    etag = _poll(manager, live_url)["ETag"]
    clock_at.shift(dt.timedelta(seconds=61))  # waits are shown in whole minutes

    assert _poll(manager, live_url, etag).status_code == 200


def test_poll__board__304_until_a_call(client, world, board_url):
    services.issue_ticket(office=world.office, service=world.tax)
    etag = _poll(client, board_url)["ETag"]
    assert _poll(client, board_url, etag).status_code == 304

    services.call_next(officer=world.alice)
    changed = _poll(client, board_url, etag)

    assert changed.status_code == 200
    assert "S-001" in changed.content.decode()


@pytest.mark.parametrize("which", ["desk", "live", "board"])
def test_poll__rolled_back_change__still_304(client, world, which, desk_url, live_url, board_url):
    client.force_login(make_user(role="office_manager", offices=[world.office]))
    if which == "desk":
        client.force_login(world.alice)
    url = {"desk": desk_url, "live": live_url, "board": board_url}[which]
    etag = _poll(client, url)["ETag"]

    with pytest.raises(Rollback), transaction.atomic():
        services.issue_ticket(office=world.office, service=world.tax)
        raise Rollback

    assert _poll(client, url, etag).status_code == 304


def test_poll__desk__another_desks_start_and_finish_keep_it(client, world, desk_url, clock_at):
    """Starting and finishing a visit change nobody else's waiting list."""
    services.issue_ticket(office=world.office, service=world.tax)
    visit = services.call_next(officer=world.bob)
    client.force_login(world.alice)
    etag = _poll(client, desk_url)["ETag"]

    services.start_service(officer=world.bob, visit_id=visit.pk)
    services.finish_visit(officer=world.bob, visit_id=visit.pk, outcome="resolved")

    assert _poll(client, desk_url, etag).status_code == 304


def test_poll__desk__own_finish_renders_again(client, world, desk_url, clock_at):
    """The list offers "Call" only while the officer has no visit: their own changes count."""
    services.issue_ticket(office=world.office, service=world.tax)
    services.issue_ticket(office=world.office, service=world.tax)
    visit = services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=visit.pk)
    client.force_login(world.alice)
    busy = _poll(client, desk_url)
    assert 'value="call"' not in busy.content.decode()

    services.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="resolved")
    free = _poll(client, desk_url, busy["ETag"])

    assert free.status_code == 200
    assert 'value="call"' in free.content.decode()


def test_poll__desk__a_new_minute_renders_again(client, world, desk_url, clock_at):
    """A booked visit moves to the front at its booked time, with no event: the minute."""
    client.force_login(world.alice)
    etag = _poll(client, desk_url)["ETag"]
    clock_at.shift(dt.timedelta(seconds=61))

    assert _poll(client, desk_url, etag).status_code == 200


def test_poll__board__start_moves_it_finish_keeps_it(client, world, board_url):
    """A start ends the call (the citizen reached the desk: no longer "now serving"), so the
    board changes; finishing a visit being served changes nothing the board shows."""
    services.issue_ticket(office=world.office, service=world.tax)
    visit = services.call_next(officer=world.alice)
    etag = _poll(client, board_url)["ETag"]

    services.start_service(officer=world.alice, visit_id=visit.pk)
    started = _poll(client, board_url, etag)
    assert started.status_code == 200
    services.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="resolved")

    assert _poll(client, board_url, started["ETag"]).status_code == 304
