"""`sql.current_visit` (the own-visit panel's one statement) gives what the ORM's two reads gave.

The ORM reads it replaces: `queries.current_visit` (the visit with its service and agency)
and `queries.recorded_errands` (its errands with theirs, in order). Compared field by field
and type by type, in every state an officer's visit passes through and with its errands.
"""

import datetime as dt

import pytest

from servicekontor.catalog.models import Agency, Service
from servicekontor.queueing import queries, services, sql
from servicekontor.queueing.models import Errand, Visit


def _fields(obj: object, model: type) -> list[tuple[str, object, type]]:
    return [
        (f.attname, getattr(obj, f.attname), type(getattr(obj, f.attname)))
        for f in model._meta.concrete_fields  # type: ignore[attr-defined]
    ]


def _orm(officer) -> tuple[Visit, list[Errand]] | None:
    visit = queries.current_visit(officer=officer)
    if visit is None:
        return None
    errands = list(
        Errand.objects.filter(visit_id=visit.pk)
        .select_related("service__agency")
        .order_by("position")
    )
    return visit, errands


def _at_desk(officer) -> Visit:
    """`_same_as_orm` where the officer has a visit."""
    visit = _same_as_orm(officer)
    assert visit is not None
    return visit


def _same_as_orm(officer) -> Visit | None:
    """`sql.current_visit` against the ORM's reads; the visit (None if none)."""
    written = sql.current_visit(officer_id=officer.pk)
    expected = _orm(officer)
    if expected is None:
        assert written is None
        return None
    assert written is not None
    (visit, errands), (orm_visit, orm_errands) = written, expected
    assert _fields(visit, Visit) == _fields(orm_visit, Visit)
    assert _fields(visit.service, Service) == _fields(orm_visit.service, Service)
    assert _fields(visit.service.agency, Agency) == _fields(orm_visit.service.agency, Agency)
    assert len(errands) == len(orm_errands)
    for errand, orm_errand in zip(errands, orm_errands, strict=True):
        assert _fields(errand, Errand) == _fields(orm_errand, Errand)
        assert _fields(errand.service, Service) == _fields(orm_errand.service, Service)
        assert _fields(errand.service.agency, Agency) == _fields(orm_errand.service.agency, Agency)
    return visit


def test_current_visit__each_state_of_the_officers_visit__as_the_orm(world, clock_at):
    alice = world.alice
    assert _same_as_orm(alice) is None  # signed in, nothing called
    first = services.issue_ticket(office=world.office, service=world.tax)
    second = services.issue_ticket(office=world.office, service=world.parental)
    clock_at.shift(dt.timedelta(minutes=3))
    services.call_next(officer=alice)
    assert _at_desk(alice).pk == first.pk  # called
    # Bob's visit is his, not Alice's
    third = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.bob)
    assert _at_desk(world.bob).pk == third.pk
    assert _at_desk(alice).pk == first.pk
    services.start_service(officer=alice, visit_id=first.pk)
    assert _at_desk(alice).state == "serving"  # serving, no errand yet
    for minutes, service, interpreter in ((2, world.tax, ""), (3, world.parental, "AR")):
        clock_at.shift(dt.timedelta(minutes=minutes))
        services.record_errand(
            officer=alice,
            visit_id=first.pk,
            service=service,
            outcome="e_service",
            interpreter_used=bool(interpreter),
            interpreter_language=interpreter,
        )
    visit = _at_desk(alice)  # serving, two errands recorded
    assert [e.service_id for e in queries.recorded_errands(visit)] == [
        world.tax.pk,
        world.parental.pk,
    ]
    services.hold_visit(officer=alice, visit_id=first.pk)
    assert _same_as_orm(alice) is None  # on hold: no longer at the desk
    services.call_visit(officer=alice, visit_id=first.pk)
    assert _at_desk(alice).state == "called"  # called back, its errands still there
    services.start_service(officer=alice, visit_id=first.pk)
    services.finish_visit(officer=alice, visit_id=first.pk, outcome="resolved")
    assert _same_as_orm(alice) is None  # finished
    # A booked, prioritised visit: the columns the panel shows beside the ticket
    services.call_visit(officer=alice, visit_id=second.pk)
    Visit.objects.filter(pk=second.pk).update(
        priority=1, booked_start=dt.datetime(2026, 11, 25, 9, 40, tzinfo=dt.UTC)
    )
    shown = _at_desk(alice)
    assert shown.priority and shown.booked_start is not None


def test_current_visit_with_errands__one_statement__errands_kept(
    world, clock_at, django_assert_num_queries
):
    visit = services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    services.start_service(officer=world.alice, visit_id=visit.pk)
    services.record_errand(
        officer=world.alice, visit_id=visit.pk, service=world.tax, outcome="e_service"
    )
    with django_assert_num_queries(1):
        found = queries.current_visit_with_errands(officer_id=world.alice.pk)
        assert found is not None
        (errand,) = queries.recorded_errands(found)
        assert (errand.service.agency.name, found.service.agency.name) == (
            world.skatteverket.name,
            world.skatteverket.name,
        )


@pytest.mark.parametrize("signed_in", [True, False])
def test_current_visit__no_visit__none(world, signed_in):
    if not signed_in:
        services.sign_out_of_desk(officer=world.alice)
    assert sql.current_visit(officer_id=world.alice.pk) is None
    assert queries.current_visit_with_errands(officer_id=world.charlie.pk) is None
