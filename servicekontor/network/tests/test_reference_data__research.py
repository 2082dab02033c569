"""The registry against the research file: every row placed or left out, dates as sourced."""

import csv
import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings

from servicekontor.network import queries as network_queries
from servicekontor.network.models import Office
from servicekontor.network.opening_hours import intervals_on
from servicekontor.network.reference_data import load_reference_data

pytestmark = pytest.mark.django_db
D = dt.date
DATA = Path(settings.REFERENCE_DATA_DIR)


@pytest.fixture
def loaded() -> None:
    load_reference_data(DATA)


def _research() -> list[dict[str, str]]:
    with (DATA / "research" / "offices_sourced.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _mapping() -> dict[str, str]:
    with (DATA / "research" / "offices_in_registry.csv").open(encoding="utf-8") as fh:
        return {row["research_name"]: row["office_code"] for row in csv.DictReader(fh)}


def _left_out_in_readme() -> dict[str, str]:
    """research row → reason, from the README's table of left-out rows."""
    text = (DATA / "README.md").read_text(encoding="utf-8")
    section = text.split("## Research rows left out", 1)[1]
    rows = re.findall(r"^\| (?!research row|---)(.+?) \| (.+?) \|$", section, flags=re.M)
    return {name.strip(): reason.strip() for name, reason in rows}


def test_research__every_row__in_registry_or_left_out_with_reason(loaded: None) -> None:
    mapping, left_out = _mapping(), _left_out_in_readme()
    codes = set(Office.objects.values_list("code", flat=True))
    for row in _research():
        name = row["name"]
        assert name in mapping, f"{name} is not in research/offices_in_registry.csv"
        if mapping[name]:
            assert mapping[name] in codes, f"{name} → {mapping[name]} is not in the registry"
        else:
            assert len(left_out.get(name, "")) > 20, f"{name}: left out without a reason"


def test_research__ten_closing_dates__equal_the_registry(loaded: None) -> None:
    mapping = _mapping()
    sample = [
        row
        for row in _research()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["closed_on"]) and mapping[row["name"]]
    ][:10]
    assert len(sample) == 10
    for row in sample:
        office = Office.objects.get(code=mapping[row["name"]])
        assert office.closed_on == D.fromisoformat(row["closed_on"]), row["name"]
        assert office.closed_precision == "day"


def test_research__sourced_opening_days__equal_the_registry(loaded: None) -> None:
    mapping = _mapping()
    for row in _research():
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["opened_on"]) and mapping[row["name"]]:
            office = Office.objects.get(code=mapping[row["name"]])
            assert office.opened_on == D.fromisoformat(row["opened_on"]), row["name"]
            assert office.opened_precision == "day"


def test_network__june_2020_offices__not_in_the_takeover(loaded: None) -> None:
    takeover = set(
        network_queries.offices_operating_on(day=D(2019, 6, 1)).values_list("code", flat=True)
    )
    assert not {"storuman", "asele", "torsby", "vansbro", "rinkeby", "gottsunda"} & takeover
    assert Office.objects.get(code="storuman").opened_on == D(2020, 6, 1)


def test_network__stockholm_weekday_closures__from_2023_10_02(loaded: None) -> None:
    closed_day = {"odenplan": 0, "hallunda": 1, "sundbyberg": 2, "kungsholmen": 3, "liljeholmen": 4}
    week_before, week_after = D(2023, 9, 25), D(2023, 10, 2)  # both Mondays
    for code, weekday in closed_day.items():
        schedule = network_queries.schedule_of(Office.objects.get(code=code))
        assert intervals_on(schedule, week_before + dt.timedelta(days=weekday)), code
        assert not intervals_on(schedule, week_after + dt.timedelta(days=weekday)), code
        other = (weekday + 1) % 5
        assert intervals_on(schedule, week_after + dt.timedelta(days=other)), code
    kista = network_queries.schedule_of(Office.objects.get(code="kista"))
    assert all(intervals_on(kista, week_after + dt.timedelta(days=d)) for d in range(5))


def test_network__addresses__only_where_sourced(loaded: None) -> None:
    addressed = dict(
        Office.objects.exclude(street_address="").values_list("code", "street_address")
    )
    assert addressed["goteborg-gamlestaden"] == "Rullagergatan 2"
    assert addressed["jonkoping"] == "Tornfalksgatan"
    assert len(addressed) == 8
    assert not Office.objects.exclude(postal_code="").exists()
