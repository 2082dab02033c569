"""Reads for the public office finder."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from servicekontor.catalog.models import Agency, Service
from servicekontor.core import clock
from servicekontor.core.geography import (
    Locality,
    display_name,
    find_locality,
    fold,
    haversine_km,
)
from servicekontor.core.i18n import current_language, pick_language
from servicekontor.network.models import Offering, Office, OfficeKind
from servicekontor.network.opening_hours import DayHours
from servicekontor.network.queries import (
    next_visits,
    offices_operating_on,
)
from servicekontor.network.registry_cache import OpenNow, open_now, open_states

MAX_RESULTS = 10


@dataclass
class AgencyServices:
    agency: Agency
    services: list[Service]


@dataclass
class OfficeResult:
    """One office of the finder's list: what a citizen needs to choose it (walk finding F1):
    how far, open now or when it opens, and which agencies it helps with. The services one
    by one are on the office's own page."""

    office: Office
    distance_km: float | None
    agency_names: list[str] = field(default_factory=list)  # offered that day, by name
    service_count: int = 0
    opening: OpenNow | None = None  # with `now` only
    next_visits: list[DayHours] = field(default_factory=list)  # outreach stops only


@dataclass
class Origin:
    label: str
    latitude: float
    longitude: float
    typed: str = ""  # what the citizen wrote, when the place's name is written otherwise

    def __post_init__(self) -> None:
        if fold(self.typed) == fold(self.label):
            self.typed = ""


def services_by_agency(offerings: list[Offering]) -> list[AgencyServices]:
    grouped: dict[int, AgencyServices] = {}
    for offering in sorted(offerings, key=lambda o: (o.service.agency.name_sv, o.service.name_sv)):
        agency = offering.service.agency
        grouped.setdefault(agency.pk, AgencyServices(agency, [])).services.append(offering.service)
    return list(grouped.values())


def agencies_by_office(offices: list[Office], day: dt.date) -> dict[int, tuple[list[str], int]]:
    """Office id → (the names of the agencies it offers services of on the day, sorted; the
    number of those services), in one query of plain rows (no model instances)."""
    names: dict[int, set[str]] = defaultdict(set)
    counts: dict[int, int] = defaultdict(int)
    for office_id, name_sv, name_en in (
        Offering.objects.valid_on(day)
        .filter(office__in=offices)
        .values_list("office_id", "service__agency__name_sv", "service__agency__name_en")
    ):
        names[office_id].add(pick_language(name_sv, name_en))
        counts[office_id] += 1
    return {office_id: (sorted(names[office_id]), counts[office_id]) for office_id in names}


def offered_agencies(day: dt.date) -> list[Agency]:
    """The agencies some operating office or stop offers a service of on the day, by their
    name in the active language: the finder's choice of agency."""
    offering = Offering.objects.valid_on(day).filter(office__in=offices_operating_on(day=day))
    agencies = Agency.objects.filter(pk__in=offering.values("service__agency_id"))
    return sorted(agencies, key=lambda a: fold(a.name))


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
        name = display_name(locality, text, current_language())
        return Origin(name, locality.latitude, locality.longitude, typed=text)
    offices = matching_offices(text, day)
    if offices:
        first = offices[0]
        return Origin(first.name, first.latitude, first.longitude)
    return None


def nearest_offices(
    *,
    latitude: float,
    longitude: float,
    day: dt.date,
    limit: int = MAX_RESULTS,
    now: dt.datetime | None = None,
    agency: Agency | None = None,
) -> list[OfficeResult]:
    """Operating offices and outreach stops sorted by great-circle distance, with the agencies
    whose services they offer that day (a stop: also its next three visit days; with `now`,
    not a visit that has ended by then, and each result's open state at `now`, the one
    `registry_cache.open_now` gives). `agency`: only those offering a service of it that day
    (walk F3).

    Offices on the same (approximate) point are as near as each other: they follow in name
    and code order, so the list is the same every time.
    """
    operating = offices_operating_on(day=day)
    if agency is not None:
        offering = Offering.objects.valid_on(day).filter(service__agency=agency)
        operating = operating.filter(pk__in=offering.values("office_id"))
    offices = list(operating)
    offices.sort(
        key=lambda o: (
            round(haversine_km(latitude, longitude, o.latitude, o.longitude), 6),
            o.name,
            o.code,
        )
    )
    chosen = offices[:limit]
    agencies = agencies_by_office(chosen, day)
    states = open_states(chosen, now) if now is not None else {}
    return [
        OfficeResult(
            office=office,
            distance_km=haversine_km(latitude, longitude, office.latitude, office.longitude),
            agency_names=agencies.get(office.pk, ([], 0))[0],
            service_count=agencies.get(office.pk, ([], 0))[1],
            opening=states.get(office.pk),
            next_visits=next_visits(office=office, from_day=day, count=3, after=now)
            if office.kind == OfficeKind.OUTREACH
            else [],
        )
        for office in chosen
    ]


@dataclass
class Alternative:
    """Another office for a citizen who finds this one closed."""

    office: Office
    distance_km: float
    open_now: bool
    closes_at: dt.datetime | None
    next_opening: dt.datetime | None


def open_alternatives(*, office: Office, at: dt.datetime, limit: int = 3) -> list[Alternative]:
    """The nearest other offices operating today, those open at `at` first, each with when
    it closes (if open) or next opens."""
    day = clock.local_date_of(at)
    nearest = nearest_offices(
        latitude=office.latitude, longitude=office.longitude, day=day, limit=limit * 4 + 1
    )
    alternatives = []
    for result in nearest:
        other = result.office
        if other.pk == office.pk:
            continue
        state = open_now(office=other, at=at)  # what the office's own page and kiosk say
        alternatives.append(
            Alternative(
                office=other,
                distance_km=result.distance_km or 0.0,
                open_now=state.is_open,
                closes_at=state.closes_at,
                next_opening=state.next_opening,
            )
        )
    # Among the nearest few: those open now first, then those that open again, by distance.
    alternatives.sort(key=lambda a: (not a.open_now, a.next_opening is None, a.distance_km))
    return alternatives[:limit]
