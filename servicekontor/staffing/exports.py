"""The staffing plans as table rows: one source for the page's tables, CSV and Excel
(written by `core.spreadsheets`); figures rounded half up (`core.rounding.exported`). Each
table's `*_PLACES` gives its columns' decimals as the page shows them (`table_cells.
with_places`: grouped, fixed decimals; None for a text column), the files carry the numbers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicekontor.core.collation import swedish_key
from servicekontor.core.geography import county_name
from servicekontor.core.rounding import exported
from servicekontor.staffing.queries import NetworkPlan, WeekPlan

# The queueing model behind an hour's need, as the page and the files name it.
MODEL_LABELS = {
    "erlang_c": gettext_lazy("Erlang C (no one leaves the queue)"),
    "erlang_a": gettext_lazy("Erlang A (some leave the queue)"),
    "none": gettext_lazy("no arrivals"),
}


def model_label(model: str) -> str:
    return str(MODEL_LABELS.get(model, model))


def _pct(v: float | None) -> float | None:
    return exported(v, 1, scale=100)


def _wait(minutes: float) -> float | None:
    """A mean wait in minutes; None (empty, "–") when unbounded: more arrive than the desks
    can serve, so the queue grows all hour."""
    return exported(minutes, 1)


def week_header() -> list[str]:
    return [
        _("Day"),
        _("Hour"),
        _("Expected arrivals"),
        _("Officers at the desks"),
        _("Officers needed, with breaks"),
        _("Officers on the roster"),
        _("Short (-) / over (+)"),
        _("Model"),
        _("Promised service level (%)"),
        _("Simulated service level (%)"),
        _("Promised mean wait (min)"),
        _("Simulated mean wait (min)"),
        # the columns above are held to the desks (walk F23: "up to 17 needed at once" above
        # a table that peaked at 15): what the target needs without that limit, and whether
        # the hour reaches the target
        _("Officers the target needs at the desks (desks not counted)"),
        _("Service-level target (%)"),
        _("Below the target"),
    ]


WEEK_PLACES = [None, None, 1, 0, 0, 1, 1, None, 1, 1, 1, 1, 0, 1, None]


def week_rows(plan: WeekPlan) -> Iterator[list[Any]]:
    below = {(r.day, r.hour) for r in plan.below_target}
    for r in plan.rows:
        yield [
            r.day.isoformat(),
            f"{r.hour:02d}",
            exported(sum(r.arrivals.values()), 1),
            r.need.base,
            r.need.scheduled,
            exported(r.roster, 1),  # a share of the hour each (queries.HourRow.roster)
            exported(r.difference, 1),
            model_label(r.need.model),
            _pct(r.need.promised_service_level),
            _pct(r.simulated_service_level),
            _wait(r.need.promised_mean_wait),
            exported(r.simulated_mean_wait, 1),
            r.need.needed_without_desk_limit or r.need.base,
            _pct(plan.target_level(r)) if sum(r.arrivals.values()) > 0 else None,
            _("below") if (r.day, r.hour) in below else "",
        ]


def shift_header() -> list[str]:
    return [
        _("Day"),
        _("Shift starts"),
        _("Shift ends"),
        _("Break"),
        _("Competences"),
        _("Officers"),
    ]


SHIFT_PLACES = [None, None, None, None, None, 0]


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def shift_rows(plan: WeekPlan) -> Iterator[list[Any]]:
    for day in plan.days:
        slot = 30
        for s in sorted(day.plan.shifts, key=lambda s: (s.pattern.start, s.pattern.end)):
            p = s.pattern
            names = ", ".join(
                sorted(plan.agencies[a].name for a in day.profiles[s.profile] if a in plan.agencies)
            )
            brk = (
                _clock(day.first_minute + p.break_start * slot)
                if p.break_end > p.break_start
                else ""
            )
            yield [
                day.day.isoformat(),
                _clock(day.first_minute + p.start * slot),
                _clock(day.first_minute + p.end * slot),
                brk,
                names,
                s.count,
            ]


def roster_header() -> list[str]:
    return [
        _("Day"),
        _("Officer"),
        _("Shift starts"),
        _("Shift ends"),
        _("Break"),
        _("Break (minutes)"),
        _("Paid hours"),
    ]


ROSTER_PLACES = [None, None, None, None, None, 0, 2]


def roster_rows(plan: WeekPlan) -> Iterator[list[Any]]:
    """The week's shifts on the roster, one per officer and shift (walk F27: the page showed
    only the counts per hour)."""
    for s in plan.roster:
        has_break = s.break_start is not None and s.break_minutes > 0
        yield [
            s.day.isoformat(),
            s.officer.get_full_name() or s.officer.get_username(),
            f"{s.start:%H:%M}",
            f"{s.end:%H:%M}",
            f"{s.break_start:%H:%M}" if has_break and s.break_start is not None else "",
            s.break_minutes if has_break else None,
            exported(s.paid_minutes / 60, 2),
        ]


def network_header() -> list[str]:
    return [
        _("Office"),
        _("County"),
        _("Month"),
        _("FTE needed"),
        _("FTE available"),
        _("Difference"),
        _("Most officers needed at the desks at once"),
        _("Desks"),
    ]


NETWORK_PLACES = [None, None, None, 2, 2, 2, 0, 0]


def network_rows(plan: NetworkPlan, *, not_recorded: str | None = None) -> Iterator[list[Any]]:
    """The offices' rows; available and difference are empty in the file (``not_recorded``
    text on the page) where the office has no staff recorded: unknown, not 0 (walk F24)."""
    for r in plan.rows:
        yield [
            r.office.name,
            county_name(r.office.county),
            f"{plan.year}-{r.month:02d}",
            exported(r.fte_needed, 2),
            not_recorded if r.fte_available is None else exported(r.fte_available, 2),
            not_recorded if r.difference is None else exported(r.difference, 2),
            r.peak_at_desks,
            r.desks or None,  # empty: no desk in the registry
        ]


def competence_header() -> list[str]:
    return [_("Agency"), _("Month"), _("Officers trained needed at peak"), _("Officers trained")]


COMPETENCE_PLACES = [None, None, 1, 1]


def competence_rows(plan: NetworkPlan, *, not_recorded: str | None = None) -> Iterator[list[Any]]:
    for (agency_id, month), (needed, trained) in plan.competence.items():
        agency = plan.agencies.get(agency_id)
        yield [
            agency.name if agency else agency_id,
            f"{plan.year}-{month:02d}",
            exported(needed, 1),
            not_recorded if trained is None else exported(trained, 1),
        ]


def wape_header() -> list[str]:
    return [_("Office"), _("Forecast WAPE"), _("Seasonal naive WAPE"), _("Arrivals held out")]


WAPE_PLACES = [None, 3, 3, 0]


def wape_rows(plan: NetworkPlan) -> Iterator[list[Any]]:
    offices = {r.office.pk: r.office for r in plan.rows}
    for office_id, bt in sorted(
        plan.backtests.items(), key=lambda kv: swedish_key(offices[kv[0]].name)
    ):
        yield [
            offices[office_id].name,
            exported(bt.wape_model, 3),
            exported(bt.wape_naive, 3),
            bt.actual,
        ]
