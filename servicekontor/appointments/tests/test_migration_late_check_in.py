"""Migration 0007: a stored late check-in (the booking's no-show record plus a walk-in ticket,
as check-ins wrote them before decision 0059) becomes the booking's one booked visit; the
rollups rebuilt from the log then count one booked visit and no no-show."""

import importlib

import time_machine
from django.apps import apps
from django.core.management import call_command

from servicekontor.appointments import services
from servicekontor.appointments.models import BookingStatus
from servicekontor.appointments.services import Contact
from servicekontor.appointments.tests.conftest import MONDAY_MORNING, local
from servicekontor.queueing import services as queue_services
from servicekontor.queueing.models import Visit, VisitEvent, VisitSource, VisitState
from servicekontor.reports.queries import figures
from servicekontor.reports.scope import EVERYTHING

migration = importlib.import_module(
    "servicekontor.appointments.migrations.0007_late_check_in_one_booked_visit"
)

MONDAY = MONDAY_MORNING.date()


def test_migration__late_pair_becomes_one_booked_visit(office, service, db):
    with time_machine.travel(MONDAY_MORNING, tick=False):
        late, never = (
            services.book_appointment(
                office=office,
                service=service,
                starts_at=local(MONDAY, 11),
                contact=Contact(name=name, email=f"{name}@x.se"),
            ).booking
            for name in ("a", "b")
        )
    with time_machine.travel(local(MONDAY, 11, 30), tick=False):
        # what a late check-in wrote before: the no-show record and a walk-in ticket
        queue_services.record_booked_no_show(
            office=office,
            service=service,
            booked_start=late.starts_at,
            booking_reference=late.code,
        )
        ticket = queue_services.issue_ticket(office=office, service=service)
        late.status, late.visit_id = BookingStatus.LATE, ticket.pk
        late.save(update_fields=["status", "visit_id"])
        assert services.record_no_shows() == 1  # `never`
        before = figures(scope=EVERYTHING, start=MONDAY, end=MONDAY)[()]
        assert (before.visits_walk_in, before.no_show) == (1, 2)

        migration.forwards(apps, None)
        migration.forwards(apps, None)  # twice: nothing more changes

        visit = Visit.objects.get(booking_reference=late.code)
        assert visit.pk == ticket.pk and visit.source == VisitSource.APPOINTMENT
        assert list(VisitEvent.objects.filter(visit=visit).values_list("action", flat=True)) == [
            "check_in"
        ]
        assert Visit.objects.get(booking_reference=never.code).state == VisitState.NO_SHOW
        assert Visit.objects.count() == 2
        call_command("reconcile_statistics", "--from", str(MONDAY), "--to", str(MONDAY), "--fix")
        after = figures(scope=EVERYTHING, start=MONDAY, end=MONDAY)[()]
        assert (after.visits_walk_in, after.visits_booked, after.no_show) == (0, 1, 1)
        call_command("reconcile_statistics", "--from", str(MONDAY), "--to", str(MONDAY))
