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
    counters = ServicePoint.objects.filter(office=office, is_active=True).count()
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
