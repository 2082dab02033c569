"""Load the real reference data (reference_data/*.csv) into the registry, and keep it current.

Creates what is missing and updates what it loaded earlier, unless an administrator has edited
it since (see `reference_sync`): an existing installation gets corrections with the next
`make run`; edited rows are kept and listed in the report.

Positions: an office row may give its own point (`latitude`, `longitude`, `position_source`,
e.g. the centre of its district from a cited source); otherwise its `place` is looked up in the
GeoNames extract (through alternate names too), and a district GeoNames lacks uses
`fallback_place` (CoordinateSource.CITY_FALLBACK). No office position is sourced as the office
itself, so every loaded office is marked `position_approximate`.

Counters: each office row names a size class (`office_sizes.csv`, a stated assumption): so many
counters, so many of them with an ID-card photo station when the office offers a service that
needs one, so many given to appointments. The appointments app loads that last part when this
module sends `reference_data_loaded` (it may not be imported from here).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import count, islice
from pathlib import Path

import django.dispatch
from django.db import transaction

from servicekontor.catalog.models import Agency, Capability, Service
from servicekontor.core.geography import Locality, find_locality, haversine_km
from servicekontor.network import registry_cache
from servicekontor.network.models import (
    CoordinateSource,
    Milestone,
    Offering,
    Office,
    OpeningHoursPeriod,
    ServicePoint,
    WeeklyHours,
)
from servicekontor.network.reference_sync import State, Syncer, SyncReport, read_legacy

# Sent inside the loading transaction, after the registry rows: kwargs `offices`
# (list[LoadedOffice]) and `syncer` (the load's Syncer, to follow the same edit rule).
reference_data_loaded = django.dispatch.Signal()


class ReferenceDataError(Exception):
    pass


LoadReport = SyncReport  # the name the command and tests used before provenance


@dataclass(frozen=True)
class SizeClass:
    """A stated assumption: how an office of this size is equipped."""

    code: str
    counters: int
    id_photo_counters: int
    appointment_counters: int


@dataclass
class LoadedOffice:
    """What the appointments loader needs of one office of the reference data."""

    office: Office
    size: SizeClass
    open_hours: dict[int, set[int]] = field(default_factory=dict)  # weekday → local hours


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


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _bool(value: str) -> bool:
    return value.lower() in {"true", "1", "yes"}


def _weekdays(spec: str) -> list[int]:
    if "-" in spec:
        first, last = (int(part) for part in spec.split("-"))
        return list(range(first, last + 1))
    return [int(part) for part in spec.split(";")]


# A district found in GeoNames farther than this from its city is a namesake elsewhere
# (Värnhem in Malmö folds to Varnhem near Skara).
NAMESAKE_KM = 30.0


def locate(place: str, fallback_place: str) -> tuple[Locality, str]:
    """The GeoNames locality of `place`, else of `fallback_place` (the district's city)."""
    locality = find_locality(place)
    city = find_locality(fallback_place) if fallback_place else None
    if locality is not None and (
        city is None
        or haversine_km(locality.latitude, locality.longitude, city.latitude, city.longitude)
        <= NAMESAKE_KM
    ):
        return locality, CoordinateSource.LOCALITY
    if city is not None:
        return city, CoordinateSource.CITY_FALLBACK
    raise ReferenceDataError(f"no GeoNames locality for {place!r} (fallback {fallback_place!r})")


def read_sizes(directory: Path) -> dict[str, SizeClass]:
    return {
        row["size"]: SizeClass(
            code=row["size"],
            counters=int(row["counters"]),
            id_photo_counters=int(row["id_photo_counters"]),
            appointment_counters=int(row["appointment_counters"]),
        )
        for row in _rows(directory, "office_sizes.csv")
    }


# --- states: the same shape from the database and from the files ---------------------------


def office_state(office: Office) -> dict[str, State]:
    return {
        "name": office.name,
        "municipality": office.municipality,
        "county": office.county,
        "street_address": office.street_address,
        "postal_code": office.postal_code,
        "postal_town": office.postal_town,
        "latitude": round(office.latitude, 6),
        "longitude": round(office.longitude, 6),
        "coordinate_source": office.coordinate_source,
        "geonames_place": office.geonames_place,
        "position_approximate": office.position_approximate,
        "opened_on": _iso(office.opened_on),
        "opened_precision": office.opened_precision,
        "opened_with": office.opened_with.code if office.opened_with else None,
        "closed_on": _iso(office.closed_on),
        "closed_precision": office.closed_precision,
        "closed_with": office.closed_with.code if office.closed_with else None,
        "source": office.source,
        "notes": office.notes,
    }


def counters_state(office: Office) -> list[State]:
    """The office's desks as the reference data describes them. Its video rooms are not part
    of it (`ServicePointQuerySet`, decision 0084): the reference data knows only desks, so a
    room set up at the office is neither an edit of its desks nor something to switch off."""
    return sorted(
        [p.number, p.name, p.is_active, sorted(c.code for c in p.capabilities.all())]
        for p in office.service_points.desks().prefetch_related("capabilities")
    )


def hours_state(office: Office) -> list[State]:
    return sorted(
        [
            _iso(period.valid_from),
            _iso(period.valid_to),
            period.name,
            sorted(
                [h.weekday, h.opens.isoformat(), h.closes.isoformat()] for h in period.hours.all()
            ),
        ]
        for period in office.opening_periods.prefetch_related("hours")
    )


def offerings_state(office: Office) -> list[State]:
    return sorted(
        [
            o.service.agency.code,
            o.service.code,
            _iso(o.valid_from),
            _iso(o.valid_to),
            o.starts_with.code if o.starts_with else None,
            o.ends_with.code if o.ends_with else None,
            o.source,
        ]
        for o in office.offerings.select_related(
            "service__agency", "starts_with", "ends_with"
        ).order_by()
    )


@transaction.atomic
def load_reference_data(directory: Path) -> SyncReport:
    """Create or update agencies, services, milestones, offices, counters, hours, offerings.

    Lock: none beyond the transaction; run it from one process (`make run`, a deploy step).
    Raises ReferenceDataError for rows that cannot be placed or dated.
    """
    report = SyncReport()
    syncer = Syncer(legacy=read_legacy(directory), report=report)
    sources = {row["code"]: row["description"] for row in _rows(directory, "sources.csv")}

    def source_text(code: str) -> str:
        return f"{code}: {sources[code]}" if code in sources else code

    _load_catalogue(directory, syncer, source_text)
    milestones = {milestone.code: milestone for milestone in Milestone.objects.all()}
    sizes = read_sizes(directory)
    agencies = {agency.code: agency for agency in Agency.objects.all()}
    offering_rows = _rows(directory, "offerings.csv")
    hours_by_office = _hours_by_office(_rows(directory, "opening_hours.csv"))
    loaded: list[LoadedOffice] = []
    for row in _rows(directory, "offices.csv"):
        if row["size"] not in sizes:
            raise ReferenceDataError(f"office {row['code']}: unknown size {row['size']!r}")
        size = sizes[row["size"]]
        office = _sync_office(row, size, syncer, milestones, source_text)
        wanted_offerings = _wanted_offerings(
            office, offering_rows, agencies, milestones, source_text
        )
        needs_photo = any(
            service.required_capability_id is not None for service, *_ in wanted_offerings
        )
        _sync_offerings(office, wanted_offerings, syncer)
        _sync_counters(office, size, needs_photo, syncer)
        periods = hours_by_office.get(office.code) or hours_by_office["*"]
        periods = {**hours_by_office["*"], **periods}
        _sync_hours(office, periods, syncer)
        open_hours: dict[int, set[int]] = defaultdict(set)
        for rows in periods.values():
            for weekday, opens, closes in rows:
                last = (dt.datetime.combine(dt.date.min, closes) - dt.timedelta(minutes=1)).hour
                open_hours[weekday].update(range(opens.hour, last + 1))
        loaded.append(LoadedOffice(office=office, size=size, open_hours=dict(open_hours)))
    reference_data_loaded.send(sender=LoadedOffice, offices=loaded, syncer=syncer)
    registry_cache.registry_changed()  # bulk creates send no signals
    return report


def _load_catalogue(directory: Path, syncer: Syncer, source_text: object) -> None:
    assert callable(source_text)
    for row in _rows(directory, "agencies.csv"):
        agency = Agency.objects.filter(code=row["code"]).first()
        wanted: dict[str, object] = {
            "name_sv": row["name_sv"],
            "name_en": row["name_en"],
            "ticket_letter": row["ticket_letter"],
            "partner_since": row["partner_since"] or None,
            "website": row["website"],
        }

        def write_agency(wanted: dict[str, object] = wanted, code: str = row["code"]) -> State:
            values = {**wanted, "partner_since": _date(str(wanted["partner_since"] or ""))}
            Agency.objects.update_or_create(code=code, defaults=values)
            return wanted

        syncer.sync(
            kind="agency",
            key=row["code"],
            current=None if agency is None else _agency_state(agency),
            wanted=wanted,
            write=write_agency,
        )
    for row in _rows(directory, "capabilities.csv"):
        _, created = Capability.objects.get_or_create(
            code=row["code"], defaults={"name_sv": row["name_sv"], "name_en": row["name_en"]}
        )
        syncer.report.add_created("capabilities", created)
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
        syncer.report.add_created("services", created)
    for row in _rows(directory, "milestones.csv"):
        milestone = Milestone.objects.filter(code=row["code"]).first()
        wanted_m = _milestone_fields(
            name_sv=row["name_sv"],
            name_en=row["name_en"],
            date=_iso(_required_date(row["date"], f"milestone {row['code']}")),
            precision=row["precision"],
            source=source_text(row["source"]),
        )

        def write_milestone(wanted: dict[str, State] = wanted_m, code: str = row["code"]) -> State:
            Milestone.objects.update_or_create(
                code=code,
                defaults={
                    "name_sv": wanted["name"],
                    "name_en": wanted.get("name_en", ""),
                    "date": dt.date.fromisoformat(str(wanted["date"])),
                    "precision": wanted["precision"],
                    "source": wanted["source"],
                },
            )
            return wanted

        syncer.sync(
            kind="milestone",
            key=row["code"],
            current=None if milestone is None else _milestone_state(milestone),
            wanted=wanted_m,
            write=write_milestone,
        )


def _agency_state(agency: Agency) -> dict[str, State]:
    return {
        "name_sv": agency.name_sv,
        "name_en": agency.name_en,
        "ticket_letter": agency.ticket_letter,
        "partner_since": _iso(agency.partner_since),
        "website": agency.website,
    }


def _milestone_fields(
    *, name_sv: str, name_en: str, date: str | None, precision: str, source: object
) -> dict[str, State]:
    """A milestone's state. The Swedish name keeps the key "name" and the English one is
    left out while empty: the state of a row loaded before milestones had English names is
    then what it was, its recorded fingerprint still matches, and the English name reaches
    an unedited row on the next load (an edited one is kept, as any edited row)."""
    state: dict[str, State] = {
        "name": name_sv,
        "date": date,
        "precision": precision,
        "source": source,
    }
    if name_en:
        state["name_en"] = name_en
    return state


def _milestone_state(milestone: Milestone) -> dict[str, State]:
    return _milestone_fields(
        name_sv=milestone.name_sv,
        name_en=milestone.name_en,
        date=_iso(milestone.date),
        precision=milestone.precision,
        source=milestone.source,
    )


def _sync_office(
    row: dict[str, str],
    size: SizeClass,
    syncer: Syncer,
    milestones: dict[str, Milestone],
    source_text: object,
) -> Office:
    assert callable(source_text)
    code = row["code"]
    locality, coordinate_source = locate(row["place"], row["fallback_place"])
    if row["latitude"] and row["longitude"]:
        latitude, longitude = float(row["latitude"]), float(row["longitude"])
        coordinate_source, geonames_place = CoordinateSource.DISTRICT, ""
        source = source_text(row["source"]) + "\n" + source_text(row["position_source"])
    else:
        latitude, longitude = locality.latitude, locality.longitude
        geonames_place = f"{locality.name} ({locality.geonameid})"
        source = source_text(row["source"])
    opened_with = milestones.get(row["opened_with"])
    closed_with = milestones.get(row["closed_with"])
    opened_on = (
        opened_with.date if opened_with else _required_date(row["opened_on"], f"office {code}")
    )
    closed_on = closed_with.date if closed_with else _date(row["closed_on"])
    wanted: dict[str, State] = {
        "name": row["name"],
        "municipality": row["municipality"],
        "county": locality.county,
        "street_address": row["street_address"],
        "postal_code": row["postal_code"],
        "postal_town": row["postal_town"] or row["municipality"],
        "latitude": round(latitude, 6),
        "longitude": round(longitude, 6),
        "coordinate_source": str(coordinate_source),
        "geonames_place": geonames_place,
        "position_approximate": True,
        "opened_on": _iso(opened_on),
        "opened_precision": row["opened_precision"] or "day",
        "opened_with": opened_with.code if opened_with else None,
        "closed_on": _iso(closed_on),
        "closed_precision": row["closed_precision"] or "day",
        "closed_with": closed_with.code if closed_with else None,
        "source": source
        + f"\nassumption: counters and appointment hours of size class {size.code} "
        "(reference_data/office_sizes.csv)",
        "notes": row["notes"],
    }
    office = Office.objects.select_related("opened_with", "closed_with").filter(code=code).first()

    def write() -> State:
        values: dict[str, object] = {
            **wanted,
            "opened_on": opened_on,
            "closed_on": closed_on,
            "opened_with": opened_with,
            "closed_with": closed_with,
        }
        saved, _ = Office.objects.update_or_create(code=code, defaults=values)
        return office_state(Office.objects.get(pk=saved.pk))

    syncer.sync(
        kind="office",
        key=code,
        current=None if office is None else office_state(office),
        wanted=wanted,
        write=write,
    )
    return Office.objects.select_related("opened_with", "closed_with").get(code=code)


Wanted = tuple[Service, dt.date, dt.date | None, Milestone | None, Milestone | None, str]


def _wanted_offerings(
    office: Office,
    rows: list[dict[str, str]],
    agencies: dict[str, Agency],
    milestones: dict[str, Milestone],
    source_text: object,
) -> list[Wanted]:
    """Each row's services from max(row start, office opening) to min(row end, closing)."""
    assert callable(source_text)
    wanted: list[Wanted] = []
    for row in rows:
        if row["office_code"] not in ("*", office.code):
            continue
        agency = agencies[row["agency_code"]]
        services = (
            list(agency.services.filter(required_capability__isnull=True))
            if row["service_code"] == "*"
            else [agency.services.get(code=row["service_code"])]
        )
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
            continue
        for service in services:
            wanted.append(
                (service, valid_from, valid_to, starts_with, ends_with, source_text(row["source"]))
            )
    return wanted


def _sync_offerings(office: Office, wanted: list[Wanted], syncer: Syncer) -> None:
    state = sorted(
        [
            service.agency.code,
            service.code,
            _iso(first),
            _iso(last),
            starts.code if starts else None,
            ends.code if ends else None,
            source,
        ]
        for service, first, last, starts, ends, source in wanted
    )

    def write() -> State:
        office.offerings.all().delete()
        Offering.objects.bulk_create(
            Offering(
                office=office,
                service=service,
                valid_from=first,
                valid_to=last,
                starts_with=starts,
                ends_with=ends,
                source=source,
            )
            for service, first, last, starts, ends, source in wanted
        )
        return offerings_state(office)

    current = offerings_state(office)
    syncer.sync(
        kind="offerings",
        key=office.code,
        current=syncer.present("offerings", office.code, current),
        wanted=state,
        write=write,
    )


def _sync_counters(office: Office, size: SizeClass, needs_photo: bool, syncer: Syncer) -> None:
    """The size class's n desks, numbered 1, 2, … skipping the numbers of the office's video
    rooms; photo stations on the first k if needed; other desks off (not deleted). The video
    rooms are left as they are (decision 0084): never switched off, renumbered or stripped
    of their capability, and not counted among the desks."""
    photo = size.id_photo_counters if needs_photo else 0
    rooms = set(office.service_points.video_rooms().values_list("number", flat=True))
    existing = set(office.service_points.desks().values_list("number", flat=True))
    numbers = list(islice((n for n in count(1) if n not in rooms), size.counters))
    wanted: list[tuple[int, str, bool, list[str]]] = [
        (number, "", True, ["id-photo"] if i < photo else []) for i, number in enumerate(numbers)
    ]
    wanted += [(number, "", False, []) for number in sorted(existing) if number not in numbers]
    wanted.sort()

    def write() -> State:
        id_photo = Capability.objects.get(code="id-photo") if photo else None
        for number, name, active, caps in wanted:
            point, _ = ServicePoint.objects.update_or_create(
                office=office, number=number, defaults={"name": name, "is_active": active}
            )
            point.capabilities.set([id_photo] if caps and id_photo else [])
        return counters_state(office)

    current = counters_state(office)
    syncer.sync(
        kind="counters",
        key=office.code,
        current=syncer.present("counters", office.code, current),
        wanted=wanted,
        write=write,
    )


HoursRows = list[tuple[int, dt.time, dt.time]]


def _hours_by_office(rows: list[dict[str, str]]) -> dict[str, dict[dt.date, HoursRows]]:
    """office code (or '*') → first day of a period → (weekday, opens, closes) rows."""
    result: dict[str, dict[dt.date, HoursRows]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        first = _required_date(row["valid_from"], f"opening hours of {row['office_code']}")
        for weekday in _weekdays(row["weekdays"]):
            result[row["office_code"]][first].append(
                (weekday, dt.time.fromisoformat(row["opens"]), dt.time.fromisoformat(row["closes"]))
            )
    if "*" not in result:
        raise ReferenceDataError("opening_hours.csv needs default rows (office_code '*')")
    return result


def _sync_hours(office: Office, periods: dict[dt.date, HoursRows], syncer: Syncer) -> None:
    wanted = sorted(
        [
            first.isoformat(),
            None,
            "",
            sorted([w, opens.isoformat(), closes.isoformat()] for w, opens, closes in rows),
        ]
        for first, rows in periods.items()
    )

    def write() -> State:
        office.opening_periods.all().delete()
        for first, rows in periods.items():
            period = OpeningHoursPeriod.objects.create(office=office, valid_from=first)
            WeeklyHours.objects.bulk_create(
                WeeklyHours(period=period, weekday=w, opens=opens, closes=closes)
                for w, opens, closes in rows
            )
        return hours_state(office)

    current = hours_state(office)
    syncer.sync(
        kind="hours",
        key=office.code,
        current=syncer.present("hours", office.code, current),
        wanted=wanted,
        write=write,
    )
