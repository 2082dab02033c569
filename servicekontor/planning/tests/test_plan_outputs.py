"""What the planner shows: no "nan"/"inf" on a date without offices, errors in the page's
language, and the demand that set covering cannot reach (command, page, saved scenario)."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from servicekontor.planning.models import PlanRun, Scenario
from servicekontor.planning.plans import PlanInputError, read_sites_csv
from servicekontor.planning.tests.test_plan import _login, _office_at, nadia  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def swedish():
    """Pages reversed in the default language (a request to /en/ leaves English active)."""
    with translation.override("sv"):
        yield


# One candidate in Stockholm: with a 25 km radius most of Sweden is out of reach.
SITES = b"code,name,latitude,longitude\nsthlm,Stockholm site,59.33,18.06\n"


def _cover_params() -> dict[str, object]:
    return {"on": "2026-01-01", "action": "cover", "objective": "coverage", "radius_km": 25}


def test_planning_page__date_without_offices__no_nan_or_inf(client, nadia):  # noqa: F811
    _login(client, nadia)
    response = client.get(
        reverse("planning:index"),
        {"on": "2026-01-01", "action": "measure", "objective": "coverage", "radius_km": 25},
    )
    assert response.status_code == 200
    html = response.content.decode()
    for word in ("nan", "inf", "NaN", "Infinity"):
        assert f">{word}" not in html and f"{word}\u00a0km" not in html
    assert "Inget kontor är i drift detta datum" in html
    json.dumps(response.context["summary"], allow_nan=False)  # storable as jsonb


def test_plan_command__date_without_offices__dashes_not_nan():
    out = io.StringIO()
    call_command("plan", "measure", "--on", "2026-01-01", stdout=out)
    text = out.getvalue()
    assert "nan" not in text and "inf" not in text
    assert "No office operates on 2026-01-01" in text


def test_planning_page__input_error__in_swedish_on_the_swedish_page(client, nadia):  # noqa: F811
    _office_at("Stockholm")
    _login(client, nadia)
    upload = SimpleUploadedFile("s.csv", b"code,name\nx,y\n", content_type="text/csv")
    response = client.post(reverse("planning:index"), {**_cover_params(), "sites_csv": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Platsfilen (CSV) saknar kolumnen/kolumnerna: latitude, longitude." in html
    assert "lacks the column" not in html
    english = client.post(
        "/en" + reverse("planning:index"),
        {**_cover_params(), "sites_csv": SimpleUploadedFile("s.csv", b"code,name\nx,y\n")},
    )
    assert "The sites CSV lacks the column(s): latitude, longitude." in english.content.decode()


def test_plan_input_error__english_text_for_the_command_line():
    with pytest.raises(PlanInputError) as caught:
        read_sites_csv("code,name,latitude,longitude\nx,y,north,16\n")
    assert str(caught.value) == "Line 2: latitude and longitude must be numbers."


def test_cover__uncoverable_demand__on_the_page_in_the_scenario_and_the_command(
    client,
    nadia,  # noqa: F811
    tmp_path,
    django_capture_on_commit_callbacks,
):
    _office_at("Stockholm")
    _login(client, nadia)
    with django_capture_on_commit_callbacks(execute=True):  # the solve is queued on commit
        client.post(
            reverse("planning:index"),
            {**_cover_params(), "sites_csv": SimpleUploadedFile("s.csv", SITES)},
        )
    run = PlanRun.objects.get()  # a background task; its page shows the answer
    response = client.get(reverse("planning:run", args=[run.pk]))
    assert response.status_code == 200
    summary = response.context["summary"]
    unreachable = {u["name"] for u in summary["uncoverable"]}
    assert "Kiruna" in unreachable and "Stockholm" not in unreachable
    assert summary["uncoverable_population"] > 0
    html = response.content.decode()
    assert "som ingen plats når inom 25 km: ingen plan kan täcka dem" in html
    assert "Kiruna" in html
    payload = response.context["save_form"].initial["payload"]
    client.post(reverse("planning:save"), {"name": "Täckning", "payload": payload})
    scenario = Scenario.objects.get(name="Täckning")
    page = client.get(reverse("planning:scenario", args=[scenario.pk])).content.decode()
    assert "ingen plan kan täcka dem" in page and "Kiruna" in page
    sites = tmp_path / "sites.csv"
    sites.write_bytes(SITES)
    out = io.StringIO()
    call_command(
        "plan", "cover", "--on", "2026-01-01", "--sites-csv", str(sites), "--quick", stdout=out
    )
    text = out.getvalue()
    assert "No site reaches these within 25 km" in text and "Kiruna" in text


def test_planning_page__sources_cited_for_readers_not_research_paths(client, nadia):  # noqa: F811
    from django.conf import settings

    from servicekontor.network.reference_data import load_reference_data

    load_reference_data(settings.REFERENCE_DATA_DIR)
    _login(client, nadia)
    html = client.get(reverse("planning:index")).content.decode()
    assert "research/" not in html and "registry_corrections" not in html
    assert "Sammanställd siffra; var den först publicerades har inte antecknats." in html
    # The publication's own title, linked; the maintainers' English note left out.
    assert (
        '<a href="https://laholmstidning.se/samhalle/' in html
        and "Laholms Tidning 2022-05-24, Statligt servicekontor invigt av ministern</a>" in html
    )
    assert "office no. 121" not in html
