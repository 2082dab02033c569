"""Import cost pools from CSV or Excel: check every row first, then write all or nothing.

One sheet (the first of an .xlsx) or one CSV file (UTF-8, a BOM is fine; comma or semicolon),
a header row, then one pool per row:

| column | required | meaning |
|---|---|---|
| month | yes | YYYY-MM (or the month's first day YYYY-MM-01) |
| office | no | office code; empty for a network pool |
| category | yes | staff, premises, it, overhead, other (Swedish: personal, lokaler, it, gemensamt, övrigt) |
| name | no | the pool's name, e.g. "Hyra" |
| amount_sek | yes | kronor, up to two decimals ("12 345,50" or 12345.5) |
| driver | no | minutes (default), visits, fixed, mix |
| mix | for mix | weights, e.g. "minutes:50;fixed:50" |
| fixed_shares | for fixed | agency code:weight, e.g. "skatteverket:1;forsakringskassan:1" |
| office_driver | no | network pools: minutes (default), visits, fixed |
| office_shares | for office_driver fixed | office code:weight, e.g. "kista:3;lulea:1" |
| note | no | free text |

A row matching an existing pool (month, office, category, name) replaces it with its shares;
other pools are left alone. A month already settled is refused (enter a correction instead).
Errors name the line, the column and what to do; nothing is written if any row is bad.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from servicekontor.catalog.models import Agency
from servicekontor.core.archives import UnsafeArchive, check_zip
from servicekontor.core.spreadsheets import read_csv_rows
from servicekontor.costs.models import (
    Category,
    CostPool,
    DriverChoice,
    OfficeDriver,
    PoolOfficeShare,
    PoolShare,
    PoolSource,
    Settlement,
)
from servicekontor.costs.services import lock_open_month
from servicekontor.network.models import Office

COLUMNS = (
    "month",
    "office",
    "category",
    "name",
    "amount_sek",
    "driver",
    "mix",
    "fixed_shares",
    "office_driver",
    "office_shares",
    "note",
)
REQUIRED = ("month", "category", "amount_sek")
CATEGORY_ALIASES = {
    "personal": "staff",
    "lokaler": "premises",
    "gemensamt": "overhead",
    "gemensamma": "overhead",
    "övrigt": "other",
    "ovrigt": "other",
}
MAX_FILE_BYTES = 5 * 1024 * 1024  # the upload itself; an .xlsx is also checked unpacked
MAX_ORE = 10**15  # ten thousand billion kronor: a typo, not a cost
_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-01)?$")
_PAIR = re.compile(r"^\s*([-\w]+)\s*:\s*(\d+)\s*$")


@dataclass(frozen=True, order=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Line %(line)s, column “%(column)s”: %(message)s") % {
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


class ImportFailed(Exception):
    """Bad rows: nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = sorted(errors)


@dataclass
class PoolRow:
    line: int
    month: dt.date
    office_id: int | None
    category: str
    name: str
    amount_ore: int
    driver: str
    weights: dict[str, int] = field(default_factory=dict)
    fixed_shares: dict[int, int] = field(default_factory=dict)
    office_driver: str = OfficeDriver.MINUTES
    office_shares: dict[int, int] = field(default_factory=dict)
    note: str = ""


@dataclass
class Snapshot:
    """What the checks need from the database."""

    offices: dict[str, int]
    agencies: dict[str, int]
    settled: set[dt.date]


def load_snapshot() -> Snapshot:
    return Snapshot(
        offices=dict(Office.objects.values_list("code", "pk")),
        agencies=dict(Agency.objects.values_list("code", "pk")),
        settled=set(Settlement.objects.values_list("month", flat=True)),
    )


# --- reading ------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value).strip()


def read_table(data: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV or .xlsx as (line number, column → text). Header names are
    lower-cased; the header is line 1. Raises ImportFailed for an unreadable file or a header
    without the required columns."""
    if filename.lower().endswith(".xlsx"):
        try:
            # before openpyxl inflates anything: a small file may unpack to gigabytes
            check_zip(data)
        except UnsafeArchive as exc:
            raise ImportFailed([RowError(0, "", str(exc))]) from exc
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception as exc:  # openpyxl raises many kinds for a file that is not .xlsx
            raise ImportFailed(
                [RowError(0, "", _("The file is not a readable .xlsx workbook (%s).") % exc)]
            ) from exc
        raw = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFailed(
                [RowError(0, "", _("The file is not UTF-8 text. Save it as CSV UTF-8."))]
            ) from None
        raw = [[c.strip() for c in r] for r in read_csv_rows(text)]
    if not raw:
        raise ImportFailed([RowError(1, "", _("The file is empty."))])
    header = [h.strip().lower() for h in raw[0]]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h and h not in COLUMNS]
    if missing or unknown:
        errors = [
            RowError(1, c, _("Required column missing; add it to the header row.")) for c in missing
        ]
        errors += [
            RowError(1, h, _("Unknown column. Use: %s.") % ", ".join(COLUMNS)) for h in unknown
        ]
        raise ImportFailed(errors)
    rows = []
    for n, values in enumerate(raw[1:], start=2):
        if not any(values):
            continue
        rows.append((n, {h: (values[i] if i < len(values) else "") for i, h in enumerate(header)}))
    return rows


def _amount_ore(text: str) -> int:
    cleaned = text.replace(" ", "").replace("\u00a0", "").replace(",", ".")
    value = Decimal(cleaned)
    if value != value.quantize(Decimal("0.01")) or not value.is_finite():
        raise InvalidOperation
    return int(value * 100)


def _pairs(text: str) -> list[tuple[str, int]]:
    out = []
    for item in filter(None, (p.strip() for p in text.split(";"))):
        m = _PAIR.match(item)
        if not m:
            raise ValueError(item)
        out.append((m.group(1), int(m.group(2))))
    return out


def check_rows(rows: list[tuple[int, dict[str, str]]], snap: Snapshot) -> list[PoolRow]:
    """Parse and check every row; raise ImportFailed with every error found, else the rows."""
    errors: list[RowError] = []
    out: list[PoolRow] = []
    seen: dict[tuple[dt.date, int | None, str, str], int] = {}
    for line, r in rows:
        bad = len(errors)

        def err(column: str, message: str, line: int = line) -> None:
            errors.append(RowError(line, column, message))

        month = None
        m = _MONTH.match(r.get("month", ""))
        if not m or not 1 <= int(m.group(2)) <= 12:
            err("month", _("Write the month as YYYY-MM, e.g. 2025-03."))
        else:
            month = dt.date(int(m.group(1)), int(m.group(2)), 1)
            if month in snap.settled:
                err(
                    "month",
                    _("%(month)s is settled and frozen; enter a correction of that month instead.")
                    % {"month": f"{month:%Y-%m}"},
                )
        office_code = r.get("office", "")
        office_id = snap.offices.get(office_code) if office_code else None
        if office_code and office_id is None:
            err(
                "office",
                _(
                    "No office with the code “%s”; use an office code or leave it empty for the network."
                )
                % office_code,
            )
        category = r.get("category", "").lower()
        category = CATEGORY_ALIASES.get(category, category)
        if category not in Category.values:
            err("category", _("Use one of: %s.") % ", ".join(Category.values))
        amount = 0
        try:
            amount = _amount_ore(r.get("amount_sek", ""))
            if not 0 <= amount < MAX_ORE:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            err(
                "amount_sek",
                _(
                    "Write a non-negative amount in kronor with at most two decimals, e.g. 12345,50."
                ),
            )
        driver = (r.get("driver") or DriverChoice.MINUTES).lower()
        if driver not in DriverChoice.values:
            err("driver", _("Use one of: %s.") % ", ".join(DriverChoice.values))
        weights: dict[str, int] = {}
        if driver == DriverChoice.MIX:
            try:
                weights = dict(_pairs(r.get("mix", "")))
                if (
                    not weights
                    or set(weights) - {"minutes", "visits", "fixed"}
                    or not any(weights.values())
                ):
                    raise ValueError
            except ValueError:
                err(
                    "mix",
                    _(
                        "Give positive weights of minutes, visits and/or fixed, e.g. minutes:50;fixed:50."
                    ),
                )
        fixed: dict[int, int] = {}
        try:
            for code, w in _pairs(r.get("fixed_shares", "")):
                if code not in snap.agencies:
                    err("fixed_shares", _("No agency with the code “%s”.") % code)
                elif w <= 0:
                    raise ValueError
                else:
                    fixed[snap.agencies[code]] = w
        except ValueError:
            err(
                "fixed_shares",
                _(
                    "Write agency code:weight pairs separated by ‘;’, weights above 0, e.g. skatteverket:1;forsakringskassan:1."
                ),
            )
        needs_fixed = driver == DriverChoice.FIXED or weights.get("fixed", 0) > 0
        if needs_fixed and not fixed and "fixed_shares" not in {e.column for e in errors[bad:]}:
            err("fixed_shares", _("A fixed-share driver needs the agencies' shares here."))
        office_driver = (r.get("office_driver") or OfficeDriver.MINUTES).lower()
        if office_driver not in OfficeDriver.values:
            err("office_driver", _("Use one of: %s.") % ", ".join(OfficeDriver.values))
        office_shares: dict[int, int] = {}
        try:
            for code, w in _pairs(r.get("office_shares", "")):
                if code not in snap.offices:
                    err("office_shares", _("No office with the code “%s”.") % code)
                elif w <= 0:
                    raise ValueError
                else:
                    office_shares[snap.offices[code]] = w
        except ValueError:
            err(
                "office_shares",
                _("Write office code:weight pairs separated by ‘;’, e.g. kista:3;lulea:1."),
            )
        if office_code and (office_shares or r.get("office_driver")):
            err(
                "office_driver",
                _("Only network pools (no office) go to offices by a driver; leave it empty."),
            )
        if not office_code and office_driver == OfficeDriver.FIXED and not office_shares:
            err("office_shares", _("The office driver ‘fixed’ needs the offices' shares here."))
        name = r.get("name", "")
        if len(name) > 80:
            err("name", _("At most 80 characters."))
        if month is not None:
            key = (month, office_id, category, name)
            if key in seen:
                err(
                    "name",
                    _(
                        "Same month, office, category and name as line %s; give one of them another name."
                    )
                    % seen[key],
                )
            seen.setdefault(key, line)
        if len(errors) == bad and month is not None:
            out.append(
                PoolRow(
                    line=line,
                    month=month,
                    office_id=office_id,
                    category=category,
                    name=name,
                    amount_ore=amount,
                    driver=driver,
                    weights=weights,
                    fixed_shares=fixed,
                    office_driver=office_driver,
                    office_shares=office_shares,
                    note=r.get("note", "")[:200],
                )
            )
    if errors:
        raise ImportFailed(errors)
    return out


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0


@transaction.atomic
def import_pools(*, data: bytes, filename: str) -> ImportResult:
    """Read, check and write the pools of a CSV/.xlsx file, all or nothing.

    Lock: the ledger row (via `services.lock_open_month` for each month in the file), so no
    month is settled while its pools are being replaced. Errors: ImportFailed with every bad
    row (line, column, what to do); the transaction writes nothing then.
    """
    rows = read_table(data, filename)
    for month in sorted({r.month for r in check_rows(rows, load_snapshot())}):
        lock_open_month(month=month)
    # Checked again under the lock: a month may have been settled in between.
    checked = check_rows(rows, load_snapshot())
    result = ImportResult()
    for r in checked:
        pool, created = CostPool.objects.update_or_create(
            month=r.month,
            office_id=r.office_id,  # type: ignore[misc]  # None: a network pool
            category=r.category,
            name=r.name,
            defaults={
                "amount_ore": r.amount_ore,
                "driver": r.driver,
                "minutes_weight": r.weights.get("minutes", 0),
                "visits_weight": r.weights.get("visits", 0),
                "fixed_weight": r.weights.get("fixed", 0),
                "office_driver": r.office_driver,
                "source": PoolSource.IMPORTED,
                "note": r.note,
            },
        )
        pool.shares.all().delete()
        pool.office_shares.all().delete()
        PoolShare.objects.bulk_create(
            PoolShare(pool=pool, agency_id=a, weight=w) for a, w in r.fixed_shares.items()
        )
        PoolOfficeShare.objects.bulk_create(
            PoolOfficeShare(pool=pool, office_id=o, weight=w) for o, w in r.office_shares.items()
        )
        if created:
            result.created += 1
        else:
            result.updated += 1
    return result
