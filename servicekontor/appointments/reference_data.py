"""Appointment hours of the reference data: counters given to bookings per office (assumption).

Connected to `network.reference_data.reference_data_loaded` (appointments may import network,
not the other way round). For every loaded office, each local hour in which its reference
opening hours (any period) are open gets the size class's `appointment_counters`
(`reference_data/office_sizes.csv`, a stated assumption), so booking works wherever a service
is offered. The same edit rule as the registry applies: rows an administrator changed after
the last load are kept and listed.
"""

from __future__ import annotations

from servicekontor.appointments.capacity_inputs import invalidate_inputs
from servicekontor.appointments.models import AppointmentAllocation
from servicekontor.network.models import Office
from servicekontor.network.reference_data import LoadedOffice
from servicekontor.network.reference_sync import State, Syncer


def allocation_state(office: Office) -> list[State]:
    return sorted(
        [weekday, hour, counters]
        for weekday, hour, counters in AppointmentAllocation.objects.filter(
            office=office
        ).values_list("weekday", "hour", "counters")
    )


def load_appointment_allocations(
    *, offices: list[LoadedOffice], syncer: Syncer, **kwargs: object
) -> None:
    """Signal receiver: one allocation row per open weekday hour of each loaded office."""
    for loaded in offices:
        office = loaded.office
        wanted: list[tuple[int, int, int]] = sorted(
            (weekday, hour, loaded.size.appointment_counters)
            for weekday, hours in loaded.open_hours.items()
            for hour in hours
        )

        def write(office: Office = office, wanted: list[tuple[int, int, int]] = wanted) -> State:
            AppointmentAllocation.objects.filter(office=office).delete()
            AppointmentAllocation.objects.bulk_create(
                AppointmentAllocation(office=office, weekday=w, hour=h, counters=c)
                for w, h, c in wanted
            )
            return allocation_state(office)

        current = allocation_state(office)
        syncer.sync(
            kind="allocations",
            key=office.code,
            current=syncer.present("allocations", office.code, current),
            wanted=wanted,
            write=write,
        )
    invalidate_inputs()  # bulk writes send no signals
