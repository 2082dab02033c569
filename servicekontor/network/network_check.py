"""The registry against the public record: published network sizes and the registry's count.

The published figures live in `reference_data/published_counts.csv` (date, precision, count,
kind, agency, source code, note), their sources in `sources.csv`; nothing here hard-codes a
figure. Kinds:

- `offices`: offices operating on the date (`Office.is_operating_on`);
- `offerings`: operating offices offering any service of the agency on the date;
- `places`: distinct municipalities among those offices.

A figure published for a month ("138 in December 2023") is compared on the first day of that
month, the date stored in the file.

Every accessibility figure of the planner is biased when offices are missing, so where the
registry holds fewer offices than published by more than `MISSING_WARNING_SHARE`, the planning
page and `plan measure` say so next to their figures (`coverage_warning`).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Q

from servicekontor.catalog.models import Agency
from servicekontor.network.models import Offering, Office, OfficeKind
from servicekontor.network.queries import offices_operating_on

# Warn when the registry holds fewer than 95 % of the published offices.
MISSING_WARNING_SHARE = 0.05


@dataclass(frozen=True)
class PublishedCount:
    day: dt.date
    precision: str  # day | month
    count: int
    kind: str  # offices | offerings | places
    agency_code: str
    source: str  # the source's description with its URL, from sources.csv
    note: str


@dataclass(frozen=True)
class CountCheck:
    published: PublishedCount
    registry: int
    # The agency's name for the page ("Migrationsverket", not its code "migrationsverket");
    # empty for counts of all offices or an agency not in the catalogue.
    agency_name: str = ""

    @property
    def difference(self) -> int:
        """Registry minus published: negative when the registry lacks offices."""
        return self.registry - self.published.count

    @property
    def missing_share(self) -> float:
        """Share of the published count the registry lacks (0 when it has as many or more)."""
        return max(0.0, -self.difference / self.published.count) if self.published.count else 0.0

    @property
    def warns(self) -> bool:
        return self.missing_share > MISSING_WARNING_SHARE


def _directory(directory: Path | None) -> Path:
    return Path(directory or settings.REFERENCE_DATA_DIR)


def read_published_counts(directory: Path | None = None) -> list[PublishedCount]:
    """The published counts in date order; the source code resolved through sources.csv."""
    folder = _directory(directory)
    with (folder / "sources.csv").open(encoding="utf-8", newline="") as handle:
        sources = {row["code"]: row["description"] for row in csv.DictReader(handle)}
    with (folder / "published_counts.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    counts = [
        PublishedCount(
            day=dt.date.fromisoformat(row["date"]),
            precision=row["precision"],
            count=int(row["count"]),
            kind=row["kind"],
            agency_code=row["agency_code"],
            source=sources.get(row["source"], row["source"]),
            note=row["note"],
        )
        for row in rows
    ]
    return sorted(counts, key=lambda c: (c.day, c.kind, c.agency_code))


def registry_count(published: PublishedCount) -> int:
    """The registry's number for the same date and kind (offices only: the published counts
    are of servicekontor, so outreach stops are not counted)."""
    offices = offices_operating_on(day=published.day).filter(kind=OfficeKind.OFFICE)
    if published.kind == "offices":
        return offices.count()
    offering = Offering.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=published.day),
        valid_from__lte=published.day,
        service__agency__code=published.agency_code,
    )
    offering_offices = offices.filter(pk__in=offering.values("office_id"))
    if published.kind == "offerings":
        return offering_offices.count()
    if published.kind == "places":
        return offering_offices.values("municipality").distinct().count()
    raise ValueError(f"unknown kind of published count: {published.kind!r}")


def check_network(directory: Path | None = None) -> list[CountCheck]:
    """Each published count with the registry's number on its date and its agency's name."""
    names = {a.code: a.name for a in Agency.objects.all()}  # in the active language
    return [
        CountCheck(p, registry_count(p), names.get(p.agency_code, ""))
        for p in read_published_counts(directory)
    ]


def coverage_warning(*, day: dt.date, directory: Path | None = None) -> CountCheck | None:
    """The office count behind a figure for `day`, if the registry lacks more than 5 % of it.

    Compares the latest published office count on or before `day` (the earliest one when
    `day` is before all of them) with the registry on that count's date. None when the
    registry is close enough or nothing is published.
    """
    counts = [c for c in read_published_counts(directory) if c.kind == "offices"]
    if not counts:
        return None
    earlier = [c for c in counts if c.day <= day]
    published = earlier[-1] if earlier else counts[0]
    check = CountCheck(published, registry_count(published))
    return check if check.warns else None


def shared_positions(*, day: dt.date) -> list[list[Office]]:
    """Groups of two or more offices operating on `day` at exactly the same point."""
    groups: dict[tuple[float, float], list[Office]] = {}
    for office in offices_operating_on(day=day).order_by("code"):
        groups.setdefault((office.latitude, office.longitude), []).append(office)
    return [offices for offices in groups.values() if len(offices) > 1]


def offices_with_unknown_county() -> list[Office]:
    """Offices whose county is not one of Sweden's 21 (`core.geography.county_names`, the
    list the admin now offers): typed before the admin offered a list. Fix them in the admin."""
    from servicekontor.core.geography import county_names

    return list(Office.objects.exclude(county__in=county_names()).order_by("code"))


def offices_offering_nothing(*, day: dt.date) -> list[Office]:
    """Offices (not outreach stops) operating on ``day`` with no offering valid that day
    (decision 0101: an open office offers at least one agency's services)."""
    offering = Offering.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day
    ).values("office_id")
    return list(
        offices_operating_on(day=day)
        .filter(kind=OfficeKind.OFFICE)
        .exclude(pk__in=offering)
        .order_by("code")
    )
