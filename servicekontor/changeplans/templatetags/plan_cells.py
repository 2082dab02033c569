"""A change plan's table cells as the other pages show figures: shares as a percentage with
one decimal (`planning_tags.pct`: 61,1 %), kronor whole and grouped (`report_tags.count`:
18 736 557), everything else as `table_cells.cell`. The files and the API keep the raw
numbers (`changeplans.exports`)."""

from __future__ import annotations

from collections.abc import Sequence

from django import template

from servicekontor.changeplans.exports import KRONOR, PERCENT
from servicekontor.core.rounding import rounded
from servicekontor.core.templatetags.table_cells import cell
from servicekontor.planning.templatetags.planning_tags import pct
from servicekontor.reports.templatetags.report_tags import count

register = template.Library()


@register.filter
def figure(value: object, kind: str) -> object:
    """``value`` shown as a column of ``kind`` (`exports.PERCENT`, `KRONOR` or plain)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return cell(value)
    if kind == PERCENT:
        return pct(float(value))
    if kind == KRONOR:
        return count(int(rounded(value)))
    return cell(value)


@register.filter
def with_formats(row: Sequence[object], formats: Sequence[str] | None) -> list[tuple[object, str]]:
    """The row's cells with their column's format (plain where the table gives none)."""
    kinds = list(formats or ())
    return [(value, kinds[i] if i < len(kinds) else "") for i, value in enumerate(row)]
