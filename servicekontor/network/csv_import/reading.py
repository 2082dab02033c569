"""Reading the CSV files into rows, each row checked on its own (no database)."""

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from typing import IO, cast

from django.utils.translation import gettext as _

from servicekontor.core.geography import county_names, in_sweden
from servicekontor.network.csv_import.rows import (
    OFFERING_COLUMNS,
    OFFERING_REQUIRED,
    OFFICE_COLUMNS,
    OFFICE_MAX_LENGTHS,
    OFFICE_REQUIRED,
    KnownDate,
    OfferingRow,
    OfficeRow,
    RowError,
)

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_DATE_FORMS = (
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "day"),
    (re.compile(r"^\d{4}-\d{2}$"), "month"),
    (re.compile(r"^\d{4}$"), "year"),
)


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
            if any("\x00" in value for value in values.values()):
                errors.append(RowError(file, line, _("contains a NUL character")))
                continue
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
        if values["county"] and values["county"] not in county_names():
            problems.append(
                RowError(
                    file,
                    line,
                    _("county “%(county)s” is not one of Sweden's 21 counties (e.g. %(example)s)")
                    % {"county": values["county"], "example": "Norrbottens län"},
                )
            )
        latitude = _coordinate(values, "latitude", 90, file, line, problems)
        longitude = _coordinate(values, "longitude", 180, file, line, problems)
        if latitude is not None and longitude is not None and not in_sweden(latitude, longitude):
            problems.append(
                RowError(
                    file,
                    line,
                    _("position %(lat)s, %(lon)s lies outside Sweden")
                    % {"lat": values["latitude"], "lon": values["longitude"]},
                )
            )
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


def read_text(data: bytes) -> IO[str]:
    """Bytes of a CSV file as a text stream (UTF-8, an Excel BOM dropped)."""
    return io.StringIO(data.decode("utf-8-sig"), newline="")
