"""Weekly hours of a change plan as a planner reads and writes them: weekdays by name
("Mon-Fri 10:00-16:00; Sat 10:00-14:00", "mån-fre 10:00-16:00" on Swedish pages), stored as
[[weekday 0-6 (0 = Monday), "HH:MM", "HH:MM"], …]. The names are the short weekday names of
the dashboards (`reports.dashboards.WEEKDAYS`), in either language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.utils import translation

from servicekontor.reports.dashboards import WEEKDAYS

#: The default weekly hours of an opening (the form of openings from a planning result
#: proposes the same): Monday–Friday 10–16. An assumption the forms show.
DEFAULT_HOURS = [[wd, "10:00", "16:00"] for wd in range(5)]


def day_name(weekday: int) -> str:
    """The short name of ``weekday`` (0 = Monday) in the active language."""
    return str(WEEKDAYS[weekday][1])


def weekday_number(word: str) -> int | None:
    """0-6 for a weekday's short or full name in any of the site's languages ("Mon",
    "monday", "mån", "måndag"), or a digit 0-6 as the first forms took it; None otherwise."""
    w = word.strip().lower().rstrip(".")
    if w.isdigit():
        return int(w) if int(w) <= 6 else None
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for n in range(7):
                short = day_name(n).lower()
                if w == short or (len(w) > len(short) and w.startswith(short)):
                    return n
    return None


def hours_words(hours: Sequence[Sequence[Any]]) -> str:
    """The rows of weekly hours as "Mon-Fri 10:00-16:00; Sat 10:00-14:00" in the active
    language: consecutive weekdays with the same intervals run together."""
    by_day: dict[int, list[tuple[str, str]]] = {}
    for wd, opens, closes in hours:
        by_day.setdefault(int(wd), []).append((str(opens), str(closes)))
    parts: list[str] = []
    days = sorted(by_day)
    i = 0
    while i < len(days):
        j = i
        while (
            j + 1 < len(days)
            and days[j + 1] == days[j] + 1
            and sorted(by_day[days[j + 1]]) == sorted(by_day[days[i]])
        ):
            j += 1
        span = day_name(days[i]) if i == j else f"{day_name(days[i])}-{day_name(days[j])}"
        for opens, closes in sorted(by_day[days[i]]):
            parts.append(f"{span} {opens}-{closes}")
        i = j + 1
    return "; ".join(parts)
