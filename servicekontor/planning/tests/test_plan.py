"""Use cases through the registry: plans on a date, the command, the pages."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from servicekontor.core.geography import find_locality, load_localities
from servicekontor.planning.models import Scenario
from servicekontor.planning.plans import (
    Objective,
    PlanInputError,
    PlanRequest,
    Question,
    Site,
    plan,
    read_matrix_csv,
    read_sites_csv,
    result_to_dict,
    summary_rows,
)
from servicekontor.planning.queries import existing_sites
from tests.csv_files import read_csv
from tests.factories import DEFAULT_PASSWORD, make_office, make_user

DAY = dt.date(2026, 1, 1)


def _office_at(place: str, **kwargs):
    loc = find_locality(place)
    assert loc is not None
    return make_office(
        code=kwargs.pop("code", loc.ascii_name.lower()),
        name=loc.name,
        latitude=loc.latitude,
        longitude=loc.longitude,
        county=loc.county,
        **kwargs,
    )


def _small_localities():
    # Every locality of three southern counties: small enough for quick exact solves.
    return tuple(
        loc
        for loc in load_localities()
        if loc.county in {"Blekinge län", "Kalmar län", "Kronobergs län"}
    )


def _site(place: str) -> Site:
    loc = find_locality(place)
    assert loc is not None
    return Site(loc.ascii_name.lower(), loc.name, loc.latitude, loc.longitude, loc.county)


@pytest.mark.django_db
def test_existing_sites__on_date__only_operating_offices():
    _office_at("Växjö")
    _office_at("Kalmar", opened_on=dt.date(2027, 1, 1))
    _office_at("Karlskrona", closed_on=dt.date(2025, 6, 1))
    assert [s.code for s in existing_sites(day=DAY)] == ["vaxjo"]


def test_plan__propose_coverage__improves_and_keeps_existing():
    locs = _small_localities()
    existing = [_site("Växjö")]
    result = plan(
        PlanRequest(Question.PROPOSE, Objective.COVERAGE, k=3, radius_km=25),
        localities=locs,
        existing=existing,
    )
    assert result.solution is not None and result.solution.optimal
    assert len(result.opened) == 3 and result.closed == ()
    assert result.after.offices == 4
    assert result.covered_after > result.covered_before
    assert result.covered_after == pytest.approx(result.solution.objective)
    assert result.after.mean_km <= result.before.mean_km
    assert {s.code for s in result.after_sites} >= {"vaxjo"}
    assert sum(result.served) == result.after.population


def test_plan__propose_distance__p_median_lowers_mean_distance():
    locs = _small_localities()
    result = plan(
        PlanRequest(Question.PROPOSE, Objective.DISTANCE, k=2),
        localities=locs,
        existing=[_site("Växjö")],
    )
    assert result.solution is not None and result.solution.optimal
    total = result.after.mean_km * result.after.population
    assert total == pytest.approx(result.solution.objective, rel=1e-6)
    assert result.after.mean_km < result.before.mean_km


def test_plan__close__keeps_the_offices_that_must_stay():
    locs = _small_localities()
    existing = [_site(p) for p in ("Växjö", "Kalmar", "Karlskrona", "Ljungby", "Nybro")]
    result = plan(
        PlanRequest(Question.CLOSE, Objective.DISTANCE, n=2, keep=("nybro",)),
        localities=locs,
        existing=existing,
    )
    assert len(result.closed) == 2
    assert "nybro" not in {s.code for s in result.closed}
    assert result.after.offices == 3
    assert result.after.mean_km >= result.before.mean_km


def test_plan__close__unknown_keep__input_error():
    with pytest.raises(PlanInputError):
        plan(
            PlanRequest(Question.CLOSE, n=1, keep=("nowhere",)),
            localities=_small_localities(),
            existing=[_site("Växjö"), _site("Kalmar")],
        )


def test_plan__cover__everyone_within_radius():
    locs = _small_localities()
    result = plan(
        PlanRequest(Question.COVER, radius_km=30), localities=locs, existing=[_site("Växjö")]
    )
    assert result.solution is not None and result.solution.optimal
    assert result.after.share_within_km(50.0) == pytest.approx(1.0)
    assert result.after.max_km <= 30.0 + 1e-9
    assert "vaxjo" in {s.code for s in result.after_sites}


def test_plan__candidates_csv_and_matrix_csv():
    locs = _small_localities()
    candidates = read_sites_csv(
        "code,name,latitude,longitude\nx1,Site one,56.66,16.36\nx2,Site two,56.16,15.59\n"
    )
    result = plan(
        PlanRequest(Question.PROPOSE, Objective.COVERAGE, k=1, radius_km=25),
        localities=locs,
        existing=[_site("Växjö")],
        candidates=candidates,
    )
    assert [s.code for s in result.opened] in (["x1"], ["x2"])
    kalmar = find_locality("Kalmar")
    assert kalmar is not None
    matrix = read_matrix_csv(f"demand_id,site_code,km\n{kalmar.geonameid},vaxjo,1.0\n")
    measured = plan(
        PlanRequest(Question.MEASURE), localities=locs, existing=[_site("Växjö")], matrix=matrix
    )
    plain = plan(PlanRequest(Question.MEASURE), localities=locs, existing=[_site("Växjö")])
    assert measured.before.mean_km < plain.before.mean_km


def test_read_sites_csv__bad_rows__say_which_line():
    with pytest.raises(PlanInputError, match="Line 2"):
        read_sites_csv("code,name,latitude,longitude\nx,y,north,16\n")
    with pytest.raises(PlanInputError, match="column"):
        read_sites_csv("code,name\nx,y\n")


def test_read_sites_csv__swedish_excel_file__semicolons_and_decimal_commas():
    sites = read_sites_csv(
        "\ufeffcode;name;latitude;longitude\r\nkista;Kista;59,4028;17,9449\r\n;;;\r\n"
    )
    assert [(s.code, s.name, s.latitude, s.longitude) for s in sites] == [
        ("kista", "Kista", 59.4028, 17.9449)
    ]
    assert read_matrix_csv("demand_id;site_code;km\n1;kista;2,5\n") == {("1", "kista"): 2.5}
    with pytest.raises(PlanInputError, match="Line 2"):
        read_sites_csv("code;name;latitude;longitude\nx;y;nan;16\n")


def test_summary_csv__open_keep_close_rows():
    locs = _small_localities()
    result = plan(
        PlanRequest(Question.CLOSE, Objective.COVERAGE, n=1, radius_km=25),
        localities=locs,
        existing=[_site("Växjö"), _site("Kalmar"), _site("Nybro")],
    )
    changes = [str(row[0]) for row in summary_rows(result_to_dict(result))]
    assert sorted(changes) == ["close", "keep", "keep"]


@pytest.mark.django_db
def test_plan_command__measure_and_close__table_and_csv(tmp_path):
    for place in ("Stockholm", "Göteborg", "Malmö", "Umeå", "Kiruna"):
        _office_at(place, opened_on=dt.date(2019, 6, 1))
    out = io.StringIO()
    call_command("plan", "measure", "--on", "2019-06-01", stdout=out)
    text = out.getvalue()
    assert "5 offices" in text and "within 50 km" in text and "Per county" in text
    path = tmp_path / "close.csv"
    out = io.StringIO()
    call_command(
        "plan",
        "close",
        "--n",
        "2",
        "--keep",
        "kiruna",
        "--on",
        "2019-06-01",
        "--csv",
        str(path),
        stdout=out,
    )
    assert "Close (2)" in out.getvalue()
    rows = read_csv(path.read_bytes())
    assert rows[0][:3] == ["Förändring", "Kod", "Namn"]
    assert sum(r[0] == "stäng" for r in rows) == 2
    assert not any(r[:2] == ["stäng", "kiruna"] for r in rows)


@pytest.mark.django_db
def test_plan_command__bad_keep__command_error():
    _office_at("Stockholm")
    with pytest.raises(CommandError):
        call_command("plan", "close", "--n", "1", "--keep", "nowhere", "--on", "2026-01-01")


# ------------------------------------------------------------------ pages


@pytest.fixture
def nadia(db):
    """The network administrator (personas: tests/factories.py)."""
    return make_user(role="network_admin", username="nadia")


@pytest.fixture
def charlie(db):
    """A service officer (personas: tests/factories.py): must not plan."""
    return make_user(role="service_officer", username="charlie")


def _login(client, user):
    assert client.login(username=user.username, password=DEFAULT_PASSWORD)


@pytest.mark.django_db
def test_planning_page__anonymous__redirected_to_login(client):
    response = client.get(reverse("planning:index"))
    assert response.status_code == 302


@pytest.mark.django_db
def test_planning_page__service_officer__forbidden(client, charlie):
    _login(client, charlie)
    assert client.get(reverse("planning:index")).status_code == 403


@pytest.mark.django_db
def test_planning_page__admin__measure_save_compare_csv(client, nadia):
    for place in ("Stockholm", "Göteborg", "Malmö"):
        _office_at(place)
    _login(client, nadia)
    response = client.get(reverse("planning:index"))
    assert response.status_code == 200
    params = {
        "on": "2026-01-01",
        "action": "close",
        "objective": "coverage",
        "n": 1,
        "radius_km": 25,
    }
    response = client.get(reverse("planning:index"), params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "data:image/png;base64," in html
    assert "Mean distance" in html or "Medelavstånd" in html
    payload = response.context["save_form"].initial["payload"]
    csv_response = client.get(reverse("planning:index"), {**params, "format": "csv"})
    assert csv_response["Content-Type"].startswith("text/csv")
    assert [row[0] for row in read_csv(csv_response.content)].count("stäng") == 1
    other = client.get(reverse("planning:index"), {**params, "radius_km": 50, "format": "csv"})
    # Two different plans, two file names that say which plan each is.
    names = {r["Content-Disposition"] for r in (csv_response, other)}
    assert len(names) == 2
    assert "plan-close-coverage-n1-25km-2026-01-01-" in csv_response["Content-Disposition"]
    response = client.post(reverse("planning:save"), {"name": "Close one", "payload": payload})
    first = Scenario.objects.get(name="Close one")
    assert response.status_code == 302 and first.created_by == nadia and first.action == "close"
    client.post(reverse("planning:save"), {"name": "Second", "payload": payload})
    second = Scenario.objects.get(name="Second")
    page = client.get(reverse("planning:scenario", args=[first.pk]))
    assert page.status_code == 200
    first_csv = client.get(reverse("planning:scenario_csv", args=[first.pk]))
    second_csv = client.get(reverse("planning:scenario_csv", args=[second.pk]))
    assert first_csv.status_code == 200
    assert f"scenario-{first.pk}-close-one-close" in first_csv["Content-Disposition"]
    assert first_csv["Content-Disposition"] != second_csv["Content-Disposition"]
    compare = client.get(reverse("planning:compare"), {"a": first.pk, "b": second.pk})
    assert compare.status_code == 200
    assert compare.content.decode().count("data:image/png") == 2


@pytest.mark.django_db
def test_planning_save__tampered_payload__not_saved(client, nadia):
    _login(client, nadia)
    response = client.post(reverse("planning:save"), {"name": "x", "payload": "forged"})
    assert response.status_code == 302
    assert not Scenario.objects.exists()


@pytest.mark.django_db
def test_planning_page__invalid_request__400_with_message(client, nadia):
    _office_at("Stockholm")
    _login(client, nadia)
    response = client.get(
        reverse("planning:index"),
        {"on": "2026-01-01", "action": "close", "objective": "coverage", "n": 1, "radius_km": 25},
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_planning_page__post_with_sites_csv__proposes_from_the_upload_and_exports(
    client, nadia, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _office_at("Stockholm")
    _login(client, nadia)
    upload = SimpleUploadedFile(
        "sites.csv",
        b"code,name,latitude,longitude\nlule,Lule site,65.58,22.15\nvisby,Visby site,57.64,18.29\n",
        content_type="text/csv",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("planning:index"),
            {
                "on": "2026-01-01",
                "action": "propose",
                "objective": "distance",
                "k": 1,
                "radius_km": 25,
                "sites_csv": upload,
            },
        )
    response = client.get(response["Location"])
    # A solve runs in the background (the test settings' immediate backend: before the
    # redirect); its page shows the answer.
    assert response.status_code == 200
    opened = [s["code"] for s in response.context["summary"]["opened"]]
    assert opened in (["lule"], ["visby"])
    payload = response.context["save_form"].initial["payload"]
    exported = client.post(reverse("planning:export"), {"payload": payload})
    assert exported["Content-Type"].startswith("text/csv")
    assert ["öppna", opened[0]] in [row[:2] for row in read_csv(exported.content)]


@pytest.mark.django_db
def test_planning_page__bad_sites_csv__400_with_line(client, nadia):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _office_at("Stockholm")
    _login(client, nadia)
    upload = SimpleUploadedFile("s.csv", b"code,name,latitude,longitude\nx,y,north,1\n")
    response = client.post(
        reverse("planning:index"),
        {
            "on": "2026-01-01",
            "action": "propose",
            "objective": "coverage",
            "k": 1,
            "radius_km": 25,
            "sites_csv": upload,
        },
    )
    assert response.status_code == 400
    assert "Rad 2: latitud och longitud måste vara tal." in response.content.decode()


@pytest.mark.django_db
def test_plan_command__propose_from_sites_csv_and_cover(tmp_path):
    _office_at("Stockholm")
    sites = tmp_path / "sites.csv"
    sites.write_text(
        "code,name,latitude,longitude\nnorth,North,65.58,22.15\nsouth,South,55.60,13.00\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command(
        "plan",
        "propose",
        "--k",
        "1",
        "--objective",
        "distance",
        "--sites-csv",
        str(sites),
        "--on",
        "2026-01-01",
        stdout=out,
    )
    text = out.getvalue()
    assert "Open (1)" in text and "gap 0.0000%" in text
    out = io.StringIO()
    call_command("plan", "cover", "--radius-km", "200", "--on", "2026-01-01", stdout=out)
    assert "Open (" in out.getvalue()


@pytest.mark.django_db
def test_plan_command__missing_sites_file__command_error(tmp_path):
    _office_at("Stockholm")
    with pytest.raises(CommandError):
        call_command(
            "plan",
            "propose",
            "--k",
            "1",
            "--sites-csv",
            str(tmp_path / "nope.csv"),
            "--on",
            "2026-01-01",
        )


@pytest.mark.django_db
def test_planning_page__leaflet_installed__embeds_the_interactive_map(
    client, nadia, settings, tmp_path
):
    settings.LEAFLET_DIR = tmp_path  # where npm puts Leaflet; the page only checks it is there
    _office_at("Stockholm")
    _login(client, nadia)
    params = {"on": "2026-01-01", "action": "propose", "objective": "coverage", "k": 1}
    response = client.get(reverse("planning:index"), {**params, "radius_km": 25})
    html = response.content.decode()
    assert 'id="planning-map-data"' in html and "leaflet/leaflet.js" in html
    live = response.context["live_map"]
    assert [o["name"] for o in live["kept"]] == ["Stockholm"] and len(live["opened"]) == 1
    assert live["tiles"] == ""  # nothing fetched unless PLANNING_MAP_TILES is set

    settings.LEAFLET_DIR = tmp_path / "not-installed"
    html = client.get(reverse("planning:index"), {**params, "radius_km": 25}).content.decode()
    assert "planning-map-data" not in html and "leaflet" not in html
    assert "data:image/png;base64," in html  # the static map stays


@pytest.mark.django_db
def test_planning_page__quick_answer__heuristic_with_its_gap(client, nadia):
    for place in ("Stockholm", "Göteborg", "Malmö"):
        _office_at(place)
    _login(client, nadia)
    params = {"on": "2026-01-01", "action": "propose", "k": 2, "radius_km": 25}
    quick = client.get(
        reverse("planning:index"), {**params, "objective": "coverage", "quick": "on"}
    )
    assert quick.status_code == 200
    solution = quick.context["summary"]["solution"]
    assert (
        solution["method"] == "heuristic" and quick.context["summary"]["request"]["exact"] is False
    )
    assert len(quick.context["summary"]["opened"]) == 2
    assert "Quick answer" in quick.content.decode() or "Snabbt svar" in quick.content.decode()
    exact = client.get(reverse("planning:index"), {**params, "objective": "coverage"})
    optimum = exact.context["summary"]["solution"]
    assert optimum["method"] == "highs" and optimum["optimal"]
    assert solution["objective"] <= optimum["objective"] <= solution["bound"]
    # Distance (p-median) too: the heuristic's sites with a Lagrangian lower bound.
    quick = client.get(
        reverse("planning:index"), {**params, "objective": "distance", "quick": "on"}
    )
    solution = quick.context["summary"]["solution"]
    assert solution["method"] == "heuristic" and 0 < solution["bound"] <= solution["objective"]


@pytest.mark.django_db
def test_plan_command__quick__says_it_is_the_heuristic():
    for place in ("Stockholm", "Göteborg", "Malmö"):
        _office_at(place)
    out = io.StringIO()
    call_command("plan", "close", "--n", "1", "--on", "2026-01-01", "--quick", stdout=out)
    text = out.getvalue()
    assert "Quick answer (heuristic)" in text and "Solver: HiGHS" not in text


def test_read_matrix_csv__a_negative_value__refused_with_its_line():
    """Walk finding (2026-11-30): "1,A,-3" was taken, a negative distance."""
    with pytest.raises(PlanInputError, match=r"Line 3: .*negative"):
        read_matrix_csv("demand_id,site_code,value\n1,a,3\n1,b,-3\n")


@pytest.mark.django_db
def test_planning_page__a_matrix_that_matches_nothing__refused_before_the_solve(client, nadia):
    """Walk finding (2026-11-30): a matrix naming no locality and no site of the question was
    ignored in silence and the run answered with great-circle km as if it had used it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from servicekontor.planning.models import PlanRun

    for place in ("Stockholm", "Göteborg", "Malmö"):
        _office_at(place)
    _login(client, nadia)
    kalmar = find_locality("Kalmar")
    assert kalmar is not None
    for action, extra in (("propose", {"k": "1", "quick": "on"}), ("measure", {})):
        matrix = SimpleUploadedFile(
            "m.csv", f"demand_id,site_code,value\nvaxjo,{kalmar.geonameid},3\n".encode()
        )
        response = client.post(
            reverse("planning:index"),
            {
                "on": DAY.isoformat(),
                "action": action,
                "objective": "coverage",
                "radius_km": "25",
                "matrix_csv": matrix,
                **extra,
            },
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 400, action
        assert "None of the matrix" in response.content.decode() or (
            "Ingen av matrisens" in response.content.decode()
        )
    assert not PlanRun.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"a": "x", "b": "2"}, {"a": "1"}, {}])
def test_planning_compare__bad_choice_is_the_planning_page_with_the_error(client, nadia, params):
    """A compare query that is not two scenarios: the planning page, its compare form with
    the error (400), not a redirect that loses what was sent."""
    _login(client, nadia)
    response = client.get(reverse("planning:compare"), params)
    assert response.status_code == 400
    form = response.context["compare_form"]
    assert form.is_bound and form.non_field_errors()
    assert response.context["form"] is not None  # the page's plan form is there too


@pytest.mark.django_db
@pytest.mark.parametrize("saved", [0, 1, 2])
@pytest.mark.parametrize(("prefix", "said"), [("/en", "Two saved scenarios"), ("", "Två sparade")])
def test_planning_compare__the_error_is_on_the_page_whatever_is_saved(
    client, nadia, saved, prefix, said
):
    """The compare's error was inside the list of saved scenarios: with none saved yet (the
    state a first compare is tried in) the 400 page showed no error at all."""
    for n in range(saved):
        Scenario.objects.create(
            name=f"S{n}", on_date=DAY, action="measure", radius_km=25, summary={}
        )
    _login(client, nadia)
    url = prefix + reverse("planning:compare").removeprefix("/en")
    response = client.get(url, {"a": "x", "b": "y"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="compare-error"' in html
    error = html.split('id="compare-error">', 1)[1].split("</p>", 1)[0]
    if saved < 2:
        assert said in error
    else:
        assert error.strip()  # "choose two saved scenarios"
        assert 'aria-describedby="compare-error"' in html  # the selects point at it
