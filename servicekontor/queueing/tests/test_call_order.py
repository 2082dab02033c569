"""Property: call-next takes visits exactly in the documented order, whatever the mix."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicekontor.core.clock import STOCKHOLM
from servicekontor.queueing import queries, services
from servicekontor.queueing.errors import EmptyQueue
from servicekontor.queueing.models import Visit

NOW = dt.datetime(2026, 11, 25, 10, 30, tzinfo=STOCKHOLM)

visit_specs = st.lists(
    st.tuples(
        st.integers(min_value=-60, max_value=0),  # arrived minutes before now
        st.sampled_from([0, 10]),  # priority
        st.one_of(st.none(), st.integers(min_value=-30, max_value=30)),  # booked offset
    ),
    min_size=1,
    max_size=8,
)


def expected_key(visit: Visit) -> tuple:
    due = visit.booked_start is not None and visit.booked_start <= NOW
    return (
        0 if due else 1,
        visit.booked_start if due else NOW,
        -visit.priority,
        visit.queued_at,
        visit.pk,
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(specs=visit_specs)
def test_visit__call_next__follows_booking_then_priority_then_arrival(world, specs):
    Visit.objects.all().delete()
    for i, (arrived, priority, booked) in enumerate(specs):
        if booked is None:
            visit = services.issue_ticket(office=world.office, service=world.tax, priority=priority)
        else:
            visit = services.check_in_booked_visit(
                office=world.office,
                service=world.tax,
                booked_start=NOW + dt.timedelta(minutes=booked),
                booking_reference=f"B-{world.office.pk}-{i}-{Visit.objects.count()}-{arrived}",
            )
            Visit.objects.filter(pk=visit.pk).update(priority=priority)
        at = NOW + dt.timedelta(minutes=arrived)
        Visit.objects.filter(pk=visit.pk).update(arrived_at=at, queued_at=at)
    expected = [v.pk for v in sorted(Visit.objects.all(), key=expected_key)]
    # The desk's list (ORM, in_call_order) and call-next (written-out SQL) agree with it.
    assert [v.pk for v in queries.waiting_visits(office=world.office)] == expected

    called = []
    while True:
        try:
            visit = services.call_next(officer=world.alice)
        except EmptyQueue:
            break
        called.append(visit.pk)
        services.start_service(officer=world.alice, visit_id=visit.pk)
        services.finish_visit(officer=world.alice, visit_id=visit.pk, outcome="resolved")

    assert called == expected
