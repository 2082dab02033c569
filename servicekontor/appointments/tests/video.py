"""The world of the video-meeting tests: an agency's video service needing a video room, offices
with rooms, caseworkers with published free time."""

import datetime as dt

from servicekontor.appointments.models import AvailabilitySource, Caseworker, CaseworkerAvailability
from servicekontor.appointments.tests.conftest import allocate
from servicekontor.catalog.models import Agency, Service
from servicekontor.core import clock
from servicekontor.network.models import Office, ServicePoint
from tests.factories import make_agency, make_capability, make_offering, make_office, make_service


def video_service(agency: Agency | None = None, minutes: int = 30) -> Service:
    return make_service(
        agency=agency or make_agency(),
        mode="appointment_only",
        handling_minutes=minutes,
        required_capability=make_capability(code="video-room"),
        name_sv="Videomöte med handläggare",
        name_en="Video meeting with a caseworker",
        video_meeting=True,
    )


def office_with_rooms(service: Service, *, rooms: int = 1, desks: int = 2, **kw: object) -> Office:
    """An office open Mon–Fri 10–16 with `desks` plain desks and `rooms` video rooms after them,
    all given to appointments."""
    office = make_office(counters=desks, **kw)  # type: ignore[arg-type]
    for n in range(rooms):
        room = ServicePoint.objects.create(office=office, number=desks + n + 1, name="Videorum")
        assert service.required_capability is not None
        room.capabilities.add(service.required_capability)
    make_offering(office=office, service=service)
    allocate(office, counters=desks + rooms)
    return office


def caseworker(
    agency: Agency, day: dt.date, *, n: int = 1, hours: tuple[int, int] = (10, 16)
) -> Caseworker:
    worker = Caseworker.objects.create(
        agency=agency,
        external_id=f"cw-{n}",
        display_name=f"Handläggare {n}",
        email=f"handlaggare{n}@agency.example",
    )
    CaseworkerAvailability.objects.create(
        caseworker=worker,
        starts_at=clock.local_datetime(day, dt.time(hours[0])),
        ends_at=clock.local_datetime(day, dt.time(hours[1])),
        source=AvailabilitySource.API,
    )
    return worker
