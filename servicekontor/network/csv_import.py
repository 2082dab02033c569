"""Import offices and offerings from CSV: check every row first, then write all or nothing.

Two files, both UTF-8 (a BOM is fine), comma-separated, with a header row:

- offices: code,name,municipality,county,street_address,postal_code,postal_town,latitude,longitude,
  opened_on,closed_on,source
- offerings: office_code,agency_code,service_code,valid_from,valid_to,source

Dates are YYYY-MM-DD; where the sources only tell the month or the year, write YYYY-MM or YYYY:
the first possible day is stored, with its precision. `closed_on` is the first day closed for
good, `valid_to` the last day offered (inclusive); both may be empty.

Offices are matched by code, offerings by (office, service, first day): a matching row is
updated, an unmatched one created, and rows of the database that the files do not mention are
left alone. An offering may then not overlap another offering of the same service at the same
office, in the file or in the database.

`read_*` and `check_*` are plain functions over plain data (`Snapshot` is what they need to
know of the database); `load_snapshot` reads it and `apply_import` writes.
"""

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, cast

from django.db import transaction
from django.utils.translation import gettext as _

from servicekontor.catalog.models import Agency, Service
from servicekontor.network.models import CoordinateSource, Offering, Office

OFFICE_COLUMNS = (
    "code",
    "name",
    "municipality",
    "county",
    "street_address",
    "postal_code",
    "postal_town",
    "latitude",
    "longitude",
    "opened_on",
    "closed_on",
    "source",
)
OFFICE_REQUIRED = ("code", "name", "municipality", "county", "latitude", "longitude", "opened_on")
OFFICE_MAX_LENGTHS = {
    "code": 60,
    "name": 120,
    "municipality": 80,
    "county": 80,
    "street_address": 200,
    "postal_code": 10,
    "postal_town": 80,
}
OFFERING_COLUMNS = (
    "office_code",
    "agency_code",
    "service_code",
    "valid_from",
    "valid_to",
    "source",
)
OFFERING_REQUIRED = ("office_code", "agency_code", "service_code", "valid_from")

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_DATE_FORMS = (
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "day"),
    (re.compile(r"^\d{4}-\d{2}$"), "month"),
    (re.compile(r"^\d{4}$"), "year"),
)


@dataclass(frozen=True, order=True)
class RowError:
    file: str
    line: int
    message: str
    # The office code of a bad offices row ("*" for a bad header), so that offerings of that
    # office are not also reported as "unknown office".
    office_code: str = field(default="", compare=False)

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}: {self.message}"


@dataclass(frozen=True)
class KnownDate:
    date: dt.date
    precision: str  # a DatePrecision value


@dataclass(frozen=True)
class OfficeRow:
    line: int
    code: str
    name: str
    municipality: str
    county: str
    street_address: str
    postal_code: str
    postal_town: str
    latitude: float
    longitude: float
    opened: KnownDate
    closed: KnownDate | None
    source: str


@dataclass(frozen=True)
class OfferingRow:
    line: int
    office_code: str
    agency_code: str
    service_code: str
    valid_from: dt.date
    valid_to: dt.date | None
    source: str


@dataclass(frozen=True)
class ExistingOffering:
    office_code: str
    agency_code: str
    service_code: str
    valid_from: dt.date
    valid_to: dt.date | None


@dataclass
class Snapshot:
    """What the checks need to know of the database."""

    office_dates: dict[str, tuple[dt.date, dt.date | None]] = field(default_factory=dict)
    agencies: set[str] = field(default_factory=set)
    services: set[tuple[str, str]] = field(default_factory=set)  # (agency code, service code)
    offerings: list[ExistingOffering] = field(default_factory=list)


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged") % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


# --- reading ------------------------------------------------------------------------------


def parse_known_date(raw: str) -> KnownDate:
    """YYYY-MM-DD, YYYY-MM or YYYY → the first possible day and its precision."""
    for pattern, precision in _DATE_FORMS:
        if pattern.match(raw):
            padded = {"day": raw, "month": f"{raw}-01", "year": f"{raw}-01-01"}[precision]
            return KnownDate(dt.date.fromisoformat(padded), precision)
    raise ValueError(raw)


def _rows(
    stream: IO[str], file: str, columns: tuple[str, ...], errors: list[RowError]
) -> Iterable[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(stream)
    header = reader.fieldnames or []
    missing = [c for c in columns if c not in header]
    unknown = [c for c in header if c not in columns]
    if missing:
        errors.append(
            RowError(file, 1, _("missing column(s): %s") % ", ".join(missing), office_code="*")
        )
    if unknown:
        errors.append(
            RowError(file, 1, _("unknown column(s): %s") % ", ".join(unknown), office_code="*")
        )
    if missing or unknown:
        return
    try:
        for record in reader:
            line = reader.line_num
            extra = cast(list[str], record.pop(None, None) or [])
            present = sum(value is not None for value in record.values())
            if extra or present < len(columns):
                errors.append(
                    RowError(
                        file,
                        line,
                        _("expected %(n)d fields, found %(found)d")
                        % {"n": len(columns), "found": present + len(extra)},
                    )
                )
                continue
            values = {key: (value or "").strip() for key, value in record.items()}
            if not any(values.values()):
                continue  # a blank line
            yield line, values
    except csv.Error as exc:
        errors.append(RowError(file, reader.line_num, _("not valid CSV: %s") % exc))


def _required(
    values: dict[str, str], names: tuple[str, ...], file: str, line: int, problems: list[RowError]
) -> None:
    for name in names:
        if not values[name]:
            problems.append(RowError(file, line, _("%s is empty") % name))


def _date(
    values: dict[str, str], name: str, file: str, line: int, problems: list[RowError]
) -> KnownDate | None:
    raw = values[name]
    if not raw:
        return None
    try:
        return parse_known_date(raw)
    except ValueError:
        problems.append(
            RowError(
                file,
                line,
                _("%(name)s “%(value)s” is not a date (YYYY-MM-DD, or YYYY-MM / YYYY)")
                % {"name": name, "value": raw},
            )
        )
        return None


def _coordinate(
    values: dict[str, str], name: str, limit: float, file: str, line: int, problems: list[RowError]
) -> float | None:
    raw = values[name]
    if not raw:
        return None
    try:
        number = float(raw)
    except ValueError:
        problems.append(
            RowError(
                file, line, _("%(name)s “%(value)s” is not a number") % {"name": name, "value": raw}
            )
        )
        return None
    if not -limit <= number <= limit:
        problems.append(
            RowError(
                file,
                line,
                _("%(name)s %(value)s is out of range (−%(limit)d to %(limit)d)")
                % {"name": name, "value": raw, "limit": limit},
            )
        )
        return None
    return number


def read_offices(
    stream: IO[str], *, file: str = "offices"
) -> tuple[list[OfficeRow], list[RowError]]:
    """Parse and check the offices file on its own (no database)."""
    errors: list[RowError] = []
    rows: list[OfficeRow] = []
    first_line_of: dict[str, int] = {}
    for line, values in _rows(stream, file, OFFICE_COLUMNS, errors):
        problems: list[RowError] = []
        _required(values, OFFICE_REQUIRED, file, line, problems)
        code = values["code"]
        if code and not _SLUG.match(code):
            problems.append(
                RowError(file, line, _("code “%s” may only have letters, digits, - and _") % code)
            )
        for name, limit in OFFICE_MAX_LENGTHS.items():
            if len(values[name]) > limit:
                problems.append(
                    RowError(
                        file,
                        line,
                        _("%(name)s is longer than %(limit)d characters")
                        % {"name": name, "limit": limit},
                    )
                )
        if code in first_line_of:
            problems.append(
                RowError(
                    file,
                    line,
                    _("duplicate code “%(code)s” (first on line %(first)d)")
                    % {"code": code, "first": first_line_of[code]},
                )
            )
        elif code:
            first_line_of[code] = line
        latitude = _coordinate(values, "latitude", 90, file, line, problems)
        longitude = _coordinate(values, "longitude", 180, file, line, problems)
        opened = _date(values, "opened_on", file, line, problems)
        closed = _date(values, "closed_on", file, line, problems)
        if opened and closed and closed.date <= opened.date:
            problems.append(
                RowError(
                    file,
                    line,
                    _("closed_on %(closed)s is not after opened_on %(opened)s")
                    % {"closed": values["closed_on"], "opened": values["opened_on"]},
                )
            )
        if problems:
            errors.extend(RowError(p.file, p.line, p.message, office_code=code) for p in problems)
            continue
        assert latitude is not None and longitude is not None and opened is not None
        rows.append(
            OfficeRow(
                line=line,
                code=code,
                name=values["name"],
                municipality=values["municipality"],
                county=values["county"],
                street_address=values["street_address"],
                postal_code=values["postal_code"],
                postal_town=values["postal_town"],
                latitude=latitude,
                longitude=longitude,
                opened=opened,
                closed=closed,
                source=values["source"],
            )
        )
    return rows, errors


def read_offerings(
    stream: IO[str], *, file: str = "offerings"
) -> tuple[list[OfferingRow], list[RowError]]:
    """Parse and check each offerings row on its own (no database, no overlaps yet)."""
    errors: list[RowError] = []
    rows: list[OfferingRow] = []
    for line, values in _rows(stream, file, OFFERING_COLUMNS, errors):
        problems: list[RowError] = []
        _required(values, OFFERING_REQUIRED, file, line, problems)
        first = _date(values, "valid_from", file, line, problems)
        last = _date(values, "valid_to", file, line, problems)
        for name, known in (("valid_from", first), ("valid_to", last)):
            if known is not None and known.precision != "day":
                problems.append(
                    RowError(file, line, _("%s must be an exact day (YYYY-MM-DD)") % name)
                )
        if first and last and last.date < first.date:
            problems.append(
                RowError(
                    file,
                    line,
                    _("valid_to %(last)s is before valid_from %(first)s")
                    % {"last": values["valid_to"], "first": values["valid_from"]},
                )
            )
        if problems:
            errors.extend(problems)
            continue
        assert first is not None
        rows.append(
            OfferingRow(
                line=line,
                office_code=values["office_code"],
                agency_code=values["agency_code"],
                service_code=values["service_code"],
                valid_from=first.date,
                valid_to=last.date if last else None,
                source=values["source"],
            )
        )
    return rows, errors


# --- checking against the database -------------------------------------------------------


def _overlaps(a_from: dt.date, a_to: dt.date | None, b_from: dt.date, b_to: dt.date | None) -> bool:
    return (a_to is None or a_to >= b_from) and (b_to is None or b_to >= a_from)


def _period(first: dt.date, last: dt.date | None) -> str:
    return f"{first.isoformat()}–{last.isoformat() if last else '…'}"


def check_offerings(
    rows: list[OfferingRow],
    *,
    offices: list[OfficeRow],
    snapshot: Snapshot,
    file: str = "offerings",
    office_errors: Iterable[RowError] = (),
) -> list[RowError]:
    """Unknown codes, offerings starting while the office is not operating, and overlaps.

    Offices whose row in the offices file is bad (`office_errors`) are not checked again here:
    that row is reported already.

    Overlaps are checked on the state after the import: the file's rows plus the database's
    rows that the file does not update (same office, service and first day = an update).
    """
    errors: list[RowError] = []
    office_dates = dict(snapshot.office_dates)
    office_dates.update(
        {o.code: (o.opened.date, o.closed.date if o.closed else None) for o in offices}
    )
    unsure = {error.office_code for error in office_errors if error.office_code}
    good: list[OfferingRow] = []
    for row in rows:
        problems = []
        office_reported = "*" in unsure or row.office_code in unsure
        if not office_reported and row.office_code not in office_dates:
            problems.append(_("unknown office “%s”") % row.office_code)
        if row.agency_code not in snapshot.agencies:
            problems.append(_("unknown agency “%s”") % row.agency_code)
        elif (row.agency_code, row.service_code) not in snapshot.services:
            problems.append(
                _("agency “%(agency)s” has no service “%(service)s”")
                % {"agency": row.agency_code, "service": row.service_code}
            )
        if not office_reported and row.office_code in office_dates:
            opened_on, closed_on = office_dates[row.office_code]
            if row.valid_from < opened_on or (
                closed_on is not None and row.valid_from >= closed_on
            ):
                problems.append(
                    _("office “%(office)s” is not operating on valid_from %(day)s")
                    % {"office": row.office_code, "day": row.valid_from.isoformat()}
                )
        if problems:
            errors.extend(RowError(file, row.line, p) for p in problems)
        else:
            good.append(row)

    by_key: dict[tuple[str, str, str], list[OfferingRow]] = defaultdict(list)
    for row in good:
        by_key[(row.office_code, row.agency_code, row.service_code)].append(row)
    existing_by_key: dict[tuple[str, str, str], list[ExistingOffering]] = defaultdict(list)
    for offering in snapshot.offerings:
        key = (offering.office_code, offering.agency_code, offering.service_code)
        existing_by_key[key].append(offering)

    for key, file_rows in by_key.items():
        file_rows.sort(key=lambda r: (r.valid_from, r.line))
        for i, row in enumerate(file_rows):
            for earlier in file_rows[:i]:
                if earlier.valid_from == row.valid_from:
                    errors.append(
                        RowError(
                            file,
                            row.line,
                            _("same office, service and valid_from as line %d") % earlier.line,
                        )
                    )
                elif _overlaps(earlier.valid_from, earlier.valid_to, row.valid_from, row.valid_to):
                    errors.append(
                        RowError(
                            file,
                            row.line,
                            _("overlaps the offering on line %(line)d (%(period)s)")
                            % {
                                "line": earlier.line,
                                "period": _period(earlier.valid_from, earlier.valid_to),
                            },
                        )
                    )
        updated_starts = {row.valid_from for row in file_rows}
        for offering in existing_by_key.get(key, []):
            if offering.valid_from in updated_starts:
                continue  # replaced by the file's row
            for row in file_rows:
                if _overlaps(offering.valid_from, offering.valid_to, row.valid_from, row.valid_to):
                    errors.append(
                        RowError(
                            file,
                            row.line,
                            _("overlaps an offering in the database (%(period)s)")
                            % {"period": _period(offering.valid_from, offering.valid_to)},
                        )
                    )
    return errors


def load_snapshot(*, offering_rows: list[OfferingRow]) -> Snapshot:
    """Read what the checks need: offices, agencies, services, and the offerings in question."""
    office_codes = {row.office_code for row in offering_rows}
    snapshot = Snapshot(
        office_dates={
            code: (opened_on, closed_on)
            for code, opened_on, closed_on in Office.objects.values_list(
                "code", "opened_on", "closed_on"
            )
        },
        agencies=set(Agency.objects.values_list("code", flat=True)),
        services=set(Service.objects.values_list("agency__code", "code")),
    )
    snapshot.offerings = [
        ExistingOffering(*values)
        for values in Offering.objects.filter(office__code__in=office_codes).values_list(
            "office__code", "service__agency__code", "service__code", "valid_from", "valid_to"
        )
    ]
    return snapshot


# --- writing ------------------------------------------------------------------------------


@dataclass
class ImportResult:
    offices: Counts
    offerings: Counts


@transaction.atomic
def apply_import(*, offices: list[OfficeRow], offerings: list[OfferingRow]) -> ImportResult:
    """Upsert checked rows, all in one transaction.

    Takes no row locks: the database's overlap constraint is the last word if someone edits
    offerings at the same time (the whole import then rolls back).
    """
    office_counts = Counts()
    existing_offices = {
        o.code: o for o in Office.objects.filter(code__in=[r.code for r in offices])
    }
    for row in offices:
        wanted = {
            "name": row.name,
            "municipality": row.municipality,
            "county": row.county,
            "street_address": row.street_address,
            "postal_code": row.postal_code,
            "postal_town": row.postal_town,
            "latitude": row.latitude,
            "longitude": row.longitude,
            "opened_on": row.opened.date,
            "opened_precision": row.opened.precision,
            "closed_on": row.closed.date if row.closed else None,
            "closed_precision": row.closed.precision if row.closed else "day",
            "source": row.source,
        }
        office = existing_offices.get(row.code)
        if office is None:
            # An imported position is the administrator's statement of where the office is.
            Office.objects.create(
                code=row.code,
                coordinate_source=CoordinateSource.IMPORTED,
                position_approximate=False,
                **wanted,
            )
            office_counts.created += 1
            continue
        changed = [name for name, value in wanted.items() if getattr(office, name) != value]
        if not changed:
            office_counts.unchanged += 1
            continue
        if "latitude" in changed or "longitude" in changed:
            office.coordinate_source = CoordinateSource.IMPORTED
            office.position_approximate = False
            changed += ["coordinate_source", "position_approximate"]
        for name in changed:
            setattr(office, name, wanted.get(name, getattr(office, name)))
        office.save(update_fields=changed)
        office_counts.updated += 1

    offering_counts = Counts()
    office_ids = dict(
        Office.objects.filter(code__in={r.office_code for r in offerings}).values_list("code", "pk")
    )
    service_ids = {
        (agency, code): pk
        for pk, agency, code in Service.objects.values_list("pk", "agency__code", "code")
    }
    existing = {
        (o.office_id, o.service_id, o.valid_from): o
        for o in Offering.objects.filter(office_id__in=office_ids.values())
    }
    updates: list[tuple[Offering, OfferingRow]] = []
    creates: list[Offering] = []
    for offering_row in offerings:
        office_id = office_ids[offering_row.office_code]
        service_id = service_ids[(offering_row.agency_code, offering_row.service_code)]
        current = existing.get((office_id, service_id, offering_row.valid_from))
        if current is None:
            creates.append(
                Offering(
                    office_id=office_id,
                    service_id=service_id,
                    valid_from=offering_row.valid_from,
                    valid_to=offering_row.valid_to,
                    source=offering_row.source,
                )
            )
        elif (current.valid_to, current.source) == (offering_row.valid_to, offering_row.source):
            offering_counts.unchanged += 1
        else:
            updates.append((current, offering_row))
    # The overlap constraint is checked row by row, not at commit: shorten before lengthening,
    # and create last, so that no intermediate state overlaps when the final one does not.
    far = dt.date.max
    updates.sort(key=lambda pair: (pair[1].valid_to or far) > (pair[0].valid_to or far))
    for offering, offering_row in updates:
        offering.valid_to, offering.source = offering_row.valid_to, offering_row.source
        offering.save(update_fields=["valid_to", "source"])
        offering_counts.updated += 1
    for offering in creates:
        offering.save()
        offering_counts.created += 1
    return ImportResult(offices=office_counts, offerings=offering_counts)


def read_text(data: bytes) -> IO[str]:
    """Bytes of a CSV file as a text stream (UTF-8, an Excel BOM dropped)."""
    return io.StringIO(data.decode("utf-8-sig"), newline="")
