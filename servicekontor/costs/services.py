"""Write use cases of costs: settle a month, correct a settled month, derive staff cost.

Every write that reads or changes what a settlement freezes takes the ledger lock first
(`_lock_ledger`: `SELECT … FOR UPDATE` on the one `Ledger` row). Holding it, a writer sees every
settlement and pending adjustment committed before it and nobody settles or books into a
month under its feet. Two people settling the same month at once: the second waits for the
lock, then finds the month settled and gets AlreadySettled (409); the unique month of
`Settlement` backs this up in the database.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, models, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from servicekontor.accounts.models import User
from servicekontor.core import clock
from servicekontor.costs import allocation
from servicekontor.costs.errors import (
    AlreadySettled,
    BadInput,
    CannotAllocate,
    EarlierMonthOpen,
    MissingRate,
    MonthNotOver,
    NotFirstOfMonth,
    NothingToCorrect,
    NothingToSettle,
    NotSettled,
    PartialUsageNotAccepted,
)
from servicekontor.costs.models import (
    DERIVED_STAFF_NAME,
    Category,
    Correction,
    CostPool,
    HourlyRate,
    Ledger,
    LineKind,
    PoolSource,
    Settlement,
    SettlementLine,
    SettlementServiceUsage,
    SettlementUsage,
    StaffHours,
    role_label,
)
from servicekontor.costs.periods import has_ended, month_end, next_month
from servicekontor.costs.queries import (
    has_something_to_settle,
    months_to_settle,
    pools_for_allocation,
)
from servicekontor.costs.usage import ServiceUsage, month_service_usage, month_usage
from servicekontor.reports import coverage
from servicekontor.reports.queries import occupancy
from servicekontor.reports.scope import EVERYTHING


def _lock_ledger() -> None:
    """Take the ledger lock (held until the transaction ends)."""
    Ledger.objects.get_or_create(pk=1)
    Ledger.objects.select_for_update().get(pk=1)


def check_month(month: dt.date) -> None:
    if month.day != 1:
        raise NotFirstOfMonth()


def ensure_open(month: dt.date) -> None:
    """Raise AlreadySettled when `month` is settled. Call with the ledger lock held."""
    if Settlement.objects.filter(month=month).exists():
        raise AlreadySettled()


def check_settleable(month: dt.date) -> None:
    """The rule of what may be settled, for every way in (page, command, anything later):
    a month that is over in Stockholm time (not the current one, not a future one) and has
    something to settle: cost pools, or adjustments a correction booked into it. A
    settlement cannot be undone, so a month settled early would stay frozen at what it had.

    `queries.months_to_settle` lists the months this lets through.
    Errors: NotFirstOfMonth; MonthNotOver (400); NothingToSettle (400)."""
    check_month(month)
    if not has_ended(month, today=clock.local_today()):
        raise MonthNotOver()
    if not has_something_to_settle(month):
        raise NothingToSettle()
    earlier = [m for m in months_to_settle(today=clock.local_today()) if m < month]
    if earlier:
        raise EarlierMonthOpen([f"{m:%Y-%m}" for m in earlier])


@dataclass(frozen=True)
class SettlementPreview:
    """What settling ``month`` would freeze, for the confirmation step: the pools' total,
    adjustments booked into it, each agency's share (agency id -> öre), or why it cannot
    be shared (``problem``)."""

    month: dt.date
    pools_ore: int
    by_agency: dict[int, int]
    visits: int
    problem: str = ""


def settlement_preview(month: dt.date) -> SettlementPreview:
    """What `settle_month` would write for ``month`` now (nothing is written). Raises what
    `check_settleable` raises."""
    check_settleable(month)
    usage = month_usage(month=month)  # what settle_month shares by
    pools = sum(CostPool.objects.filter(month=month).values_list("amount_ore", flat=True))
    visits = sum(u.visits for u in usage)
    try:
        lines = _allocate(month, usage)
    except CannotAllocate as exc:
        return SettlementPreview(month, pools, {}, visits, str(exc.message))
    return SettlementPreview(month, pools, allocation.totals_by_agency(lines), visits)


@dataclass(frozen=True)
class Preliminary:
    """An open month's shares as settling it now would compute them (walk F14): not settled,
    not frozen, and it changes with the pools and the usage until the month is settled."""

    month: dt.date
    by_agency: dict[int, int]
    problem: str = ""


def preliminary_shares(month: dt.date) -> Preliminary:
    """Each agency's share (öre) of ``month`` by its pools and the usage recorded now, as
    `settle_month` would share it, without writing and without the settling rules (order,
    month over): a preview for the agencies while the month waits to be settled."""
    try:
        lines = _allocate(month, month_usage(month=month))
    except CannotAllocate as exc:
        return Preliminary(month, {}, str(exc.message))
    return Preliminary(month, allocation.totals_by_agency(lines))


@transaction.atomic
def lock_open_month(*, month: dt.date) -> None:
    """For writers of pools outside this module (admin, import): take the ledger lock and
    refuse a settled month. Call inside the caller's transaction so the lock lasts until its
    commit."""
    _lock_ledger()
    ensure_open(month)


def _allocate(month: dt.date, usage: Sequence[allocation.Usage]) -> list[allocation.Line]:
    try:
        return allocation.allocate(pools_for_allocation(month=month), usage)
    except allocation.AllocationError as exc:
        pool = (
            CostPool.objects.filter(pk=exc.pool).select_related("office").first()
            if isinstance(exc.pool, int)
            else None
        )
        raise CannotAllocate(
            _(
                "%(pool)s: nothing to share it by this month (no use under its driver). "
                "Give it a fixed share or another driver, then settle again."
            )
            % {"pool": pool if pool is not None else exc.pool}
        ) from exc


@dataclass(frozen=True)
class _PoolMeta:
    """What a line copies from its pool."""

    pk: int
    office_id: int | None
    category: str
    name: str
    amount_ore: int


def _pool_meta(month: dt.date) -> dict[int, _PoolMeta]:
    rows = CostPool.objects.filter(month=month).values_list(
        "pk", "office_id", "category", "name", "amount_ore"
    )
    return {r[0]: _PoolMeta(*r) for r in rows}


def _line_row(
    line: allocation.Line,
    *,
    pools: Mapping[int, _PoolMeta],
    month: dt.date,
    kind: str,
    amount_ore: int,
    settlement: Settlement | None = None,
    correction: Correction | None = None,
) -> SettlementLine:
    pool = pools[line.pool]
    return SettlementLine(
        settlement=settlement,
        month=month,
        kind=kind,
        correction=correction,
        pool_id=pool.pk,
        category=pool.category,
        pool_name=pool.name,
        office_id=line.office,
        agency_id=line.agency,
        driver=str(line.driver),
        amount_ore=amount_ore,
        quantity=line.quantity,
        basis_quantity=line.basis_quantity,
        basis_ore=line.basis_ore,
        office_ore=line.office_ore,
        office_quantity=line.office_quantity,
        network_quantity=line.network_quantity,
    )


LINE_COLUMNS = (
    "settlement_id",
    "month",
    "kind",
    "pool_id",
    "category",
    "pool_name",
    "office_id",
    "agency_id",
    "driver",
    "amount_ore",
    "quantity",
    "basis_quantity",
    "basis_ore",
    "office_ore",
    "office_quantity",
    "network_quantity",
)


def _line_values(
    line: allocation.Line, pools: Mapping[int, _PoolMeta], month: dt.date, settlement_id: int
) -> tuple[object, ...]:
    """An allocation line as the values of LINE_COLUMNS (no model instance: a year of the
    whole network is tens of thousands of lines)."""
    pool = pools[line.pool]
    return (
        settlement_id,
        month,
        LineKind.ALLOCATION.value,
        pool.pk,
        pool.category,
        pool.name,
        line.office,
        line.agency,
        line.driver.value,
        line.amount_ore,
        line.quantity,
        line.basis_quantity,
        line.basis_ore,
        line.office_ore,
        line.office_quantity,
        line.network_quantity,
    )


def _insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple[object, ...]]
) -> None:
    """Insert plain rows: COPY on PostgreSQL (one round trip, no per-row SQL), else
    bulk_create. `columns` are attribute names that equal the column names."""
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        names = ", ".join(f'"{c}"' for c in columns)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        return
    model._default_manager.bulk_create(
        (model(**dict(zip(columns, row, strict=True))) for row in rows), batch_size=500
    )


def usage_gaps(month: dt.date) -> list[str]:
    """What `month`'s usage from the statistics is missing (`reports.coverage.usage_gaps`):
    empty when the whole month is recorded and over."""
    return coverage.usage_gaps(month, month_end(month))


def settle_month_accepting(*, month: dt.date, by: User | None, accept_partial: bool) -> Settlement:
    """Settle `month` from the statistics as the page and ``manage.py settle_costs`` do: a
    month whose usage is partial or still running (`usage_gaps`) is settled only with
    `accept_partial` (decision 0096: the whole pools are then shared by that usage).

    Errors: PartialUsageNotAccepted (400, with the gaps) before anything is written; else
    those of `settle_month`."""
    # the month's own refusals first (settled, not over, nothing to settle, an earlier month
    # open): the usage matters only for a month that could be settled; `settle_month` checks
    # them again under the ledger lock
    check_month(month)
    ensure_open(month)
    check_settleable(month)
    if not accept_partial:
        gaps = usage_gaps(month)
        if gaps:
            raise PartialUsageNotAccepted(gaps)
    return settle_month(month=month, by=by)


@transaction.atomic
def settle_month(
    *,
    month: dt.date,
    by: User | None,
    usage: Sequence[allocation.Usage] | None = None,
    service_usage: Sequence[ServiceUsage] | None = None,
) -> Settlement:
    """Settle `month`: share every pool among the agencies and freeze the lines.

    `usage` is the month's usage per office and agency (default: the statistics,
    `costs.usage.month_usage`); it is stored with the settlement, and so is `service_usage`
    (per office × service; default: the statistics' when `usage` is not given, else none),
    which the report uses to show the cost per service. Adjustments booked into the
    month by earlier corrections become part of it.

    Lock: the ledger row (FOR UPDATE) for the whole transaction.
    Errors: NotFirstOfMonth (400); AlreadySettled (409); MonthNotOver (400) for the current
    or a future month; NothingToSettle (400) for a month without pools (`check_settleable`);
    CannotAllocate (409) naming the pool.
    Checks before commit that the allocation lines sum to the pools to the öre.
    """
    check_month(month)
    _lock_ledger()
    ensure_open(month)
    check_settleable(month)
    if usage is None:
        usage = month_usage(month=month)
        if service_usage is None:
            service_usage = month_service_usage(month=month)
    lines = _allocate(month, usage)
    pools = _pool_meta(month)
    pools_ore = sum(p.amount_ore for p in pools.values())
    if sum(line.amount_ore for line in lines) != pools_ore:  # cannot happen; never store it
        raise AssertionError("allocation does not sum to the pools")
    pending = SettlementLine.objects.filter(
        month=month, kind=LineKind.ADJUSTMENT, settlement__isnull=True
    )
    adjustments_ore = pending.aggregate(s=Sum("amount_ore"))["s"] or 0
    settlement = Settlement.objects.create(
        month=month,
        settled_at=clock.now(),
        settled_by=by,
        pools_ore=pools_ore,
        adjustments_ore=adjustments_ore,
    )
    pending.update(settlement=settlement)
    _insert_rows(
        SettlementLine,
        LINE_COLUMNS,
        (_line_values(line, pools, month, settlement.pk) for line in lines),
    )
    summed: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for u in usage:
        s = summed[(u.office, u.agency)]
        s[0] += u.visits
        s[1] += u.handled_seconds
    _insert_rows(
        SettlementUsage,
        ("settlement_id", "office_id", "agency_id", "visits", "handled_seconds"),
        ((settlement.pk, o, a, v, sec) for (o, a), (v, sec) in sorted(summed.items())),
    )
    _insert_rows(
        SettlementServiceUsage,
        ("settlement_id", "office_id", "agency_id", "service_id", "errands", "handled_seconds"),
        (
            (settlement.pk, u.office, u.agency, u.service, u.errands, u.handled_seconds)
            for u in service_usage or ()
        ),
    )
    return settlement


def _key(line: SettlementLine | allocation.Line) -> tuple[int, int, int, str]:
    if isinstance(line, SettlementLine):
        return (line.pool_id, line.office_id, line.agency_id, line.driver)
    return (line.pool, line.office, line.agency, str(line.driver))


@transaction.atomic
def correct_settled_month(
    *,
    month: dt.date,
    by: User | None,
    reason: str,
    amounts: Mapping[int, int] | None = None,
    usage: Sequence[allocation.Usage] | None = None,
) -> Correction:
    """Correct a settled month: change pool amounts (`amounts`: pool id → öre) and/or take
    the current usage, recompute the month, and book the difference to what was charged
    (its frozen lines plus earlier corrections) as adjustment lines into the first open month
    after it. The settled lines stay as they are.

    Lock: the ledger row (FOR UPDATE).
    Errors: NotFirstOfMonth; NotSettled (409); BadInput (400) for a blank reason, a negative
    amount or a pool of another month; CannotAllocate (409); NothingToCorrect (400) when
    nothing differs.
    """
    check_month(month)
    reason = reason.strip()
    if not reason:
        raise BadInput(_("Say why the month is corrected."))
    _lock_ledger()
    if not Settlement.objects.filter(month=month).exists():
        raise NotSettled()
    for pool_id, amount in (amounts or {}).items():
        if amount < 0:
            raise BadInput(_("An amount may not be negative."))
        if not CostPool.objects.filter(pk=pool_id, month=month).update(
            amount_ore=amount, updated_at=clock.now()
        ):
            other = CostPool.objects.select_related("office").filter(pk=pool_id).first()
            if other is None:
                raise BadInput(_("There is no such pool."))
            # Named as the page lists it (month · office · category), never by its id.
            raise BadInput(
                _("The pool %(pool)s does not belong to %(month)s.")
                % {"pool": other, "month": f"{month:%Y-%m}"}
            )
    if usage is None:
        usage = month_usage(month=month)
    new_lines = _allocate(month, usage)
    charged: dict[tuple[int, int, int, str], int] = defaultdict(int)
    for old in SettlementLine.objects.filter(month=month, kind=LineKind.ALLOCATION):
        charged[_key(old)] += old.amount_ore
    for adj in SettlementLine.objects.filter(kind=LineKind.ADJUSTMENT, correction__month=month):
        charged[_key(adj)] += adj.amount_ore
    new_by_key = {_key(line): line for line in new_lines}
    target = next_month(month)
    while Settlement.objects.filter(month=target).exists():
        target = next_month(target)
    pools = _pool_meta(month)
    diffs: list[tuple[allocation.Line, int]] = []
    for key in sorted(set(charged) | set(new_by_key)):
        diff = (new_by_key[key].amount_ore if key in new_by_key else 0) - charged.get(key, 0)
        if diff == 0:
            continue
        line = new_by_key.get(key) or allocation.Line(
            pool=key[0],
            office=key[1],
            agency=key[2],
            driver=allocation.Driver(key[3]),
            amount_ore=0,
            quantity=0,
            basis_quantity=0,
            basis_ore=0,
            office_ore=0,
        )
        diffs.append((line, diff))
    if not diffs:
        raise NothingToCorrect()
    correction = Correction.objects.create(
        month=month,
        booked_into=target,
        created_by=by,
        reason=reason,
        total_ore=sum(d for _, d in diffs),
    )
    SettlementLine.objects.bulk_create(
        _line_row(
            line,
            pools=pools,
            month=target,
            kind=LineKind.ADJUSTMENT,
            amount_ore=diff,
            correction=correction,
        )
        for line, diff in diffs
    )
    return correction


def staff_cost_ore(hours: Iterable[tuple[Decimal, int]]) -> int:
    """Σ hours × öre per hour, rounded half up to whole öre once, at the end.

    `hours`: (hours as Decimal, öre per hour) per role. Pure."""
    total = sum((h * rate for h, rate in hours), Decimal(0))
    return int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@transaction.atomic
def derive_staff_pools(*, month: dt.date) -> list[CostPool]:
    """Staff cost pools from the month's rostered hours (`StaffHours`) × the hourly cost in
    force on the month's first day (`HourlyRate`): one pool per office, category staff, name
    ``derived``, shared by handled minutes; created or replaced.

    Assumption (stated on the page): the hours are entered or imported (rostered or
    simulated); they are not read from the desk-status log.

    Lock: the ledger row. Errors: NotFirstOfMonth; AlreadySettled (409); MissingRate (400)
    naming the role without a cost.
    """
    check_month(month)
    _lock_ledger()
    ensure_open(month)
    by_office: dict[int, list[tuple[Decimal, int]]] = defaultdict(list)
    rates: dict[str, int] = {}
    for row in StaffHours.objects.filter(month=month).order_by("office_id", "role"):
        if row.role not in rates:
            rate = (
                HourlyRate.objects.filter(role=row.role, valid_from__lte=month)
                .order_by("-valid_from")
                .first()
            )
            if rate is None:
                raise MissingRate(
                    _("No cost per hour for the role “%(role)s” on %(day)s; enter one first.")
                    % {"role": role_label(row.role), "day": month.isoformat()}
                )
            rates[row.role] = rate.ore_per_hour
        by_office[row.office_id].append((row.hours, rates[row.role]))
    pools = []
    for office_id, hours in sorted(by_office.items()):
        pool, _created = CostPool.objects.update_or_create(
            month=month,
            office_id=office_id,
            category=Category.STAFF,
            name=DERIVED_STAFF_NAME,
            defaults={
                "amount_ore": staff_cost_ore(hours),
                "source": PoolSource.DERIVED,
                "updated_at": clock.now(),
            },
        )
        pools.append(pool)
    return pools


@transaction.atomic
def record_hours_from_desk_log(
    *,
    month: dt.date,
    role: str = "service_officer",
    paid_hours_per_desk_hour: Decimal = Decimal(1),
) -> list[StaffHours]:
    """Staff hours of `role` per office from the statistics: the month's signed-in desk time
    (`reports.queries.occupancy`, from the desk-status log) × `paid_hours_per_desk_hour`,
    created or replaced; `derive_staff_pools` then prices them.

    The factor is the user's stated assumption of how many paid hours one signed-in desk hour
    takes (breaks, back office, training: e.g. 1.25); 1 counts desk time only. Offices
    without desk time get no row.

    Lock: the ledger row. Errors: NotFirstOfMonth; AlreadySettled (409); BadInput (400) for a
    factor ≤ 0.
    """
    check_month(month)
    if paid_hours_per_desk_hour <= 0:
        raise BadInput(_("The paid hours per desk hour must be above 0."))
    _lock_ledger()
    ensure_open(month)
    rows = []
    for (office_id,), occ in sorted(
        occupancy(scope=EVERYTHING, start=month, end=month_end(month)).items()
    ):
        if occ.signed_in_seconds <= 0:
            continue
        hours = (Decimal(occ.signed_in_seconds) / 3600 * paid_hours_per_desk_hour).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        row, _created = StaffHours.objects.update_or_create(
            office_id=office_id, month=month, role=role, defaults={"hours": hours}
        )
        rows.append(row)
    return rows
