"""Swedish localities (GeoNames, CC BY 4.0) and great-circle distances.

Pure module: no Django. The data file is reference_data/localities_se.csv, written by
scripts/extract_localities.py; the registry uses it as a gazetteer and the network planner as
its demand points.
"""

from __future__ import annotations

import csv
import difflib
import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "reference_data" / "localities_se.csv"

# Mean Earth radius (IUGG), km.
EARTH_RADIUS_KM = 6371.0088

# Sweden's extreme points (Smygehuk 55.34° N, Treriksröset 69.06° N, Koster 10.96° E,
# Haparanda/Kataja 24.17° E), widened by about 0.2° so that coastal islands and rounding
# pass. A coordinate outside is a typo (a sign, swapped latitude/longitude), not an office.
SWEDEN_BOUNDS = (55.1, 69.3, 10.7, 24.4)  # (min lat, max lat, min lon, max lon), degrees


def in_sweden(latitude: float, longitude: float) -> bool:
    """True if (latitude, longitude) in degrees lies within SWEDEN_BOUNDS (a box, not the
    border: a point in the sea or in Norway near the border passes)."""
    min_lat, max_lat, min_lon, max_lon = SWEDEN_BOUNDS
    return min_lat <= latitude <= max_lat and min_lon <= longitude <= max_lon


# Letters that Unicode does not decompose into base letter + diacritic.
_EXTRA_FOLDS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l", "þ": "th"})
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—]+")


@dataclass(frozen=True)
class Locality:
    geonameid: int
    name: str
    ascii_name: str
    alternate_names: tuple[str, ...]
    latitude: float
    longitude: float
    population: int
    county_code: str
    county: str


def _read(path: Path) -> tuple[Locality, ...]:
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(
            Locality(
                geonameid=int(row["geonameid"]),
                name=row["name"],
                ascii_name=row["ascii_name"],
                alternate_names=tuple(a for a in row["alternate_names"].split("|") if a),
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
                population=int(row["population"]),
                county_code=row["county_code"],
                county=row["county"],
            )
            for row in csv.DictReader(handle)
        )


@functools.cache
def _load_cached(path: Path) -> tuple[Locality, ...]:
    return _read(path)


def load_localities(path: Path | None = None) -> tuple[Locality, ...]:
    """All localities in the file (cached per path), in geonameid order."""
    return _load_cached(Path(path) if path is not None else DEFAULT_PATH)


def fold(text: str) -> str:
    """Normalise a place name for matching: casefold, drop diacritics (å, ä -> a; ö -> o;
    é -> e), and collapse runs of spaces and hyphens into a single space."""
    folded = text.casefold().translate(_EXTRA_FOLDS)
    decomposed = unicodedata.normalize("NFKD", folded)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SEPARATORS.sub(" ", stripped).strip()


@functools.lru_cache(maxsize=8)
def _index(localities: tuple[Locality, ...]) -> dict[str, tuple[Locality, ...]]:
    index: dict[str, list[Locality]] = {}
    for locality in localities:
        keys = {fold(locality.name), fold(locality.ascii_name)}
        keys.update(fold(alt) for alt in locality.alternate_names)
        for key in keys:
            if key:
                index.setdefault(key, []).append(locality)
    # Most populous first, so a lookup takes element 0.
    return {
        key: tuple(sorted(found, key=lambda loc: (-loc.population, loc.geonameid)))
        for key, found in index.items()
    }


def _as_tuple(localities: Sequence[Locality] | None) -> tuple[Locality, ...]:
    if localities is None:
        return load_localities()
    return localities if isinstance(localities, tuple) else tuple(localities)


def find_locality(name: str, localities: Sequence[Locality] | None = None) -> Locality | None:
    """The locality whose name, ASCII name or an alternate name matches ``name`` after
    :func:`fold`; among several matches the most populous. None if nothing matches."""
    found = _index(_as_tuple(localities)).get(fold(name))
    return found[0] if found else None


# GeoNames' main name of a Swedish locality is its Swedish name, except where GeoNames uses an
# English exonym. The one such locality in the extract whose Swedish name is a municipality or
# postal town of the registry (checked by core/tests/test_geography.py):
SWEDISH_EXONYMS = {"Gothenburg": "Göteborg"}


@functools.cache
def _county_names_en() -> dict[str, str]:
    """Swedish county name -> English (reference_data/counties.csv)."""
    from django.conf import settings

    with open(Path(settings.REFERENCE_DATA_DIR) / "counties.csv", encoding="utf-8") as f:
        return {row["name_sv"]: row["name_en"] for row in csv.DictReader(f)}


def county_names() -> list[str]:
    """Sweden's 21 counties (län) by their Swedish names, as the data carries them
    (reference_data/counties.csv)."""
    return list(_county_names_en())


def county_name(county: str, language: str | None = None) -> str:
    """A county (län) as the data carries it, in its Swedish name ("Västra Götalands län"),
    for a page in `language` (default: the active one): its English name on English pages
    ("Västra Götaland County"). A name the table does not know (typed into a change plan) is
    shown as it is."""
    if language is None:
        from servicekontor.core.i18n import current_language

        language = current_language()
    if language == "en":
        return _county_names_en().get(county, county)
    return county


def local_name(locality: Locality, language: str = "sv") -> str:
    """The locality's name for a page in `language`: the Swedish name on Swedish pages
    (Göteborg), GeoNames' main name otherwise (Gothenburg)."""
    if language == "sv":
        return SWEDISH_EXONYMS.get(locality.name, locality.name)
    return locality.name


def display_name(locality: Locality, text: str, language: str = "sv") -> str:
    """The name to show for the place the person searched.

    If they wrote one of the place's own names (Swedish or GeoNames' main name), that name
    with å/ä/ö restored ("goteborg" → Göteborg, "Gothenburg" stays); otherwise — a
    misspelling, or a foreign name that happened to match ("Stokholm" matched the Croatian
    "Štokholm") — the place's name in the page's language (Stockholm).
    """
    wanted = fold(text)
    own = (local_name(locality, language), local_name(locality, "sv"), locality.name)
    for name in own:
        if fold(name) == wanted:
            return name
    return local_name(locality, language)


def suggest_localities(
    name: str, limit: int = 5, localities: Sequence[Locality] | None = None
) -> list[Locality]:
    """Close matches for a name that :func:`find_locality` did not know ("did you mean")."""
    index = _index(_as_tuple(localities))
    keys = difflib.get_close_matches(fold(name), index.keys(), n=limit * 3, cutoff=0.6)
    suggestions: list[Locality] = []
    for key in keys:
        for locality in index[key]:
            if locality not in suggestions:
                suggestions.append(locality)
    return suggestions[:limit]


_NUMBER = r"[+-]?\d{1,3}(?:[.,]\d+)?"
_PAIR_PATTERNS = (
    # "59.33, 18.06", "59,33, 18,06", "59,33 18,06", "59,33; 18,06", "59.33/18.06"
    re.compile(rf"^({_NUMBER})\s*(?:[;/]|,\s+|\s+)\s*({_NUMBER})$"),
    # "59.33,18.06": decimal points, a bare comma between
    re.compile(r"^([+-]?\d{1,3}\.\d+),([+-]?\d{1,3}\.\d+)$"),
    # "59,33,18,06": decimal commas and a bare comma between (three commas: one reading)
    re.compile(r"^([+-]?\d{1,3},\d+),([+-]?\d{1,3},\d+)$"),
)


def parse_degrees(text: str) -> float | None:
    """A decimal-degree number written with a point or a decimal comma ("59,33"); None if it
    is not one."""
    cleaned = text.strip().replace("\u2212", "-")  # a typographic minus
    if not re.fullmatch(r"[+-]?\d+(?:[.,]\d+)?", cleaned):
        return None
    return float(cleaned.replace(",", "."))


def parse_coordinates(text: str) -> tuple[float, float] | None:
    """(latitude, longitude) from a pair as people type or paste it — "59.33, 18.06",
    "59,33, 18,06", "59,33 18,06", "59,33;18,06" — or None if `text` is not a pair in range
    (latitude −90…90, longitude −180…180)."""
    cleaned = text.strip().replace("\u2212", "-")
    for pattern in _PAIR_PATTERNS:
        match = pattern.match(cleaned)
        if match:
            latitude, longitude = (parse_degrees(part) for part in match.groups())
            if latitude is None or longitude is None:
                return None
            if -90 <= latitude <= 90 and -180 <= longitude <= 180:
                return latitude, longitude
            return None
    return None


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in degrees."""
    return float(distance_matrix_km([lat1], [lon1], [lat2], [lon2])[0, 0])


def distance_matrix_km(
    lat_a: npt.ArrayLike, lon_a: npt.ArrayLike, lat_b: npt.ArrayLike, lon_b: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Great-circle distances (haversine), shape (len(a), len(b)), in km."""
    la = np.radians(np.asarray(lat_a, dtype=np.float64)).reshape(-1, 1)
    oa = np.radians(np.asarray(lon_a, dtype=np.float64)).reshape(-1, 1)
    lb = np.radians(np.asarray(lat_b, dtype=np.float64)).reshape(1, -1)
    ob = np.radians(np.asarray(lon_b, dtype=np.float64)).reshape(1, -1)
    h = np.sin((lb - la) / 2.0) ** 2 + np.cos(la) * np.cos(lb) * np.sin((ob - oa) / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
