"""Property: the pure call-order key sorts visits exactly as the ORM's `in_call_order`, and so
does the desk's waiting-list statement (`sql.desk_waiting_list`)."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicekontor.core.clock import STOCKHOLM
from servicekontor.queueing import sql
from servicekontor.queueing.call_order import call_order_key, is_due
from servicekontor.queueing.models import Visit
from servicekontor.queueing.queries import in_call_order

NOW = dt.datetime(2026, 11, 25, 10, 30, tzinfo=STOCKHOLM)

visit_specs = st.lists(
    st.tuples(
        st.integers(min_value=-90, max_value=0),  # queued minutes before now (ties likely)
        st.sampled_from([0, 10]),  # priority
        st.one_of(st.none(), st.integers(min_value=-30, max_value=30)),  # booked offset
        st.sampled_from([0, 10]),  # service: tax or parental (order ignores the agency)
    ),
    min_size=1,
    max_size=10,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(specs=visit_specs)
def test_call_order_key__agrees_with_in_call_order(world, specs):
    Visit.objects.all().delete()
    for i, (queued, priority, booked, service) in enumerate(specs):
        at = NOW + dt.timedelta(minutes=queued)
        Visit.objects.create(
            office=world.office,
            service=world.tax if service == 0 else world.parental,
            local_day=NOW.date(),
            ticket_letter="S",
            ticket_number=i + 1,
            priority=priority,
            arrived_at=at,
            queued_at=at,
            booked_start=None if booked is None else NOW + dt.timedelta(minutes=booked),
            booking_reference="" if booked is None else f"B-{i}",
            source="kiosk" if booked is None else "appointment",
        )
    visits = list(Visit.objects.all())
    by_key = sorted(
        visits,
        key=lambda v: call_order_key(
            booked_start=v.booked_start,
            priority=v.priority,
            queued_at=v.queued_at,
            visit_id=v.pk,
            now=NOW,
        ),
    )
    by_orm = list(in_call_order(Visit.objects.all(), now=NOW))
    assert [v.pk for v in by_key] == [v.pk for v in by_orm]
    listed = sql.desk_waiting_list(
        office_id=world.office.pk, services=[world.tax.pk, world.parental.pk], now=NOW
    )
    assert [v.pk for v in listed.waiting] == [v.pk for v in by_orm]
    assert listed.waiting_total == len(by_orm)


def test_call_order_key__works_on_plain_seconds():
    # the simulator's form: seconds since midnight
    walk_in = call_order_key(booked_start=None, priority=0, queued_at=100.0, visit_id=1, now=500.0)
    early = call_order_key(booked_start=600.0, priority=0, queued_at=50.0, visit_id=2, now=500.0)
    due = call_order_key(booked_start=400.0, priority=0, queued_at=450.0, visit_id=3, now=500.0)
    urgent = call_order_key(booked_start=None, priority=10, queued_at=300.0, visit_id=4, now=500.0)
    assert sorted([walk_in, early, due, urgent]) == [due, urgent, early, walk_in]
    assert is_due(400.0, 500.0) and not is_due(None, 500.0) and not is_due(600.0, 500.0)


def test_call_order_key__keys_not_due_order_alike_whenever_computed():
    # the simulators compute a key once, when a visit joins the line, and compare it later
    early = call_order_key(booked_start=None, priority=0, queued_at=100.0, visit_id=1, now=100.0)
    urgent = call_order_key(booked_start=None, priority=10, queued_at=300.0, visit_id=2, now=300.0)
    later = call_order_key(booked_start=900.0, priority=0, queued_at=50.0, visit_id=3, now=50.0)
    assert sorted([early, later, urgent]) == [urgent, later, early]
