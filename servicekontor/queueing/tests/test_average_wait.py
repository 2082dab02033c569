"""Property: the live view's mean wait (`queries.average_wait_minutes`, one aggregate statement:
`sql.visit_waits`, the rows the live view reads in `sql.live_overview`) equals the figure it
replaced, which read every ISSUE/CHECK_IN/CALL event of the day's called
visits into Python (kept here as the reference), on random event logs."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicekontor.core.clock import STOCKHOLM
from servicekontor.core.rounding import exported
from servicekontor.network.models import Office
from servicekontor.queueing.models import Visit, VisitAction, VisitEvent, VisitState
from servicekontor.queueing.queries import average_wait_minutes

SINCE = dt.datetime(2026, 11, 25, 0, 0, tzinfo=STOCKHOLM)


def _by_reading_every_event(*, office: Office, since: dt.datetime) -> float | None:
    """The figure as the live view computed it before (session 10): every event in Python."""
    called_since = VisitEvent.objects.filter(
        office=office, action=VisitAction.CALL, at__gte=since
    ).values("visit_id")
    events = VisitEvent.objects.filter(
        visit_id__in=called_since,
        action__in=(VisitAction.ISSUE, VisitAction.CHECK_IN, VisitAction.CALL),
    ).values_list("visit_id", "action", "at")
    entered: dict[int, dt.datetime] = {}
    first_call: dict[int, dt.datetime] = {}
    for visit_id, action, at in events:
        if action == VisitAction.CALL:
            if visit_id not in first_call or at < first_call[visit_id]:
                first_call[visit_id] = at
        else:
            entered[visit_id] = at
    waits = [
        (called - entered[v]).total_seconds() / 60
        for v, called in first_call.items()
        if v in entered and called >= since
    ]
    # rounded half up, the rule of every figure (`core.rounding`; it was Python's round, whose
    # ties go to even: a mean of 0.25 minutes read 0.2)
    return exported(sum(waits) / len(waits), 1) if waits else None


# A time around `since`, in quarter minutes (exact in binary: the two sums agree to the bit
# whatever order they add in), from the evening before to the afternoon.
quarter_minutes = st.integers(min_value=-4 * 180, max_value=4 * 15 * 60)
visit_logs = st.lists(
    st.tuples(
        st.sampled_from([None, VisitAction.ISSUE, VisitAction.CHECK_IN]),  # how it entered
        quarter_minutes,  # when it entered
        st.lists(quarter_minutes, max_size=3),  # its calls (recalls, calls after a hold)
        st.lists(  # other events (not read)
            st.tuples(st.sampled_from([VisitAction.START, VisitAction.HOLD]), quarter_minutes),
            max_size=2,
        ),
    ),
    max_size=8,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(logs=visit_logs)
def test_average_wait_minutes__equals_reading_every_event(world, logs):
    Visit.objects.all().delete()
    events = []
    for i, (entry, entered, calls, others) in enumerate(logs):
        visit = Visit.objects.create(
            office=world.office,
            service=world.tax,
            local_day=SINCE.date(),
            ticket_letter="S",
            ticket_number=i + 1,
            arrived_at=SINCE,
            queued_at=SINCE,
        )
        timed = [(action, q) for action, q in others] + [(VisitAction.CALL, q) for q in calls]
        if entry is not None:
            timed.append((entry, entered))
        for action, q in timed:
            events.append(
                VisitEvent(
                    visit=visit,
                    office=world.office,
                    service=world.tax,
                    at=SINCE + dt.timedelta(seconds=15 * q),
                    action=action,
                    to_state=VisitState.WAITING,
                )
            )
    VisitEvent.objects.bulk_create(events)
    expected = _by_reading_every_event(office=world.office, since=SINCE)
    assert average_wait_minutes(office=world.office, since=SINCE) == expected


def test_average_wait_minutes__the_cases_by_hand(world):
    Visit.objects.all().delete()

    def visit(n: int, *timed: tuple[str, float]) -> None:
        v = Visit.objects.create(
            office=world.office,
            service=world.tax,
            local_day=SINCE.date(),
            ticket_letter="S",
            ticket_number=n,
            arrived_at=SINCE,
            queued_at=SINCE,
        )
        for action, minutes in timed:
            VisitEvent.objects.create(
                visit=v,
                office=world.office,
                service=world.tax,
                at=SINCE + dt.timedelta(minutes=minutes),
                action=action,
                to_state=VisitState.WAITING,
            )

    assert average_wait_minutes(office=world.office, since=SINCE) is None  # nobody called
    visit(1, (VisitAction.ISSUE, 10), (VisitAction.CALL, 14), (VisitAction.CALL, 30))  # 4, twice
    visit(2, (VisitAction.CHECK_IN, 20), (VisitAction.CALL, 27))  # a check-in: 7
    visit(3, (VisitAction.ISSUE, -30), (VisitAction.CALL, -5), (VisitAction.CALL, 40))  # before
    visit(4, (VisitAction.CALL, 50))  # no entry event: not counted
    assert average_wait_minutes(office=world.office, since=SINCE) == 5.5
    assert _by_reading_every_event(office=world.office, since=SINCE) == 5.5
    # a mean of x.x5 minutes is rounded up, as a person rounds: 5.25 (4, 7 and 4.75) → 5.3
    visit(5, (VisitAction.ISSUE, 60), (VisitAction.CALL, 64.75))
    assert average_wait_minutes(office=world.office, since=SINCE) == 5.3
