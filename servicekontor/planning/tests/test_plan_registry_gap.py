"""Planning on an incomplete registry: the gap is said next to the figures; one point, one place."""

import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from servicekontor.core.geography import find_locality
from servicekontor.planning.plans import PlanRequest, Question
from servicekontor.planning.queries import existing_sites, plan_on
from tests.factories import DEFAULT_PASSWORD, make_office, make_user

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 1, 1)


def _office_at(place: str, code: str, **kwargs):
    loc = find_locality(place)
    assert loc is not None
    return make_office(
        code=code,
        name=f"{loc.name} {code}",
        latitude=loc.latitude,
        longitude=loc.longitude,
        county=loc.county,
        **kwargs,
    )


@pytest.fixture
def published(tmp_path: Path, settings) -> Path:
    """Reference data whose only published count is 4 offices on 2025-01-01."""
    folder = tmp_path / "reference_data"
    folder.mkdir()
    shutil.copy(Path(settings.REFERENCE_DATA_DIR) / "sources.csv", folder / "sources.csv")
    # the pages name counties in English from here (core.geography.county_name)
    shutil.copy(Path(settings.REFERENCE_DATA_DIR) / "counties.csv", folder / "counties.csv")
    (folder / "published_counts.csv").write_text(
        "date,precision,count,kind,agency_code,source,note\n"
        "2025-01-01,day,4,offices,,assumption,test figure\n",
        encoding="utf-8",
    )
    settings.REFERENCE_DATA_DIR = folder
    return folder


def test_existing_sites__offices_on_one_point__one_place_with_both():
    _office_at("Malmö", "malmo")
    _office_at("Malmö", "malmo-mobilia")
    _office_at("Lund", "lund")
    sites = existing_sites(day=DAY)
    assert [s.code for s in sites] == ["lund", "malmo+malmo-mobilia"]
    assert sites[1].name == "Malmö malmo / Malmö malmo-mobilia"


def test_plan_close__never_closes_one_of_two_offices_on_one_point():
    for place, code in [("Malmö", "malmo"), ("Malmö", "malmo-mobilia"), ("Lund", "lund")]:
        _office_at(place, code)
    _office_at("Kiruna", "kiruna")
    result = plan_on(
        day=DAY, request=PlanRequest(action=Question.CLOSE, n=1, keep=("malmo",), exact=False)
    )
    closed = [s.code for s in result.closed]
    assert closed and all("malmo" not in code for code in closed)  # kept as one place


def test_plan_measure__over_5_percent_missing__known_x_of_published_y(published):
    for place, code in [("Stockholm", "a"), ("Göteborg", "b"), ("Malmö", "c")]:
        _office_at(place, code, opened_on=dt.date(2019, 6, 1))
    out = io.StringIO()
    call_command("plan", "measure", "--on", "2026-01-01", stdout=out)
    text = out.getvalue()
    assert "Warning: known 3 of published 4 offices (2025-01-01)" in text
    assert text.index("within 50 km") < text.index("known 3 of published 4")


def test_plan_measure__registry_complete__no_warning(published):
    for place, code in [("Stockholm", "a"), ("Göteborg", "b"), ("Malmö", "c"), ("Umeå", "d")]:
        _office_at(place, code, opened_on=dt.date(2019, 6, 1))
    out = io.StringIO()
    call_command("plan", "measure", "--on", "2026-01-01", stdout=out)
    assert "known" not in out.getvalue()


@pytest.mark.parametrize(
    ("prefix", "known", "section"),
    [
        ("", "(kända 3 av publicerade 4)", "Registret jämfört med offentliga uppgifter"),
        ("/en", "(known 3 of published 4)", "The registry against the public record"),
    ],
)
def test_planning_page__gap_next_to_the_figures_and_the_record_section(
    client, published, prefix, known, section
):
    for place, code in [("Stockholm", "a"), ("Göteborg", "b"), ("Malmö", "c")]:
        _office_at(place, code, opened_on=dt.date(2019, 6, 1))
    admin = make_user(role="network_admin")
    assert client.login(username=admin.username, password=DEFAULT_PASSWORD)
    url = prefix + reverse("planning:index").removeprefix("/en")
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert section in html and "test figure" not in html
    assert "<td>4</td>" in html and "<td>3</td>" in html and "<td>-1 <strong" in html
    response = client.get(
        url, {"on": "2026-01-01", "action": "measure", "objective": "coverage", "radius_km": 25}
    )
    assert response.status_code == 200
    assert known in response.content.decode()
