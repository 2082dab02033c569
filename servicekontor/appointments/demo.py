"""Demo data for `manage.py load_demo`: appointment hours and a few bookings today and tomorrow.

Idempotent: allocations are upserted, and bookings are only added for a day that has no demo
bookings yet. Demo bookings use the reserved `.invalid` mail domain, so no mail can leave.
"""

import datetime as dt
import itertools

from django.db import transaction

from servicekontor.appointments import tokens
from servicekontor.appointments.capacity_book import CapacityBook
from servicekontor.appointments.models import AppointmentAllocation, Booking
from servicekontor.core import clock
from servicekontor.network import queries as network_queries
from servicekontor.network.models import Office, ServicePoint

DEMO_DOMAIN = "demo.invalid"
_NAMES = ["Anna Svensson", "Erik Johansson", "Sara Lindqvist", "Mohammed Ali", "Karin Berg"]


@transaction.atomic
def seed_demo_bookings(*, office: Office) -> None:
    counters = ServicePoint.objects.filter(office=office, is_active=True).desks().count()
    # The reference data gives every office its appointment hours (an assumption per size
    # class); only an office without any gets the demo's, so a rerun edits nothing it loaded.
    if not AppointmentAllocation.objects.filter(office=office).exists():
        for weekday in range(7):
            for hour in range(7, 20):
                AppointmentAllocation.objects.create(
                    office=office,
                    weekday=weekday,
                    hour=hour,
                    counters=max(1, counters // 2) if counters else 0,
                )
    today = clock.local_today()
    names = itertools.cycle(_NAMES)
    for day in (today, today + dt.timedelta(days=1)):
        if Booking.objects.filter(office=office, day=day, email__endswith=DEMO_DOMAIN).exists():
            continue
        offered = [
            o.service
            for o in network_queries.offerings_on(office=office, day=day)
            if o.service.bookable
        ]
        for service in offered[:3]:
            book = CapacityBook(offices=[office], service=service, first_day=day, last_day=day)
            # Demo bookings may sit inside the "closes 2 hours before" margin: no window.
            for slot in book.slots(office.pk, day)[:2]:
                name = next(names)
                link_key = tokens.new_link_key()
                Booking.objects.create(
                    office=office,
                    service=service,
                    day=day,
                    starts_at=slot.start,
                    ends_at=slot.end,
                    code=tokens.new_code(),
                    token_hash=tokens.hash_token(tokens.manage_token(link_key)),
                    link_key=link_key,
                    name=name,
                    email=f"{name.split()[0].lower()}@{DEMO_DOMAIN}",
                    created_at=clock.now(),
                )


DEMO_STOP_CODE = "demo-mobilt-arjeplog"
DEMO_STOP_POSITION = (66.05173, 17.88606)  # Arjeplog, the square


def nearest_office(latitude: float, longitude: float, *, on: dt.date) -> Office | None:
    """The office (not an outreach stop) operating on `on` nearest to the point, as the crow
    flies (`core.geography.haversine_km`); None without any. The demo stop is staffed from
    it, as an outreach stop is run by a nearby office: a stop in Arjeplog staffed from Kista,
    900 km away, showed a planner a picture no network would have."""
    from servicekontor.core.geography import haversine_km
    from servicekontor.network.models import OfficeKind

    offices = Office.objects.operating_on(on).filter(kind=OfficeKind.OFFICE)
    return min(
        offices,
        key=lambda o: (haversine_km(latitude, longitude, o.latitude, o.longitude), o.code),
        default=None,
    )


@transaction.atomic
def seed_demo_outreach_and_video(*, office: Office) -> Office:
    """Demo only: an outreach stop in Arjeplog (no office within 100 km) served every Tuesday
    10–14 by staff from the office nearest to it (`nearest_office`: Jokkmokk in the reference
    data), offering what that office offers, and video meetings at `office` with a demo
    caseworker of Migrationsverket free 09–16 on the next 14 weekdays. Idempotent; a stop
    an earlier demo staffed from `office` is staffed from the nearest office instead.
    Returns the stop."""
    from servicekontor.appointments.models import (
        AvailabilitySource,
        Caseworker,
        CaseworkerAvailability,
    )
    from servicekontor.catalog.models import Agency, Capability, Service
    from servicekontor.network.models import Offering, OfficeKind, OutreachRule

    today = clock.local_today()
    latitude, longitude = DEMO_STOP_POSITION
    staff_from = nearest_office(latitude, longitude, on=today) or office
    stop, created = Office.objects.get_or_create(
        code=DEMO_STOP_CODE,
        defaults={
            "name": "Mobilt servicekontor Arjeplog (demo)",
            "kind": OfficeKind.OUTREACH,
            "municipality": "Arjeplog",
            "county": "Norrbottens län",
            "street_address": "Torget",
            "postal_town": "Arjeplog",
            "latitude": latitude,
            "longitude": longitude,
            # Its own point on the square, not the centre of a district: the pages give
            # its distance without "approximate" (walk finding F20).
            "position_approximate": False,
            "opened_on": today - dt.timedelta(days=30),
            "notes": "Demo data (make run), not a real stop.",
        },
    )
    if stop.position_approximate and (stop.latitude, stop.longitude) == DEMO_STOP_POSITION:
        stop.position_approximate = False  # seeded by an earlier demo, before F20
        stop.save(update_fields=["position_approximate"])
    if created:
        OutreachRule.objects.create(
            office=stop,
            weekday=1,
            opens=dt.time(10),
            closes=dt.time(14),
            valid_from=today - dt.timedelta(days=30),
            holiday_policy="next",
            staffed_from=staff_from,
            team="Servicebussen (demo)",
        )
        ServicePoint.objects.create(office=stop, number=1, name="Bussen")
        for offering in network_queries.offerings_on(office=staff_from, day=today)[:4]:
            Offering.objects.create(
                office=stop, service=offering.service, valid_from=stop.opened_on
            )
        for weekday in range(5):
            for hour in range(10, 14):
                AppointmentAllocation.objects.create(
                    office=stop, weekday=weekday, hour=hour, counters=1
                )
    elif staff_from != office:
        # The demo before this one staffed the stop from `office` (Kista): corrected.
        OutreachRule.objects.filter(office=stop, staffed_from=office).update(
            staffed_from=staff_from
        )
    agency = Agency.objects.filter(code="migrationsverket").first()
    if agency is None:
        return stop
    room_kind, _ = Capability.objects.get_or_create(
        code="video-room", defaults={"name_sv": "Videorum", "name_en": "Video room"}
    )
    service, _ = Service.objects.get_or_create(
        agency=agency,
        code="demo-videomote",
        defaults={
            "name_sv": "Videomöte med handläggare (demo)",
            "name_en": "Video meeting with a caseworker (demo)",
            "mode": "appointment_only",
            "handling_minutes": 30,
            "required_capability": room_kind,
            "video_meeting": True,
        },
    )
    if not ServicePoint.objects.filter(office=office, capabilities=room_kind).exists():
        number = max((p.number for p in office.service_points.all()), default=0) + 1
        room = ServicePoint.objects.create(office=office, number=number, name="Videorum")
        room.capabilities.add(room_kind)
    if not Offering.objects.filter(office=office, service=service).exists():
        Offering.objects.create(office=office, service=service, valid_from=today)
    worker, _ = Caseworker.objects.get_or_create(
        agency=agency,
        external_id="demo-1",
        defaults={"display_name": "Handläggare (demo)", "email": f"handlaggare@{DEMO_DOMAIN}"},
    )
    for offset in range(14):
        day = today + dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        CaseworkerAvailability.objects.get_or_create(
            caseworker=worker,
            starts_at=clock.local_datetime(day, dt.time(9)),
            ends_at=clock.local_datetime(day, dt.time(16)),
            defaults={"source": AvailabilitySource.API},
        )
    return stop
