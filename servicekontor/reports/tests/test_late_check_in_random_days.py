"""Random days with kiosk tickets, bookings checked in early, on time or late (before or after
the no-show job reached them), bookings nobody came to and the desk's steps (decision 0059):

- walk-in + booked visits == the people who came (tickets + check-ins let into the queue),
  each one visit, classified once;
- no-shows == the bookings whose citizen never came into the queue, and no booking is both;
- the office's served visits == the live view's served today == distinct visits finished,
  and never more than the visits;
- the rollups kept live == recomputed from the log == rebuilt in SQL.
"""

import contextlib
import datetime as dt

from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from servicekontor.appointments import errors as booking_errors
from servicekontor.appointments import services as booking_services
from servicekontor.appointments.services import Contact
from servicekontor.appointments.tests.conftest import allocate
from servicekontor.core import clock
from servicekontor.core.clock import STOCKHOLM
from servicekontor.queueing import queries as live
from servicekontor.queueing import services
from servicekontor.queueing.errors import QueueError
from servicekontor.queueing.models import Visit, VisitSource, VisitState
from servicekontor.queueing.queries import ACTIVE_STATES
from servicekontor.reports import rollups
from servicekontor.reports.queries import figures
from servicekontor.reports.scope import EVERYTHING

DAY = dt.date(2026, 11, 25)
START = dt.datetime(2026, 11, 25, 10, 0, tzinfo=STOCKHOLM)
BOOKED_AT = [START + dt.timedelta(minutes=m) for m in (0, 0, 30, 60, 90)]

ACTIONS = ("issue", "check_in", "job", "call", "start", "errand", "finish", "transfer", "gone")
steps = st.lists(
    st.tuples(
        st.sampled_from(ACTIONS),
        st.integers(min_value=0, max_value=len(BOOKED_AT) - 1),  # booking / officer / service
        st.integers(min_value=0, max_value=15 * 60),  # seconds before the next step
    ),
    max_size=30,
)


def _act(world, bookings, came: dict[str, int], action: str, which: int) -> None:
    officer = (world.alice, world.bob)[which % 2]
    service = (world.tax, world.parental, world.id_card)[which % 3]
    own = Visit.objects.filter(officer=officer, state__in=ACTIVE_STATES).first()
    if action == "issue":
        visit = services.issue_ticket(office=world.office, service=service)
        came[f"ticket-{visit.pk}"] = visit.pk
    elif action == "check_in":
        booking = bookings[which]
        with contextlib.suppress(booking_errors.CheckInError):
            result = booking_services.check_in_booking(office=world.office, code=booking.code)
            if result.ticket and not result.again:  # let into the queue
                assert result.visit_id is not None
                came[booking.code] = result.visit_id
    elif action == "job":
        booking_services.record_no_shows()
    elif action == "call":
        services.call_next(officer=officer)
    elif own is not None:
        if action == "start":
            services.start_service(officer=officer, visit_id=own.pk)
        elif action == "errand":
            services.record_errand(
                officer=officer, visit_id=own.pk, service=world.tax, outcome="resolved"
            )
        elif action == "finish":
            services.finish_visit(officer=officer, visit_id=own.pk, outcome="resolved")
        elif action == "transfer":
            services.transfer_visit(officer=officer, visit_id=own.pk, service=service)
        elif action == "gone":
            services.mark_no_show(officer=officer, visit_id=own.pk)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(day=steps, policy=st.sampled_from(["walk_in", "no_show"]))
# the walk's two late arrivals: one after the job recorded the booking, one before
@example(
    day=[
        ("issue", 1, 60),
        ("job", 0, 11 * 60),
        ("job", 0, 60),
        ("check_in", 0, 60),
        ("check_in", 1, 60),
        ("call", 0, 0),
        ("start", 0, 60),
        ("finish", 0, 0),
    ],
    policy="walk_in",
)
def test_random_days__one_visit_per_person__no_shows_never_came__served_agrees(
    world, clock_at, settings, day, policy
):
    settings.APPOINTMENTS_GRACE_MINUTES = 10
    settings.APPOINTMENTS_EARLY_CHECK_IN_MINUTES = 30
    settings.APPOINTMENTS_LATE_POLICY = policy
    with transaction.atomic():  # a savepoint per example, rolled back at the end
        allocate(world.office, counters=2)
        clock_at.move_to(START - dt.timedelta(days=1))
        bookings = [
            booking_services.book_appointment(
                office=world.office,
                service=world.parental,
                starts_at=starts,
                contact=Contact(name="A", email=f"a{i}@example.se"),
            ).booking
            for i, starts in enumerate(BOOKED_AT)
        ]
        clock_at.move_to(START - dt.timedelta(minutes=20))
        came: dict[str, int] = {}  # who came into the queue -> their visit
        for action, which, pause in day:
            # not possible now (too early, nothing to call, …): a no-op
            with contextlib.suppress(QueueError, booking_errors.CheckInError):
                _act(world, bookings, came, action, which)
            clock_at.shift(dt.timedelta(seconds=pause))
        # the end of the day: the job records every booking nobody came to
        clock_at.move_to(START.replace(hour=15))
        booking_services.record_no_shows()

        # the rollups the queue kept == the recompute from the log == the SQL rebuild
        raw = rollups.recompute(start=DAY, end=DAY)
        assert rollups.compare(rollups.stored(start=DAY, end=DAY), raw) == []
        rollups.rebuild(start=DAY, end=DAY)
        assert rollups.compare(rollups.stored(start=DAY, end=DAY), raw) == []

        total = figures(
            scope=EVERYTHING, start=DAY, end=DAY, office_ids=[world.office.pk], waits=False
        ).get(())
        walk_in = total.visits_walk_in if total else 0
        booked = total.visits_booked if total else 0
        no_show = total.no_show if total else 0
        served = total.served if total else 0
        # one visit per person who came, classified once
        assert len(set(came.values())) == len(came)
        arrived_bookings = {code for code in came if not code.startswith("ticket-")}
        assert walk_in == len(came) - len(arrived_bookings)
        assert booked == len(arrived_bookings)
        visits = Visit.objects.filter(office=world.office, local_day=DAY)
        records = visits.filter(state=VisitState.NO_SHOW, ticket_number__isnull=True)
        assert walk_in + booked == visits.count() - records.count()
        assert set(visits.exclude(pk__in=records).values_list("pk", flat=True)) == set(
            came.values()
        )
        assert (
            booked
            == visits.filter(source=VisitSource.APPOINTMENT, ticket_number__isnull=False).count()
        )
        # no-shows: the bookings whose citizen never came; none of them came
        never = {b.code for b in bookings} - arrived_bookings
        recorded = set(records.values_list("booking_reference", flat=True))
        assert recorded == never and not recorded & arrived_bookings
        assert no_show == len(never)
        # served: the live view == the statistics == distinct visits finished <= visits
        finished = visits.filter(state=VisitState.FINISHED).count()
        assert live.office_overview(office=world.office).served_today == served == finished
        assert served <= walk_in + booked
        assert clock.local_date_of(clock.now()) == DAY
        transaction.set_rollback(True)
