"""The shared registry reads (`network.registry_cache`) never serve the registry as it was
before a change: not after a save or delete (signals), not after a bulk write (which sends
none), not after a commit that a reader raced."""

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from servicekontor.core import clock
from servicekontor.network import opening_hours, registry_cache
from servicekontor.network.models import (
    ExceptionKind,
    Milestone,
    Offering,
    Office,
    OpeningException,
)
from servicekontor.network.services import move_milestone
from tests.cache_calls import count_cache_calls
from tests.factories import make_offering, make_office, make_service

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2025, 3, 10)
NOON = clock.local_datetime(MONDAY, dt.time(12, 0))


def test_registry_cache__second_read__no_statement() -> None:
    office = make_office()
    registry_cache.schedule(office)
    with CaptureQueriesContext(connection) as queries:
        schedule = registry_cache.schedule(office)
    assert len(queries) == 0
    assert opening_hours.is_open(schedule, NOON)


def test_registry_cache__exception_added__schedule_read_again() -> None:
    office = make_office()
    assert opening_hours.is_open(registry_cache.schedule(office), NOON)

    OpeningException.objects.create(office=office, date=MONDAY, kind=ExceptionKind.CLOSED)

    assert not opening_hours.is_open(registry_cache.schedule(office), NOON)


def test_registry_cache__exception_deleted__schedule_read_again() -> None:
    office = make_office()
    closed = OpeningException.objects.create(office=office, date=MONDAY, kind=ExceptionKind.CLOSED)
    assert not opening_hours.is_open(registry_cache.schedule(office), NOON)

    closed.delete()

    assert opening_hours.is_open(registry_cache.schedule(office), NOON)


def test_registry_cache__offering_ended__office_no_longer_offers() -> None:
    office, service = make_office(), make_service(mode="both")
    offering = make_offering(office=office, service=service)
    assert registry_cache.offices_offering(service=service, day=MONDAY) == [office]

    offering.valid_to = MONDAY - dt.timedelta(days=1)
    offering.save()

    assert registry_cache.offices_offering(service=service, day=MONDAY) == []


def test_registry_cache__as_of_the_day__each_day_its_own_offices() -> None:
    office, service = make_office(), make_service(mode="both")
    make_offering(office=office, service=service, valid_from=MONDAY)
    assert registry_cache.offices_offering(service=service, day=MONDAY - dt.timedelta(1)) == []
    assert registry_cache.offices_offering(service=service, day=MONDAY) == [office]


def test_registry_cache__milestone_moved_by_bulk_update__office_closes_on_the_new_date() -> None:
    closing = Milestone.objects.create(code="closing", name_sv="Closing", date=dt.date(2030, 1, 1))
    office, service = make_office(closed_on=dt.date(2030, 1, 1)), make_service(mode="both")
    Office.objects.filter(pk=office.pk).update(closed_with=closing)
    make_offering(office=office, service=service)
    assert registry_cache.offices_offering(service=service, day=MONDAY) == [office]

    move_milestone(milestone=closing, new_date=MONDAY)  # QuerySet.update: no signals

    assert registry_cache.offices_offering(service=service, day=MONDAY) == []


def test_registry_cache__read_during_the_change__retired_at_commit(
    django_capture_on_commit_callbacks,
) -> None:
    """A reader that stores the old rows under the version of the moment, between the
    change's signal and its commit, is not read after the commit."""
    office, service = make_office(), make_service(mode="both")
    offering = make_offering(office=office, service=service)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Offering.objects.filter(pk=offering.pk).delete()  # the signal bumps the version
        # What another connection, not seeing the uncommitted delete, would have stored:
        # the old rows under the version of the moment.
        cache.set(
            f"network:registry:tagged:offering:{service.pk}:{MONDAY.isoformat()}",
            (registry_cache.version(), [office]),
            None,
        )
    assert registry_cache.offices_offering(service=service, day=MONDAY) == []


def test_registry_cache__office_by_code_and_service__changes_seen() -> None:
    office, service = make_office(code="umea"), make_service(mode="both")
    assert registry_cache.office_by_code("umea") == office
    assert registry_cache.office_by_code("nowhere") is None
    assert registry_cache.service_with_agency(service.pk).bookable  # type: ignore[union-attr]

    office.code = "umea-2"
    office.save()
    service.mode = "walk_in"
    service.save()

    assert registry_cache.office_by_code("umea") is None
    assert not registry_cache.service_with_agency(service.pk).bookable  # type: ignore[union-attr]


def test_registry_cache__entry_of_another_version__built_again() -> None:
    office = make_office(code="umea")
    # An entry left by a reader of an earlier version (say, the rows before a change).
    cache.set("network:registry:tagged:office:umea", ("an-earlier-version", [make_office()]), None)

    assert registry_cache.office_by_code("umea") == office
    stored = cache.get("network:registry:tagged:office:umea")
    assert stored == (registry_cache.version(), [office])


def test_registry_cache__a_hit__one_cache_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """The version and the entry in one round trip (one MGET on Redis), nothing else."""
    office = make_office()
    registry_cache.schedule(office)
    calls = count_cache_calls(monkeypatch)

    registry_cache.schedule(office)

    assert calls == ["get_many"]


def _entries() -> int:
    """The registry entries in the (test's local-memory or Redis) cache."""
    store: Any = getattr(cache, "_cache", None)
    if isinstance(store, dict):
        return sum(1 for key in store if "network:registry:" in str(key))
    client = store.get_client()  # Redis
    return sum(1 for _ in client.scan_iter(match="*network:registry:*"))


@pytest.mark.parametrize(
    "lookup",
    [
        lambda code: registry_cache.office_by_code(code),
        lambda code: registry_cache.agency_by_code(code),
    ],
)
def test_registry_cache__made_up_codes__nothing_kept(lookup) -> None:
    """A lookup keyed by a URL's part: a code nobody has is not kept (each would be an entry
    for an hour in the shared cache, as many as an attacker makes up), and one that cannot be
    a code (longer than the column, not a slug) is not even looked up."""
    registry_cache.registry_changed()
    before = _entries()
    for n in range(50):
        assert lookup(f"no-such-{n}") is None
    assert _entries() == before
    with CaptureQueriesContext(connection) as queries:
        for code in ("x" * 61, "x" * 100_000, "kista/..", "²", "a b", ""):
            assert lookup(code) is None
    assert len(queries) == 0


def test_registry_cache__a_known_code__kept() -> None:
    office = make_office(code="kista")
    assert registry_cache.office_by_code("kista") == office
    with CaptureQueriesContext(connection) as queries:
        assert registry_cache.office_by_code("kista") == office
    assert len(queries) == 0
