"""Maps of a network: a static offline PNG (Sweden drawn from the localities themselves) and the
data the optional interactive map draws.

Pure module (no Django): matplotlib's object API (no pyplot state, safe in threads), PNG out
(an SVG of 1,300 dots is ~0.8 MB; the PNG is a tenth of that).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

from matplotlib.figure import Figure

from servicekontor.core.geography import Locality, county_name

# Colours distinguishable with the common colour-vision deficiencies (Okabe–Ito), plus markers.
KEEP, OPEN, CLOSE = "#0072B2", "#009E73", "#D55E00"


def render_png(
    localities: Sequence[Locality],
    kept: Sequence[tuple[float, float]],
    opened: Sequence[tuple[float, float]] = (),
    closed: Sequence[tuple[float, float]] = (),
    *,
    labels: tuple[str, str, str, str] = ("Localities", "Offices", "New offices", "Closed offices"),
) -> bytes:
    """PNG bytes: localities as grey dots sized by population, offices as coloured markers.

    Points are (latitude, longitude). The x axis is scaled by cos(62°) so Sweden keeps its shape.
    """
    fig = Figure(figsize=(4.2, 8.4))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_aspect(1.0 / math.cos(math.radians(62.0)))
    ax.set_axis_off()
    ax.scatter(
        [loc.longitude for loc in localities],
        [loc.latitude for loc in localities],
        s=[max(1.0, math.sqrt(loc.population) / 25.0) for loc in localities],
        c="#9a9a9a",
        linewidths=0,
        label=labels[0],
    )
    for points, colour, marker, size, label in (
        (kept, KEEP, "o", 22, labels[1]),
        (opened, OPEN, "^", 48, labels[2]),
        (closed, CLOSE, "x", 40, labels[3]),
    ):
        if points:
            ax.scatter(
                [p[1] for p in points],
                [p[0] for p in points],
                s=size,
                c=colour,
                marker=marker,
                linewidths=1.5 if marker == "x" else 0.6,
                edgecolors="white" if marker != "x" else None,
                label=label,
            )
    ax.set_xlim(10.5, 24.5)
    ax.set_ylim(55.1, 69.3)
    ax.legend(loc="lower right", fontsize=8, frameon=True)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=100)
    return out.getvalue()


def summary_png(
    summary: dict[str, object],
    localities: Sequence[Locality],
    labels: tuple[str, str, str, str] = ("Localities", "Offices", "New offices", "Closed offices"),
) -> bytes:
    """The map of a saved or computed plan summary (see plans.result_to_dict)."""

    def points(key: str) -> list[tuple[float, float]]:
        value = summary.get(key) or []
        assert isinstance(value, list)
        return [(float(s["latitude"]), float(s["longitude"])) for s in value]

    opened = points("opened")
    kept = [p for p in points("sites") if p not in set(opened)]
    return render_png(localities, kept, opened, points("closed"), labels=labels)


def live_map_data(summary: dict[str, Any], localities: Sequence[Locality]) -> dict[str, Any]:
    """What the optional interactive map draws (planning/map.js), JSON-ready.

    Localities as [latitude, longitude, population, name]; offices kept, opened and closed
    with their code, name, county and position, and the population they serve after the plan
    where the summary has it; the coverage radius in km.
    """
    served = {s["code"]: s.get("served") for s in summary.get("sites") or []}

    def offices(key: str) -> list[dict[str, Any]]:
        return [
            {
                "code": s["code"],
                "name": s["name"],
                "county": county_name(s["county"]),  # shown in the popup: the page's language
                "lat": round(float(s["latitude"]), 5),
                "lon": round(float(s["longitude"]), 5),
                "served": served.get(s["code"]),
            }
            for s in summary.get(key) or []
        ]

    opened = offices("opened")
    new_codes = {s["code"] for s in opened}
    return {
        "radius_km": float(summary.get("request", {}).get("radius_km") or 0.0),
        "localities": [
            [round(loc.latitude, 4), round(loc.longitude, 4), loc.population, loc.name]
            for loc in localities
        ],
        "kept": [s for s in offices("sites") if s["code"] not in new_codes],
        "opened": opened,
        "closed": offices("closed"),
    }
