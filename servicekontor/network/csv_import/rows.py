"""The rows of the office import as plain data: columns, parsed rows, errors, the snapshot of
the database the checks need, counts."""

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from servicekontor.network.dates import DateSpan
from servicekontor.network.models import (
    OFFICE_EXCHANGE_FIELDS,
    Office,
)

OFFICE_COLUMNS = (*OFFICE_EXCHANGE_FIELDS, "opened_on", "closed_on", "source")
OFFICE_REQUIRED = ("code", "name", "municipality", "county", "latitude", "longitude", "opened_on")
OFFICE_MAX_LENGTHS: dict[str, int] = {
    name: max_length
    for name in OFFICE_EXCHANGE_FIELDS
    if (max_length := getattr(Office._meta.get_field(name), "max_length", None)) is not None
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

    @property
    def span(self) -> DateSpan:
        return DateSpan(self.valid_from, self.valid_to)


@dataclass(frozen=True)
class ExistingOffering:
    office_code: str
    agency_code: str
    service_code: str
    valid_from: dt.date
    valid_to: dt.date | None

    @property
    def span(self) -> DateSpan:
        return DateSpan(self.valid_from, self.valid_to)


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
