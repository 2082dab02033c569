"""A booked citizen who arrives late and is queued is one *booked* visit that arrived late — not
a walk-in plus a no-show; no-shows are the bookings nobody came to; an office's served visits
are its visits served, once each, as the live view counts them (decision 0059).

The browser walk at Kista, through the real use cases (kiosk tickets, the booking check-in,
the desk, the no-show job): 5 kiosk tickets, 2 booked citizens checking in late (one after the
no-show job had recorded their booking, one before), 4 bookings nobody came to; S-001 and
P-003 finished (P-003 with errands for two agencies), F-002 transferred. The live view, the
statistics (page, figures, API), the rollups (live, recomputed, rebuilt in SQL) and counts
from the raw rows must all agree."""

import datetime as dt
import re

from django.urls import reverse

from servicekontor.accounts.models import Competence
from servicekontor.appointments import services as booking_services
from servicekontor.appointments.models import Booking, BookingStatus
from servicekontor.appointments.services import Contact
from servicekontor.appointments.tests.conftest import allocate
from servicekontor.core.clock import STOCKHOLM
from servicekontor.queueing import queries as live
from servicekontor.queueing import services
from servicekontor.queueing.errands import ErrandPart
from servicekontor.queueing.models import Visit, VisitEvent, VisitSource, VisitState
from servicekontor.reports import rollups
from servicekontor.reports.queries import figures
from servicekontor.reports.scope import EVERYTHING
from tests.factories import make_agency, make_offering, make_service

DAY = dt.date(2026, 11, 25)  # the queue world's Wednesday


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, 25, hour, minute, tzinfo=STOCKHOLM)


def _rollups_agree() -> None:
    """The rollups the queue kept == the Python recompute from the log == the SQL rebuild."""
    raw = rollups.recompute(start=DAY, end=DAY)
    assert rollups.compare(rollups.stored(start=DAY, end=DAY), raw) == []
    rollups.rebuild(start=DAY, end=DAY)
    assert rollups.compare(rollups.stored(start=DAY, end=DAY), raw) == []


def _row(body: str, label: str) -> str:
    found = re.search(rf'<th scope="row">{re.escape(label)}</th><td>([^<]*)</td>', body)
    assert found is not None, label
    return found.group(1)


def test_walk_at_kista__late_check_ins_are_booked_visits__live_view_equals_statistics(
    world, clock_at, people, client, settings
):
    settings.APPOINTMENTS_GRACE_MINUTES = 10
    settings.APPOINTMENTS_LATE_POLICY = "walk_in"
    office = world.office
    pension_agency = make_agency(letter="P", code="pensionsmyndigheten")
    pension = make_service(agency=pension_agency, code="pension")
    make_offering(office=office, service=pension)
    Competence.objects.create(user=world.alice, agency=pension_agency)
    allocate(office)

    # six Försäkringskassan bookings, made the day before
    clock_at.move_to(at(9) - dt.timedelta(days=1))
    booked = [
        booking_services.book_appointment(
            office=office,
            service=world.parental,
            starts_at=starts,
            contact=Contact(name=f"Person {i}", email=f"p{i}@example.se"),
        ).booking
        for i, starts in enumerate([at(10), at(10, 30), at(10), at(10, 30), at(11), at(11)])
    ]
    late_after_job, late_before_job, *never = booked

    # the kiosk: S-001, F-002, P-003, S-004, P-005
    clock_at.move_to(at(10, 5))
    kiosk = [
        services.issue_ticket(office=office, service=service)
        for service in (world.tax, world.parental, pension, world.tax, pension)
    ]
    assert [v.ticket for v in kiosk] == ["S-001", "F-002", "P-003", "S-004", "P-005"]
    s001, f002, p003 = kiosk[:3]

    # S-001 served and finished
    services.call_visit(officer=world.alice, visit_id=s001.pk)
    services.start_service(officer=world.alice, visit_id=s001.pk)
    clock_at.move_to(at(10, 12))
    services.finish_visit(officer=world.alice, visit_id=s001.pk, outcome="resolved")

    # the no-show job at 10:15: the two 10:00 bookings are past their grace, nobody came yet
    clock_at.move_to(at(10, 15))
    assert booking_services.record_no_shows() == 2
    figures_now = figures(scope=EVERYTHING, start=DAY, end=DAY, office_ids=[office.pk])[()]
    assert (figures_now.no_show, figures_now.visits_booked) == (2, 0)

    # F-002 called, started, transferred to Skatteverket
    services.call_visit(officer=world.alice, visit_id=f002.pk)
    services.start_service(officer=world.alice, visit_id=f002.pk)
    clock_at.move_to(at(10, 18))
    services.transfer_visit(officer=world.alice, visit_id=f002.pk, service=world.tax)

    # the first 10:00 citizen arrives 25 minutes late, after the job marked the booking:
    # queued like a walk-in, the booking's one visit, and no longer a no-show
    clock_at.move_to(at(10, 25))
    first = booking_services.check_in_booking(office=office, code=late_after_job.code)
    assert (first.outcome, first.ticket) == ("late_walk_in", "F-006")

    # P-003 served, with an errand for Skatteverket too
    services.call_visit(officer=world.alice, visit_id=p003.pk)
    services.start_service(officer=world.alice, visit_id=p003.pk)
    clock_at.move_to(at(10, 35))
    services.finish_visit(
        officer=world.alice,
        visit_id=p003.pk,
        outcome="resolved",
        split=[
            ErrandPart(service=pension, outcome="resolved"),
            ErrandPart(service=world.tax, outcome="resolved"),
        ],
    )

    # the 10:30 citizen arrives 14 minutes late, before the job reached the booking
    clock_at.move_to(at(10, 44))
    second = booking_services.check_in_booking(office=office, code=late_before_job.code)
    assert (second.outcome, second.ticket) == ("late_walk_in", "F-007")

    # the job at 13:00: the three others (one 10:00, one 10:30, two 11:00: four in all with
    # the one recorded at 10:15) never came
    clock_at.move_to(at(13))
    assert booking_services.record_no_shows() == 3

    # --- the raw rows ---
    people_who_came = 5 + 2
    visits = Visit.objects.filter(office=office, local_day=DAY)
    arrived = visits.exclude(state=VisitState.NO_SHOW, ticket_number__isnull=True)
    assert arrived.count() == people_who_came
    late = visits.filter(booking_reference__in=[late_after_job.code, late_before_job.code])
    assert sorted(v.ticket for v in late) == ["F-006", "F-007"]
    assert {(v.source, v.state, v.booked_start) for v in late} == {
        (VisitSource.APPOINTMENT, VisitState.WAITING, None)
    }
    no_show_records = visits.filter(state=VisitState.NO_SHOW, ticket_number__isnull=True)
    assert sorted(no_show_records.values_list("booking_reference", flat=True)) == sorted(
        b.code for b in never
    )
    statuses = dict(Booking.objects.values_list("code", "status"))
    assert [statuses[b.code] for b in booked] == [BookingStatus.LATE] * 2 + [
        BookingStatus.NO_SHOW
    ] * 4
    finished = set(visits.filter(state=VisitState.FINISHED).values_list("pk", flat=True))
    assert finished == {s001.pk, p003.pk}
    assert VisitEvent.objects.filter(action="finish").count() == 2

    # --- the rollups: kept live == recomputed == rebuilt ---
    _rollups_agree()

    # --- the statistics ---
    total = figures(scope=EVERYTHING, start=DAY, end=DAY, office_ids=[office.pk])[()]
    assert (total.arrivals, total.visits_walk_in, total.visits_booked) == (7, 5, 2)
    assert total.no_show == 4
    assert total.served == len(finished) == 2  # the office's served visits, once each
    assert total.errands == 3  # P-003 had two errands (two agencies)
    assert total.errand_visits == 3  # served visits per agency, summed: P-003 twice
    assert total.transfers == 1
    by_agency = {
        k[0]: f
        for k, f in figures(
            scope=EVERYTHING, start=DAY, end=DAY, by=("agency",), office_ids=[office.pk]
        ).items()
    }
    fk = by_agency[world.fk.pk]
    # F-002, F-006, F-007: three people came for Försäkringskassan (the no-shows are not visits)
    assert (fk.visits_walk_in, fk.visits_booked, fk.no_show) == (1, 2, 4)
    assert fk.errand_visits == 0  # F-002 was handed on, not served (decision 0053)

    # --- the live view == the statistics ---
    overview = live.office_overview(office=office)
    assert overview.served_today == total.served == 2

    # --- the pages and the API say the same ---
    client.force_login(people.manager)
    body = client.get(reverse("reports:office", args=[office.code])).content.decode()
    first_h2 = body.index("<h2")
    today = body[first_h2 : body.index("<h2", first_h2 + 1)]  # "I dag (direkt)": the walk's
    assert _row(today, "Ankomster (utan bokning / bokade)") == "7 (5 / 2)"
    assert _row(today, "Betjänade besök") == "2"
    assert _row(today, "Ärenden") == "3"
    assert _row(today, "Uteblivna (bokningar)") == "4"
    client.force_login(people.admin)
    api = client.get(
        "/api/statistics/figures/", {"from": str(DAY), "to": str(DAY), "office": office.code}
    ).json()["results"]
    assert len(api) == 1
    row = api[0]
    assert (row["visits_walk_in"], row["visits_booked"], row["no_show"]) == (5, 2, 4)
    assert row["finished_visits"] == overview.served_today == 2
    client.force_login(people.manager)
    panel = client.get(reverse("desk:live_panel", args=[office.code]))
    assert panel.status_code == 200
    assert "<strong>2</strong> har fått hjälp i dag" in panel.content.decode()
