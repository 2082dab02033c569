"""The evaluation of a plan as tables: one function per table, shown by the page, the
printable page, the CSV / Excel files and (the same figures) the API, so they cannot disagree.

Each figure column names the assumptions it rests on by their numbers in brackets, e.g.
"Staff needed (FTE) [4, 5, 7, …]"; the assumptions table words each one under its number
(the API gives the codes).
Files: `core.spreadsheets` (UTF-8 with BOM, the separator of the page's language,
formula-like text neutralised; XlsxWriter).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from servicekontor.changeplans import effects
from servicekontor.changeplans.queries import Evaluation
from servicekontor.core.collation import swedish_key
from servicekontor.core.geography import county_name
from servicekontor.core.rounding import exported, rounded, shown

Table = tuple[list[str], list[list[Any]]]


def assumption_number(code: str) -> int:
    """The assumption's number in the assumptions table (1-based, `effects.ASSUMPTIONS`)."""
    return effects.ASSUMPTIONS.index(code) + 1


def _with(label: str, codes: Sequence[str]) -> str:
    return f"{label} [{', '.join(str(assumption_number(c)) for c in codes)}]"


def _km(value: float) -> float | None:
    """A distance for a cell: None (empty) when there is none (no office at all: infinite)."""
    return exported(value, 2)


def _kr(ore: float) -> float | None:
    return exported(ore, 2, scale=Fraction(1, 100))


def _whole(value: float) -> int:
    """A count or an amount in whole units, rounded half up (`core.rounding`)."""
    return int(rounded(value))


# How a page shows a column's figures (the files and the API keep the raw numbers): a share
# as a percentage with one decimal, kronor whole and grouped (`templatetags.plan_cells`).
PERCENT, KRONOR, PLAIN = "percent", "kr", ""


def steps_table(ev: Evaluation, *, agency_ids: set[int] | None = None) -> Table:
    """One row per step: the date, what changes, accessibility, visits moved, staff, cost and
    each (visible) agency's share, bookings affected."""
    return _steps(ev, agency_ids=agency_ids)[0]


def steps_formats(ev: Evaluation, *, agency_ids: set[int] | None = None) -> list[str]:
    """`PERCENT`, `KRONOR` or `PLAIN` per column of `steps_table`."""
    return _steps(ev, agency_ids=agency_ids, rows=False)[1]


def _steps(
    ev: Evaluation, *, agency_ids: set[int] | None, rows: bool = True
) -> tuple[Table, list[str]]:
    agencies = [a for a in ev.agencies.values() if agency_ids is None or a.pk in agency_ids]
    acc, vis, staff, cost = (
        effects.ACCESS_ASSUMPTIONS,
        effects.VISIT_ASSUMPTIONS,
        effects.STAFF_ASSUMPTIONS,
        effects.COST_ASSUMPTIONS,
    )
    header = [
        _("Date"),
        _("Changes"),
        _with(_("Places with an office"), acc),
        _with(_("Share within 10 km"), acc),
        _with(_("Share within 25 km"), acc),
        _with(_("Share within 50 km"), acc),
        _with(_("Mean distance (km)"), acc),
        _with(_("Median distance (km)"), acc),
        _with(_("Visits moved a year"), vis),
        _with(_("Visits without an office a year"), vis),
        _with(_("Staff needed (FTE)"), staff),
        _with(_("Modelled cost a month (kr)"), cost),
        _with(_("of which staff needed (kr)"), cost),
        # shares + not shared = the cost (the walk: 180 000 kr of a plan's cost went to nobody
        # and no column said so)
        _with(_("of which not shared (kr)"), cost),
    ]
    formats = [PLAIN, PLAIN, PLAIN, PERCENT, PERCENT, PERCENT] + [PLAIN] * 5 + [KRONOR] * 3
    show_total = agency_ids is None
    if not show_total:
        header = [h for i, h in enumerate(header) if i not in (11, 12, 13)]
        formats = formats[:11]
    # The step's own effect: the network on its date with the step minus without it (the
    # plan's earlier changes in both), so the registry's changes between steps are not in it.
    header += [
        _with(_("Step's effect: places with an office"), acc),
        _with(_("Step's effect: share within 25 km"), acc),
        _with(_("Step's effect: staff (FTE)"), staff),
        _with(_("Step's effect: staff per office (FTE)"), staff),
    ]
    formats += [PLAIN, PERCENT, PLAIN, PLAIN]
    if show_total:
        header.append(_with(_("Step's effect: cost a month (kr)"), cost))
        formats.append(KRONOR)
    for a in agencies:
        header.append(_with(_("%(agency)s: cost a month (kr)") % {"agency": a.name}, cost))
        formats.append(KRONOR)
        if show_total:
            header.append(_with(_("%(agency)s: share") % {"agency": a.name}, cost))
            formats.append(PERCENT)
    header.append(_with(_("Bookings affected"), effects.BOOKING_ASSUMPTIONS))
    formats.append(PLAIN)
    table_rows: list[list[Any]] = []
    for s in ev.steps if rows else ():
        e = s.effect
        m = e.access
        row: list[Any] = [
            s.day.isoformat(),
            _("Before the plan (modelled: the network on the day before its first step)")
            if s.baseline
            else "; ".join(c.label for c in s.changes),
            m.offices,
            exported(m.share_within[0], 4),
            exported(m.share_within[1], 4),
            exported(m.share_within[2], 4),
            _km(m.mean_km),
            _km(m.median_km),
            _whole(e.visits_moved),
            _whole(sum(e.unserved.values())),
            exported(e.fte_total, 1),
        ]
        if show_total:
            row += [_kr(e.costs.total_ore), _kr(e.costs.staff_ore), _kr(e.costs.unallocated_ore)]
        b = s.before
        row += [
            None if b is None else m.offices - b.access.offices,
            None if b is None else exported(m.share_within[1] - b.access.share_within[1], 4),
            None if b is None else exported(e.fte_total - b.fte_total, 2),
            None if b is None else _staff_changes(e, b, ev.office_names),
        ]
        if show_total:
            row.append(None if b is None else _kr(e.costs.total_ore - b.costs.total_ore))
        shared = sum(e.costs.by_agency.values())
        for ag in agencies:
            amount = e.costs.by_agency.get(ag.pk, 0)
            row.append(_kr(amount))
            if show_total:
                row.append(exported(amount / shared, 4) if shared else None)
        row.append(s.bookings_total)
        table_rows.append(row)
    return (header, table_rows), formats


def _staff_changes(e: effects.StepEffect, b: effects.StepEffect, names: dict[str, str]) -> str:
    """ "Stockholm Rinkeby +0.55; Stockholm Kista −0.55" (the step's staff where it moves)."""
    return "; ".join(
        f"{names.get(code, code)} {'+' if d > 0 else '−'}{shown(abs(d), 2)}"
        for code, d in e.staff_changes(b)
    ) or str(_("none"))


# `PERCENT`, `KRONOR` or `PLAIN` per column of `counties_table`.
COUNTIES_FORMATS = [PLAIN, PLAIN, PLAIN, PERCENT, PERCENT, PERCENT, PLAIN, PLAIN]


def counties_table(ev: Evaluation) -> Table:
    """Per step and county: population, share within 10/25/50 km, mean and max km."""
    header = [
        _("Date"),
        _("County"),
        _("Population"),
        _with(_("Share within 10 km"), effects.ACCESS_ASSUMPTIONS),
        _with(_("Share within 25 km"), effects.ACCESS_ASSUMPTIONS),
        _with(_("Share within 50 km"), effects.ACCESS_ASSUMPTIONS),
        _with(_("Mean distance (km)"), effects.ACCESS_ASSUMPTIONS),
        _with(_("Longest distance (km)"), effects.ACCESS_ASSUMPTIONS),
    ]
    rows = [
        [
            s.day.isoformat(),
            county_name(c.county),
            c.population,
            exported(c.share_within[0], 4),
            exported(c.share_within[1], 4),
            exported(c.share_within[2], 4),
            _km(c.mean_km),
            _km(c.max_km),
        ]
        for s in ev.steps
        for c in s.effect.access.counties
    ]
    return header, rows


def offices_table(ev: Evaluation) -> Table:
    """Per step and operating office: expected visits a year and staff needed."""
    header = [
        _("Date"),
        _("Office"),
        _("Code"),
        _("County"),
        _with(_("Visits a year"), effects.VISIT_ASSUMPTIONS),
        _with(_("Staff needed (FTE)"), effects.STAFF_ASSUMPTIONS),
        _with(_("Most officers needed at the desks at once"), effects.STAFF_ASSUMPTIONS),
        _("Desks"),
        _with(_("Bookings affected"), effects.BOOKING_ASSUMPTIONS),
        _("Beyond the desks"),
    ]
    rows = []
    for s in ev.steps:
        # by name in Swedish order (walk F13: by code, "Ånge (ange)" came first)
        codes = sorted(
            set(s.effect.offices) | set(s.bookings),
            key=lambda c: swedish_key(ev.office_names.get(c) or c),
        )
        for code in codes:
            st = s.effect.staff.get(code)
            rows.append(
                [
                    s.day.isoformat(),
                    ev.office_names.get(code, code),
                    code,
                    county_name(ev.office_counties.get(code, "")),
                    _whole(s.effect.office_visits(code)),
                    exported(st.fte, 2) if st else 0,
                    st.peak_officers if st else 0,
                    (st.desks or None) if st else None,  # empty: no desk known
                    s.bookings.get(code, 0),
                    _("more than the office's %(desks)s desks: the target is not reached")
                    % {"desks": st.desks}
                    if st and st.beyond_desks
                    else "",
                ]
            )
    return header, rows


def moves_table(ev: Evaluation) -> Table:
    """Per step: visits a year that move from one office to another, largest first."""
    header = [
        _("Date"),
        _("From office"),
        _("To office"),
        _with(_("Visits a year"), effects.VISIT_ASSUMPTIONS),
    ]
    rows = []
    for s in ev.steps:
        for (a, b), v in sorted(s.effect.moved.items(), key=lambda kv: -kv[1]):
            if _whole(v) == 0:
                continue
            rows.append(
                [
                    s.day.isoformat(),
                    ev.office_names.get(a, a),
                    ev.office_names.get(b, b),
                    _whole(v),
                ]
            )
    return header, rows


def changes_table(ev: Evaluation) -> Table:
    header = [_("No."), _("Date"), _("Follows"), _("Change"), _("Note")]
    rows = [
        [c.change.position, c.day.isoformat(), c.follows, c.label, c.change.note]
        for c in ev.changes
    ]
    return header, rows


def assumptions_table(ev: Evaluation) -> Table:
    rows: list[list[Any]] = [[assumption_number(code), text] for code, text in ev.assumptions]
    start, end = ev.statistics_period
    rows.append(
        [
            "",
            _(
                "Statistics %(start)s – %(end)s: %(visits)s visits a year (a shorter history scaled to a year)."
            )
            % {"start": start, "end": end, "visits": shown(ev.statistics_visits)},
        ]
    )
    rows.append(
        [
            "",
            _("Cost pools of %(month)s.") % {"month": ev.reference_month.strftime("%Y-%m")}
            if ev.reference_month
            else _("No cost pools entered: only staff cost."),
        ]
    )
    rows.append(
        [
            "",
            _("Hourly cost of %(role)s: %(kr)s kr.")
            % {"role": ev.staff_rate[0], "kr": _kr(ev.staff_rate[1])}
            if ev.staff_rate
            else _("No hourly cost entered: staff cost left out."),
        ]
    )
    return [_("No."), _("Assumption")], rows


def sheets(ev: Evaluation) -> list[tuple[str, list[str], list[list[Any]]]]:
    """Every table, named, for the Excel file."""
    return [
        (_("Steps"), *steps_table(ev)),
        (_("Changes"), *changes_table(ev)),
        (_("Counties"), *counties_table(ev)),
        (_("Offices"), *offices_table(ev)),
        (_("Visits moved"), *moves_table(ev)),
        (_("Assumptions"), *assumptions_table(ev)),
    ]
