import math
import re
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from servicekontor.core.rounding import shown
from servicekontor.planning.queries import SAME_PLACE_JOIN

register = template.Library()


@register.simple_tag
def office_counts(summary: dict[str, Any]) -> tuple[int, int]:
    """(offices before, offices after) of a plan's summary. Its measures count places with an
    office (offices on the same approximate point are one place, planning.queries.
    existing_sites, their codes joined by "+"); these count the offices themselves."""

    def count(key: str) -> int:
        return sum(len(str(s["code"]).split(SAME_PLACE_JOIN)) for s in summary.get(key) or ())

    before = count("existing")
    return before, before - count("closed") + count("opened")


@register.filter
def pct(value: float | None, digits: int = 1) -> str:
    """0.973 -> '97,3 %' (sv; rounded half up and grouped, `core.rounding.shown`)."""
    if value is None or not math.isfinite(float(value)):
        return "–"
    return f"{shown(float(value), digits, scale=100)}\u00a0%"


@register.filter
def km(value: float | None, digits: int = 1) -> str:
    """12.34 -> '12,3 km', 1234.5 -> '1 234,5 km' (sv: grouped, `core.rounding.shown`); "–" where there is no distance (None, NaN, infinity: no office)."""
    if value is None or not math.isfinite(float(value)):
        return "–"
    return f"{shown(float(value), digits)}\u00a0km"


@register.filter
def index(sequence: list[object], i: int) -> object:
    try:
        return sequence[int(i)]
    except (IndexError, TypeError, ValueError):
        return None


_URL = re.compile(r"https?://\S+")
_NOTE = re.compile(r"\s*\([^()]*\)\s*$")  # the maintainers' English note at the end


@register.filter
def citation(source: str) -> SafeString:
    """A source of reference_data/sources.csv as a reader's citation: the publication (its
    own, usually Swedish, title) linked to its URL, without the maintainers' notes. A source
    without a URL (a compiled figure) is described in the page's language, never by the
    path of a file in the project's research notes."""
    match = _URL.search(source or "")
    if match is None:
        return format_html(
            "{}", _("Compiled figure; where it was first published was not recorded.")
        )
    url = match.group(0).rstrip(".,;)")
    title = _NOTE.sub("", source[: match.start()].rstrip(" :")).strip() or url
    return format_html('<a href="{}">{}</a>', url, title)


@register.simple_tag
def optimised(summary: dict[str, Any]) -> str:
    """What the answer optimised, in a sentence (walk F14: a closing answer did not say
    whether it kept people near an office or kept distances short); "" for a measurement."""
    request = summary.get("request") or {}
    action, objective = request.get("action"), request.get("objective")
    params = {
        "km": shown(float(request.get("radius_km") or 0), 0),
        "k": shown(int(request.get("k") or 0), 0),
        "n": shown(int(request.get("n") or 0), 0),
    }
    if action == "close":
        if objective == "distance":
            text = _(
                "Optimised: the %(n)s offices to close are those whose closing lengthens the "
                "population-weighted distance to the nearest office the least (p-median)."
            )
        else:
            text = _(
                "Optimised: the %(n)s offices to close are those whose closing leaves the "
                "most people within %(km)s km of an office (maximal covering)."
            )
    elif action == "propose":
        if objective == "distance":
            text = _(
                "Optimised: where to open %(k)s offices so that the population-weighted "
                "distance to the nearest office is the shortest (p-median)."
            )
        else:
            text = _(
                "Optimised: where to open %(k)s offices so that the most people live within "
                "%(km)s km of an office (maximal covering)."
            )
    elif action == "cover":
        text = _(
            "Optimised: the fewest new offices that put every locality a site can reach "
            "within %(km)s km of an office (set covering)."
        )
    else:
        return ""
    return text % params
