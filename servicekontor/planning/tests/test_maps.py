"""The map data: the static PNG and what the interactive map draws (pure, no database)."""

from servicekontor.core.geography import Locality
from servicekontor.planning import maps


def _locality(name: str, lat: float, lon: float, population: int) -> Locality:
    return Locality(1, name, name, (), lat, lon, population, "01", "Stockholms län")


def _site(code: str, name: str, lat: float, lon: float) -> dict[str, object]:
    return {
        "code": code,
        "name": name,
        "county": "Stockholms län",
        "latitude": lat,
        "longitude": lon,
    }


SUMMARY = {
    "request": {"action": "propose", "radius_km": 25.0},
    "existing": [_site("kista", "Kista", 59.40321, 17.94479)],
    "opened": [_site("g:1", "Täby", 59.44390, 18.06872)],
    "closed": [_site("sodertalje", "Södertälje", 59.19554, 17.62525)],
    "sites": [
        dict(_site("kista", "Kista", 59.40321, 17.94479), served=120_000),
        dict(_site("g:1", "Täby", 59.44390, 18.06872), served=70_000),
    ],
}


def test_live_map_data__offices_by_change_with_served_population():
    data = maps.live_map_data(SUMMARY, [_locality("Täby", 59.4439, 18.06872, 70_000)])
    assert data["radius_km"] == 25.0
    assert [(o["code"], o["served"]) for o in data["kept"]] == [("kista", 120_000)]
    assert [(o["code"], o["served"]) for o in data["opened"]] == [("g:1", 70_000)]
    # A closed office serves nobody after the plan.
    assert [(o["code"], o["served"]) for o in data["closed"]] == [("sodertalje", None)]
    assert data["localities"] == [[59.4439, 18.0687, 70_000, "Täby"]]


def test_render_png__is_a_png():
    png = maps.render_png([_locality("Täby", 59.44, 18.07, 70_000)], [(59.40, 17.94)])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
