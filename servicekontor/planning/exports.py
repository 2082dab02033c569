"""A plan's network as a table for CSV (written by `core.spreadsheets`), in the page's
language, and the file name that says which plan it is."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from servicekontor.core.geography import county_name
from servicekontor.core.spreadsheets import download_name
from servicekontor.planning.plans import summary_rows


def summary_header() -> list[str]:
    return [
        _("Change"),
        _("Code"),
        _("Name"),
        _("County"),
        _("Latitude"),
        _("Longitude"),
        _("Population served"),
    ]


def _change_label(change: str) -> str:
    return {
        "open": pgettext("plan change", "open"),
        "keep": pgettext("plan change", "keep"),
        "close": pgettext("plan change", "close"),
    }[change]


def summary_table(summary: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    rows = [
        [_change_label(str(r[0])), r[1], r[2], county_name(str(r[3] or "")), *r[4:]]
        for r in summary_rows(summary)
    ]
    return summary_header(), rows


def plan_filename(summary: dict[str, Any], *, day: dt.date | str, prefix: str = "plan") -> str:
    """ "plan-close-coverage-n2-25km-2019-06-01-3fa2c1.csv": the question, objective, size,
    radius, day, and a short digest of the result, so two different plans never share a name
    (two with the same parameters but other candidate sites differ in the digest)."""
    request = summary.get("request") or {}
    size = (
        f"k{request['k']}" if request.get("k") else f"n{request['n']}" if request.get("n") else ""
    )
    radius = f"{request['radius_km']:g}km" if request.get("radius_km") else ""
    digest = hashlib.sha256(json.dumps(summary, sort_keys=True, default=str).encode()).hexdigest()[
        :6
    ]
    return download_name(
        prefix,
        request.get("action"),
        request.get("objective"),
        size,
        radius,
        str(day),
        digest,
        ext="csv",
    )
