"""Load the real reference data (reference_data/*.csv) into the registry.

Creates what is missing and never overwrites existing rows, so running it again keeps what an
administrator has changed. Coordinates come only from the GeoNames extract: an office's `place`
is looked up (through alternate names too); a district GeoNames lacks uses `fallback_place` and
is flagged with CoordinateSource.CITY_FALLBACK.
"""

import csv
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from servicekontor.catalog.models import Agency, Capability, Service
from servicekontor.core.geography import Locality, find_locality
from servicekontor.network.models import (
    CoordinateSource,
    Milestone,
    Offering,
    Office,
    OpeningHoursPeriod,
    ServicePoint,
    WeeklyHours,
)

HOURS_VALID_FROM = dt.date(2019, 1, 1)


class ReferenceDataError(Exception):
    pass


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, count: int = 1) -> None:
        if count:
            self.created[kind] = self.created.get(kind, 0) + count

    def __str__(self) -> str:
        if not self.created:
            return "nothing new (all reference data already loaded)"
        return ", ".join(f"{count} {kind}" for kind, count in sorted(self.created.items()))


def _rows(directory: Path, name: str) -> list[dict[str, str]]:
    with (directory / name).open(encoding="utf-8", newline="") as handle:
        return [
            {key: (value or "").strip() for key, value in row.items()}
            for row in csv.DictReader(handle)
        ]


def _date(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _required_date(value: str, what: str) -> dt.date:
    if not value:
        raise ReferenceDataError(f"{what}: a date is required")
    return dt.date.fromisoformat(value)


def _bool(value: str) -> bool:
    return value.lower() in {"true", "1", "yes"}


def _weekdays(spec: str) -> list[int]:
    if "-" in spec:
        first, last = (int(part) for part in spec.split("-"))
        return list(range(first, last + 1))
    return [int(part) for part in spec.split(";")]


def locate(place: str, fallback_place: str) -> tuple[Locality, str]:
    locality = find_locality(place)
    if locality is not None:
        return locality, CoordinateSource.LOCALITY
    if fallback_place and (locality := find_locality(fallback_place)) is not None:
        return locality, CoordinateSource.CITY_FALLBACK
    raise ReferenceDataError(f"no GeoNames locality for {place!r} (fallback {fallback_place!r})")


@transaction.atomic
def load_reference_data(directory: Path) -> LoadReport:
    """Create the missing agencies, services, milestones, offices, counters, hours, offerings."""
    report = LoadReport()
    sources = {row["code"]: row["description"] for row in _rows(directory, "sources.csv")}

    def source_text(code: str) -> str:
        return f"{code}: {sources[code]}" if code in sources else code

    for row in _rows(directory, "agencies.csv"):
        _, created = Agency.objects.get_or_create(
            code=row["code"],
            defaults={
                "name_sv": row["name_sv"],
                "name_en": row["name_en"],
                "ticket_letter": row["ticket_letter"],
                "partner_since": _date(row["partner_since"]),
                "website": row["website"],
            },
        )
        report.add("agencies", created)
    for row in _rows(directory, "capabilities.csv"):
        _, created = Capability.objects.get_or_create(
            code=row["code"], defaults={"name_sv": row["name_sv"], "name_en": row["name_en"]}
        )
        report.add("capabilities", created)
    agencies = {agency.code: agency for agency in Agency.objects.all()}
    capabilities = {capability.code: capability for capability in Capability.objects.all()}
    for row in _rows(directory, "services.csv"):
        _, created = Service.objects.get_or_create(
            agency=agencies[row["agency_code"]],
            code=row["code"],
            defaults={
                "name_sv": row["name_sv"],
                "name_en": row["name_en"],
                "mode": row["mode"],
                "handling_minutes": int(row["handling_minutes"]),
                "requires_identification": _bool(row["requires_identification"]),
                "required_capability": capabilities.get(row["required_capability"]),
                "description_sv": row["description_sv"],
                "description_en": row["description_en"],
            },
        )
        report.add("services", created)
    for row in _rows(directory, "milestones.csv"):
        _, created = Milestone.objects.get_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "date": _required_date(row["date"], f"milestone {row['code']}"),
                "precision": row["precision"],
                "source": source_text(row["source"]),
            },
        )
        report.add("milestones", created)
    milestones = {milestone.code: milestone for milestone in Milestone.objects.all()}

    hours_rows = _rows(directory, "opening_hours.csv")
    new_offices: list[Office] = []
    for row in _rows(directory, "offices.csv"):
        if Office.objects.filter(code=row["code"]).exists():
            continue
        locality, coordinate_source = locate(row["place"], row["fallback_place"])
        opened_with = milestones.get(row["opened_with"])
        closed_with = milestones.get(row["closed_with"])
        office = Office.objects.create(
            code=row["code"],
            name=row["name"],
            municipality=row["municipality"],
            county=locality.county,
            street_address=row["street_address"],
            postal_code=row["postal_code"],
            postal_town=row["postal_town"] or row["municipality"],
            latitude=locality.latitude,
            longitude=locality.longitude,
            coordinate_source=coordinate_source,
            geonames_place=f"{locality.name} ({locality.geonameid})",
            opened_on=(
                opened_with.date
                if opened_with
                else _required_date(row["opened_on"], f"office {row['code']}")
            ),
            opened_precision=row["opened_precision"] or "day",
            opened_with=opened_with,
            closed_on=closed_with.date if closed_with else _date(row["closed_on"]),
            closed_precision=row["closed_precision"] or "day",
            closed_with=closed_with,
            source=source_text(row["source"]),
            notes=row["notes"],
        )
        new_offices.append(office)
        id_photo = capabilities.get("id-photo")
        for number in range(1, int(row["counters"]) + 1):
            point = ServicePoint.objects.create(office=office, number=number)
            if id_photo is not None and number <= int(row["id_photo_counters"] or 0):
                point.capabilities.add(id_photo)
        report.add("counters", int(row["counters"]))
        own_hours = [h for h in hours_rows if h["office_code"] == office.code]
        period = OpeningHoursPeriod.objects.create(office=office, valid_from=HOURS_VALID_FROM)
        for hours in own_hours or [h for h in hours_rows if h["office_code"] == "*"]:
            for weekday in _weekdays(hours["weekdays"]):
                WeeklyHours.objects.create(
                    period=period,
                    weekday=weekday,
                    opens=dt.time.fromisoformat(hours["opens"]),
                    closes=dt.time.fromisoformat(hours["closes"]),
                )
    report.add("offices", len(new_offices))

    new_codes = {office.code for office in new_offices}
    offices = {office.code: office for office in new_offices}
    for row in _rows(directory, "offerings.csv"):
        targets = (
            list(offices.values())
            if row["office_code"] == "*"
            else [offices[row["office_code"]]]
            if row["office_code"] in new_codes
            else []
        )
        agency = agencies[row["agency_code"]]
        services = (
            list(agency.services.filter(required_capability__isnull=True))
            if row["service_code"] == "*"
            else [agency.services.get(code=row["service_code"])]
        )
        for office in targets:
            count = _create_offering(office, services, row, milestones, source_text)
            report.add("offerings", count)
    return report


def _create_offering(
    office: Office,
    services: list[Service],
    row: dict[str, str],
    milestones: dict[str, Milestone],
    source_text: Callable[[str], str],
) -> int:
    """Offer the services from max(row start, office opening) to min(row end, office closing)."""
    starts_with = milestones.get(row["starts_with"])
    valid_from = starts_with.date if starts_with else _date(row["valid_from"])
    if valid_from is None:
        raise ReferenceDataError(f"offering row without a start: {row}")
    if office.opened_on > valid_from:
        valid_from, starts_with = office.opened_on, office.opened_with
    ends_with = milestones.get(row["ends_with"])
    valid_to = _date(row["valid_to"])
    if office.closed_on is not None:
        last_day = office.closed_on - dt.timedelta(days=1)
        if valid_to is None or valid_to > last_day:
            valid_to, ends_with = last_day, office.closed_with
    if valid_to is not None and valid_to < valid_from:
        return 0
    for service in services:
        Offering.objects.create(
            office=office,
            service=service,
            valid_from=valid_from,
            valid_to=valid_to,
            starts_with=starts_with,
            ends_with=ends_with,
            source=source_text(row["source"]),
        )
    return len(services)
