"""Reads for the public office finder."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from servicekontor.catalog.models import Agency, Service
from servicekontor.core.geography import (
    Locality,
    display_name,
    find_locality,
    fold,
    haversine_km,
)
from servicekontor.network.models import Offering, Office, OfficeKind
from servicekontor.network.opening_hours import DayHours
from servicekontor.network.queries import next_visits, offices_operating_on

MAX_RESULTS = 10


@dataclass
class AgencyServices:
    agency: Agency
    services: list[Service]


@dataclass
class OfficeResult:
    office: Office
    distance_km: float | None
    agencies: list[AgencyServices] = field(default_factory=list)
    next_visits: list[DayHours] = field(default_factory=list)  # outreach stops only


@dataclass
class Origin:
    label: str
    latitude: float
    longitude: float


def services_by_agency(offerings: list[Offering]) -> list[AgencyServices]:
    grouped: dict[int, AgencyServices] = {}
    for offering in sorted(offerings, key=lambda o: (o.service.agency.name_sv, o.service.name_sv)):
        agency = offering.service.agency
        grouped.setdefault(agency.pk, AgencyServices(agency, [])).services.append(offering.service)
    return list(grouped.values())


def offerings_by_office(offices: list[Office], day: dt.date) -> dict[int, list[Offering]]:
    result: dict[int, list[Offering]] = defaultdict(list)
    for offering in (
        Offering.objects.valid_on(day)
        .filter(office__in=offices)
        .select_related("service", "service__agency")
    ):
        result[offering.office_id].append(offering)
    return result


def matching_offices(text: str, day: dt.date) -> list[Office]:
    """Operating offices whose name, municipality or town contains the text (å = a, case-blind)."""
    wanted = fold(text)
    if not wanted:
        return []
    return [
        office
        for office in offices_operating_on(day=day)
        if any(
            wanted in fold(value)
            for value in (office.name, office.municipality, office.postal_town)
        )
    ]


def origin_for_place(text: str, day: dt.date) -> Origin | None:
    """Where a place name points: a GeoNames locality, else a matching office."""
    locality: Locality | None = find_locality(text)
    if locality is not None:
        return Origin(display_name(locality, text), locality.latitude, locality.longitude)
    offices = matching_offices(text, day)
    if offices:
        first = offices[0]
        return Origin(first.name, first.latitude, first.longitude)
    return None


def nearest_offices(
    *, latitude: float, longitude: float, day: dt.date, limit: int = MAX_RESULTS
) -> list[OfficeResult]:
    """Operating offices and outreach stops sorted by great-circle distance, with the services
    offered that day (a stop: also its next three visit days).

    Offices on the same (approximate) point are as near as each other: they follow in name
    and code order, so the list is the same every time.
    """
    offices = list(offices_operating_on(day=day))
    offices.sort(
        key=lambda o: (
            round(haversine_km(latitude, longitude, o.latitude, o.longitude), 6),
            o.name,
            o.code,
        )
    )
    chosen = offices[:limit]
    offerings = offerings_by_office(chosen, day)
    return [
        OfficeResult(
            office=office,
            distance_km=haversine_km(latitude, longitude, office.latitude, office.longitude),
            agencies=services_by_agency(offerings.get(office.pk, [])),
            next_visits=next_visits(office=office, from_day=day, count=3)
            if office.kind == OfficeKind.OUTREACH
            else [],
        )
        for office in chosen
    ]
