"""What a screen's request costs in round trips: SQL statements and cache calls, counted.

The screens (desk waiting list, the desk's own visit, the manager's live view, the lobby
board) are most of the requests at the national peak (issue 13); their unchanged answer (304)
and their answer from the shared cache (decision 0027) must stay cheap. The bounds are the
counts measured when they were cut (docs/benchmarks.md, "Screen requests cut"); a change that
adds a round trip to these paths fails here. Tests run with sessions in the database, also
where REDIS_URL is set (`_sessions_in_the_database`): one statement more than production,
where the session is one cache read.

Also: the written-out statements the screens use return what the ORM queries they replace
return (`sql.desk_poll`, `sql.desk_list_inputs`).
"""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from servicekontor.core import clock
from servicekontor.queueing import queries, services, sql
from servicekontor.queueing.tests.conftest import World
from tests.cache_calls import count_cache_calls
from tests.factories import make_user


class CacheCalls:
    """Counts the default cache's calls (each one a round trip with Redis)."""

    def __init__(self) -> None:
        self.calls: list[str] = []


@pytest.fixture(autouse=True)
def _sessions_in_the_database(settings: Any) -> None:
    """The bounds count the session as a statement: with REDIS_URL set, production's
    `cached_db` sessions would move it to a cache call."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


@pytest.fixture
def cache_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[CacheCalls]:
    counted = CacheCalls()
    counted.calls = count_cache_calls(monkeypatch)
    yield counted


def _count(call: Callable[[], Any], cache_calls: CacheCalls) -> tuple[Any, int, list[str]]:
    cache_calls.calls.clear()
    with CaptureQueriesContext(connection) as statements:
        response = call()
    return response, len(statements), list(cache_calls.calls)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _urls(world: World) -> dict[str, str]:
    code = world.office.code
    return {
        "desk": reverse("desk:panel", kwargs={"office_code": code}),
        "current": reverse("desk:current", kwargs={"office_code": code}),
        "live": reverse("desk:live_panel", kwargs={"office_code": code}),
        "board": reverse("lobby:board", kwargs={"office_code": code}),
    }


# Per screen: (statements of a 304, statements and cache calls of an answer from the shared
# cache). Sessions in the database here: each signed-in request reads its session (1) and
# its user (1) first.
BOUNDS = {
    "desk": (3, 4),  # session, user, desk session + versions; + the list's key inputs
    "current": (3, 3),  # session, user, desk session + versions
    "live": (3, 3),  # session, user, office + assignment + versions (sql.live_poll)
    "board": (1, 1),  # board version (the office and its queue settings: registry cache)
}
# Cache calls a screen makes before its fragment: the board's office comes from the shared
# registry cache (`devices.screen_office`), then its opening hours, as the board's version
# carries the opening state (`lobby.views.board_version`): each one MGET of the registry's
# version and the entry (`registry_cache.cached`; four GETs before, branch kioskcpu).
REGISTRY_READS = {"board": ["get_many", "get_many"]}


@pytest.mark.parametrize("screen", sorted(BOUNDS))
def test_screen__304_and_shared_answer__bounded_round_trips(world, screen, cache_calls):
    services.issue_ticket(office=world.office, service=world.tax)
    manager = make_user(role="office_manager", offices=[world.office])
    asker = {"desk": world.alice, "current": world.alice, "live": manager, "board": None}[screen]
    url = _urls(world)[screen]
    # Someone else of the office rendered the fragment (a desk serving the same services, the
    # other manager or display): this asker's first answer is the shared entry.
    other = {"desk": world.alice, "current": world.alice, "live": manager, "board": None}[screen]
    first = (_client(other) if other else Client()).get(url)
    assert first.status_code == 200
    client = _client(asker) if asker else Client()
    shared, shared_statements, shared_cache = _count(lambda: client.get(url), cache_calls)
    assert shared.status_code == 200
    assert shared.content == first.content or screen in ("desk", "current")  # CSRF tokens differ

    unchanged, statements, cache = _count(
        lambda: client.get(url, headers={"if-none-match": shared["ETag"]}), cache_calls
    )

    assert unchanged.status_code == 304
    most_304, most_shared = BOUNDS[screen]
    assert statements <= most_304
    assert cache == REGISTRY_READS.get(screen, [])  # a 304 reads no fragment
    assert shared_statements <= most_shared
    # the entry, read once; nothing written
    assert shared_cache == [*REGISTRY_READS.get(screen, []), "get"]


def test_screen__own_visit_render__leaves_out_the_bookings(world, cache_calls):
    """The own-visit panel does not show today's bookings: its render does not read them."""
    client = _client(world.alice)
    with CaptureQueriesContext(connection) as statements:
        assert client.get(_urls(world)["current"]).status_code == 200
    assert not any("appointments_" in q["sql"] for q in statements.captured_queries)


def test_screen__own_visit__another_officer_never_gets_alices_entry(world):
    """The own-visit entry is per officer and session: bob at his desk gets his own panel."""
    services.issue_ticket(office=world.office, service=world.tax)
    visit = services.call_next(officer=world.alice)
    url = _urls(world)["current"]
    alice = _client(world.alice).get(url)
    bob = _client(world.bob).get(url)
    assert alice.status_code == bob.status_code == 200
    assert visit.ticket.encode() in alice.content
    assert visit.ticket.encode() not in bob.content


def test_screen__not_signed_in_at_this_office__403_before_any_fragment(world, cache_calls):
    charlie = _client(world.charlie)  # signed in nowhere, works at another office
    for name in ("desk", "current"):
        url = _urls(world)[name]

        def ask(url: str = url) -> Any:
            return charlie.get(url)

        response, _statements, cache = _count(ask, cache_calls)
        assert response.status_code == 403
        assert cache == []
    officer = _client(world.alice)
    assert officer.get(_urls(world)["live"]).status_code == 403  # not a manager


# --- the written-out statements against the ORM queries they replace -----------------------


def _inputs_by_orm(officer_id: int, service_point_id: int) -> sql.DeskListInputs:
    return sql.DeskListInputs(
        services=queries.servable_service_ids(
            officer_id=officer_id, service_point_id=service_point_id
        ),
        busy=queries.has_visit(officer_id=officer_id),
    )


def test_desk_list_inputs__same_as_the_orm(world):
    photo = world.id_card.required_capability
    cases = [(world.alice, world.desk1), (world.bob, world.desk2), (world.charlie, world.desk1)]
    for officer, desk in cases:
        got = sql.desk_list_inputs(officer_id=officer.pk, service_point_id=desk.pk)
        assert got == _inputs_by_orm(officer.pk, desk.pk)
    world.desk1.capabilities.add(photo)  # the id card needs the photo station
    got = sql.desk_list_inputs(officer_id=world.alice.pk, service_point_id=world.desk1.pk)
    assert world.id_card.pk in got.services
    assert got == _inputs_by_orm(world.alice.pk, world.desk1.pk)
    services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    busy = sql.desk_list_inputs(officer_id=world.alice.pk, service_point_id=world.desk1.pk)
    assert busy.busy
    assert busy == _inputs_by_orm(world.alice.pk, world.desk1.pk)
    # an officer with no competence at all: no services, and still whether they are busy
    nobody = make_user(offices=[world.office])
    none = sql.desk_list_inputs(officer_id=nobody.pk, service_point_id=world.desk2.pk)
    assert none == sql.DeskListInputs(services=[], busy=False)


def test_desk_poll__same_as_the_session_keys_and_the_versions(world):
    def separately(officer_id: int) -> Any:
        keys = sql.desk_session_keys(officer_id=officer_id)
        if keys is None:
            return None
        return keys, queries.queue_versions(office_id=keys.office_id, officer_id=officer_id)

    assert queries.desk_poll(officer_id=world.charlie.pk) is None  # not signed in
    assert queries.desk_poll(officer_id=world.alice.pk) == separately(world.alice.pk)  # no events
    services.issue_ticket(office=world.office, service=world.tax)
    services.issue_ticket(office=world.office, service=world.parental)
    services.issue_ticket(office=world.office, service=world.tax)
    visit = services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=visit.pk)
    services.call_next(officer=world.bob)
    for officer in (world.alice, world.bob):
        assert queries.desk_poll(officer_id=officer.pk) == separately(officer.pk)


def _listed(visits: Any) -> list[tuple[Any, ...]]:
    return [
        (v.pk, v.ticket, v.booked_start, v.priority, v.arrived_at, v.service.name) for v in visits
    ]


def test_desk_waiting_list__same_as_the_orm(world):
    """The list's one statement (`sql.desk_waiting_list`) against the three ORM queries it
    replaced: the same visits, order and shown values, parked ones, and the office's count."""

    def by_orm(services_: list[int]) -> tuple[Any, ...]:
        waiting = queries.waiting_visits(office=world.office)
        return (
            _listed(waiting.filter(service_id__in=services_)[:50]),
            _listed(queries.parked_visits(office=world.office).filter(service_id__in=services_)),
            waiting.count(),
        )

    def by_sql(services_: list[int]) -> tuple[Any, ...]:
        got = sql.desk_waiting_list(office_id=world.office.pk, services=services_, now=clock.now())
        return _listed(got.waiting), _listed(got.parked), got.waiting_total

    everything = [world.tax.pk, world.parental.pk, world.id_card.pk]
    assert by_sql(everything) == by_orm(everything) == ([], [], 0)
    for service in (world.tax, world.parental, world.tax, world.parental, world.tax):
        services.issue_ticket(office=world.office, service=service)
    held = services.call_next(officer=world.alice)
    services.hold_visit(officer=world.alice, visit_id=held.pk)
    services.call_next(officer=world.bob)  # one called: in neither list nor the count
    for chosen in (everything, [world.tax.pk], [world.parental.pk], []):
        got = by_sql(chosen)
        assert got == by_orm(chosen), chosen
    assert by_sql(everything)[1] and by_sql(everything)[2] == 3  # the held one; 3 waiting
    many = [services.issue_ticket(office=world.office, service=world.tax) for _ in range(52)]
    assert by_sql([world.tax.pk]) == by_orm([world.tax.pk])
    assert len(by_sql([world.tax.pk])[0]) == 50 and many


# Per screen: statements of a full render (no shared fragment yet, e.g. the first screen of
# the office after a change). Sessions in the database here (+1 per signed-in request).
RENDER_BOUNDS = {
    "desk": (5, 5),  # (PostgreSQL, SQLite): the list is one statement (sql.desk_waiting_list)
    "board": (2, 2),  # board version; calls and waiting count (sql.lobby_board); office cached
    # session, user, office + assignment + versions (sql.live_poll); the office; the figures,
    # waiting per service, officers (sql.live_overview)
    "live": (5, 5),
}


@pytest.mark.parametrize("screen", sorted(RENDER_BOUNDS))
def test_screen__full_render__bounded_statements(world, screen, cache_calls):
    services.issue_ticket(office=world.office, service=world.tax)
    called = services.call_next(officer=world.bob)
    url = _urls(world)[screen]
    manager = make_user(role="office_manager", offices=[world.office])
    client = {"desk": _client(world.alice), "live": _client(manager)}.get(screen, Client())
    assert client.get(url).status_code == 200  # the registry reads are cached, as at a peak
    caches["default"].clear()  # the shared fragments too: this render is the office's first
    client.get(url)  # the registry entries again (the clear took them)
    waiting = services.issue_ticket(office=world.office, service=world.tax)  # a change

    rendered, statements, _cache = _count(lambda: client.get(url), cache_calls)

    assert rendered.status_code == 200
    # the list or the board itself, not an empty answer
    shown = {"desk": waiting.ticket, "board": called.ticket, "live": f"{called.ticket}<"}[screen]
    assert shown.encode() in rendered.content
    postgres, sqlite = RENDER_BOUNDS[screen]
    assert statements <= (postgres if connection.vendor == "postgresql" else sqlite), statements
