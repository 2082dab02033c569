"""queries.queue_version: moves with every committed change, never with a rolled-back one,
and never stays put when transactions commit out of id order (PostgreSQL, real connections)."""

import threading

import pytest
from django.db import connection, transaction

from servicekontor.queueing import queries, services
from tests.factories import make_offering

from .conftest import build_world


class Rollback(Exception):
    pass


def test_queue_version__each_change_moves_it(world):
    seen = {queries.queue_version(office_id=world.office.pk)}

    visit = services.issue_ticket(office=world.office, service=world.tax)
    seen.add(queries.queue_version(office_id=world.office.pk))
    services.call_next(officer=world.alice)
    seen.add(queries.queue_version(office_id=world.office.pk))
    services.start_service(officer=world.alice, visit_id=visit.pk)
    seen.add(queries.queue_version(office_id=world.office.pk))

    assert len(seen) == 4


def test_queue_version__other_office_does_not_move_it(world):
    make_offering(office=world.other_office, service=world.tax)
    before = queries.queue_version(office_id=world.office.pk)

    services.issue_ticket(office=world.other_office, service=world.tax)

    assert queries.queue_version(office_id=world.office.pk) == before


def test_queue_version__rollback_leaves_it(world):
    before = queries.queue_version(office_id=world.office.pk)

    with pytest.raises(Rollback), transaction.atomic():
        services.issue_ticket(office=world.office, service=world.tax)
        assert queries.queue_version(office_id=world.office.pk) != before  # inside: seen
        raise Rollback

    assert queries.queue_version(office_id=world.office.pk) == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_queue_version__commit_out_of_id_order_still_moves_it(clock_at):
    """A takes the lower event id, B the higher and commits first; A's commit must still
    change the version a poller sees (a max-id tag would not move: a stale 304)."""
    world = build_world()
    waiting = services.issue_ticket(office=world.office, service=world.tax)
    a_inserted, b_committed = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def slow_kiosk() -> None:
        try:
            with transaction.atomic():
                # Another service than the visit called below: the statistics' rollup row
                # of a service and hour is updated in the transaction of each change
                # (decision 0014), so a ticket of the same service held open would make the
                # call wait for it, and the ids would not interleave as this test needs.
                services.issue_ticket(office=world.office, service=world.parental)  # event id n
                a_inserted.set()
                assert b_committed.wait(10)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_kiosk)
    thread.start()
    assert a_inserted.wait(10)
    called = services.call_next(officer=world.alice)  # event id n + 1, committed first
    assert called.pk == waiting.pk
    before = queries.queue_version(office_id=world.office.pk)
    b_committed.set()
    thread.join(10)

    assert errors == []
    assert queries.queue_version(office_id=world.office.pk) != before
