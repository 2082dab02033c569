from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicekontor.core.geography import (
    Locality,
    distance_matrix_km,
    find_locality,
    fold,
    haversine_km,
    load_localities,
    suggest_localities,
)


def test_load_localities__default_file__totals_match_geonames_extract():
    localities = load_localities()
    assert 1300 <= len(localities) <= 1350
    assert 10_000_000 <= sum(loc.population for loc in localities) <= 10_200_000
    assert [loc.geonameid for loc in localities] == sorted(loc.geonameid for loc in localities)
    assert len({loc.county_code for loc in localities}) == 21
    assert all(55.0 < loc.latitude < 69.5 and 10.5 < loc.longitude < 24.5 for loc in localities)


def test_load_localities__cached__same_object():
    assert load_localities() is load_localities()


def test_fold__diacritics_case_and_separators():
    assert fold("Göteborg") == "goteborg"
    assert fold("  ÅRE ") == "are"
    assert fold("Malmö") == "malmo"
    assert fold("Upplands-Väsby") == "upplands vasby"
    assert fold("Upplands -  Väsby") == "upplands vasby"
    assert fold("Gøteborg") == "goteborg"
    assert fold("Linköping") == fold("linkoping")


@pytest.mark.parametrize("query", ["Göteborg", "Goteborg", "Gothenburg", "göteborg", "GÖTEBORG"])
def test_find_locality__goteborg__found_through_alternate_names(query):
    found = find_locality(query)
    assert found is not None
    assert found.geonameid == 2711537
    assert found.county == "Västra Götalands län"


def test_find_locality__ascii_lowercase__malmo():
    found = find_locality("malmo")
    assert found is not None
    assert found.name == "Malmö"
    assert found.county == "Skåne län"


def test_find_locality__unknown__none():
    assert find_locality("Atlantis") is None
    assert find_locality("") is None


def test_find_locality__several_matches__most_populous():
    small = Locality(1, "Berga", "Berga", (), 59.0, 18.0, 600, "26", "Stockholms län")
    big = Locality(2, "Berga", "Berga", (), 57.0, 16.0, 1500, "09", "Kalmar län")
    assert find_locality("berga", [small, big]) == big


def test_suggest_localities__misspelt__did_you_mean():
    names = [loc.name for loc in suggest_localities("Linkoeping")]
    assert "Linköping" in names
    assert len(suggest_localities("Sundsval", limit=2)) <= 2
    assert suggest_localities("qqqqqqqqqq") == []


def test_haversine_km__stockholm_goteborg__about_398_km():
    stockholm = find_locality("Stockholm")
    goteborg = find_locality("Göteborg")
    assert stockholm is not None and goteborg is not None
    distance = haversine_km(
        stockholm.latitude, stockholm.longitude, goteborg.latitude, goteborg.longitude
    )
    assert distance == pytest.approx(398, abs=3)


def test_haversine_km__one_degree_latitude__about_111_km():
    assert haversine_km(60.0, 15.0, 61.0, 15.0) == pytest.approx(111.2, abs=0.1)


def test_distance_matrix_km__shape_and_agrees_with_scalar():
    localities = load_localities()[:7]
    lat = [loc.latitude for loc in localities]
    lon = [loc.longitude for loc in localities]
    matrix = distance_matrix_km(lat, lon, lat[:3], lon[:3])
    assert matrix.shape == (7, 3)
    assert np.allclose(np.diag(matrix[:3]), 0.0)
    assert matrix[5, 2] == pytest.approx(haversine_km(lat[5], lon[5], lat[2], lon[2]))


coords = st.tuples(st.floats(55, 69), st.floats(10, 25))


@given(coords, coords, coords)
def test_haversine_km__metric_properties(a, b, c):
    ab = haversine_km(*a, *b)
    assert ab >= 0
    assert ab == pytest.approx(haversine_km(*b, *a), abs=1e-9)
    assert ab <= haversine_km(*a, *c) + haversine_km(*c, *b) + 1e-6


def test_load_localities__explicit_path(tmp_path: Path):
    path = tmp_path / "l.csv"
    path.write_text(
        "geonameid,name,ascii_name,alternate_names,latitude,longitude,population,county_code,county\n"
        "7,Å,A,Aa|Ao,60.1,15.2,900,10,Dalarnas län\n",
        encoding="utf-8",
    )
    (loc,) = load_localities(path)
    assert loc == Locality(7, "Å", "A", ("Aa", "Ao"), 60.1, 15.2, 900, "10", "Dalarnas län")
    assert find_locality("ao", [loc]) == loc


def test_display_name__swedish_spelling_restored_from_alternate_names() -> None:
    from servicekontor.core.geography import display_name

    goteborg = find_locality("goteborg")
    assert goteborg is not None
    assert display_name(goteborg, "goteborg") == "Göteborg"
    assert display_name(goteborg, "Gothenburg") == "Gothenburg"
