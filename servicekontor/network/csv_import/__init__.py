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

Modules: `rows` (plain data), `reading` (parse and check rows on their own), `checks`
(against each other and the database), `writing` (`apply_import`).
"""

from servicekontor.network.csv_import.checks import (
    check_offerings,
    check_open_offices_offer,
    load_snapshot,
)
from servicekontor.network.csv_import.reading import (
    parse_known_date,
    read_offerings,
    read_offices,
    read_text,
)
from servicekontor.network.csv_import.rows import (
    Counts,
    ExistingOffering,
    KnownDate,
    OfferingRow,
    OfficeRow,
    RowError,
    Snapshot,
)
from servicekontor.network.csv_import.writing import ImportResult, apply_import

__all__ = [
    "Counts",
    "ExistingOffering",
    "ImportResult",
    "KnownDate",
    "OfferingRow",
    "OfficeRow",
    "RowError",
    "Snapshot",
    "apply_import",
    "check_offerings",
    "check_open_offices_offer",
    "load_snapshot",
    "parse_known_date",
    "read_offerings",
    "read_offices",
    "read_text",
]
