"""The change-plan pages, exports, command and API, with who may see what.

nadia (network administrator) may do everything; erin (Försäkringskassan's analyst) gets 403
on the pages and, in the API, only her agency's cost; alice (service officer) gets 403.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from openpyxl import load_workbook

from servicekontor.changeplans import queries, services
from servicekontor.changeplans.models import ChangeKind, ChangePlan, PlanStatus
from servicekontor.core import clock
from servicekontor.costs.models import Category, CostPool, HourlyRate
from servicekontor.network import registry_cache
from servicekontor.network.models import Office
from servicekontor.planning.models import Scenario

from .conftest import World, build_world


@pytest.fixture(scope="module")
def _world_once(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The conftest's world (40 offices, ~430 statements), built once for this module in a
    transaction rolled back when the module's tests are done: every test runs in its own
    savepoint inside it (pytest-django's `django_db`), so what a test writes is gone before the
    next one starts, as with Django's TestCase.setUpTestData."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            world = build_world()
            yield world
            transaction.set_rollback(True)
        registry_cache.registry_changed()  # nothing cached from the world's rows outlives them


@pytest.fixture
def world(_world_once: World, db: None) -> World:
    """The world for one test: a copy of its objects (a test may change or refresh them; as
    setUpTestData's deep copy per test), and a fresh registry-cache version, as building the
    world per test gave (an entry cached by an earlier test, whose writes are rolled back, is
    not read)."""
    registry_cache.registry_changed()
    return copy.deepcopy(_world_once)


@pytest.fixture
def plan(world):
    p = services.create_plan(user=world.nadia, name="Utbyggnad 2027")
    first = services.add_change(
        plan=p,
        kind=ChangeKind.CLOSE_OFFICE,
        on_date=dt.date(2027, 3, 1),
        office_codes=["o03"],
    )
    services.add_change(
        plan=p,
        kind=ChangeKind.ADD_SERVICES,
        after_change=first,
        offset_days=31,
        office_codes=[o.code for o in world.offices[5:10]],
        agency=world.af,
    )
    HourlyRate.objects.create(
        role="service_officer", valid_from=dt.date(2020, 1, 1), ore_per_hour=45_000
    )
    CostPool.objects.create(
        month=dt.date(2026, 10, 1),
        office=world.offices[0],
        category=Category.PREMISES,
        name="Hyra",
        amount_ore=3_000_000,
    )
    return p


def _csv(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    # Swedish, the default language: ";" between columns, a decimal comma
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_plan_page__admin_sees_timeline_steps_and_assumptions(plan, world, client):
    client.force_login(world.nadia)
    page = client.get(f"/change-plans/{plan.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and 'role="img"' in html
    assert "2027-03-01" in html and "2027-04-01" in html  # the follower: 31 days after
    # assumptions are words under a number, never raw codes; figures are grouped (sv)
    assert "great_circle" not in html and "nearest" not in html and "[1, 2]" in html
    assert "fågelvägen" in html
    assert re.search(r"<td[^>]*>\d{1,3}(\xa0\d{3})+(,\d+)?</td>", html)
    printable = client.get(f"/change-plans/{plan.pk}/print/")
    assert printable.status_code == 200 and "<svg" in printable.content.decode()


@pytest.mark.parametrize("persona", ["erin", "alice"])
def test_plan_page__others__403(plan, world, client, persona):
    client.force_login(getattr(world, persona))
    assert client.get(f"/change-plans/{plan.pk}/").status_code == 403
    assert client.get("/change-plans/").status_code == 403
    assert client.post(f"/change-plans/{plan.pk}/adopt/").status_code == 403
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_plan_forms__get__303_to_the_plan_nothing_changed(plan, world, client):
    """A GET of a plan form's URL (back/forward after posting) leads to the plan's page, not
    a blank 405, and changes nothing; someone who is not an administrator still gets 403."""
    client.force_login(world.nadia)
    change = plan.changes.first()
    urls = [
        f"/change-plans/{plan.pk}/changes/",
        f"/change-plans/{plan.pk}/versions/",
        f"/change-plans/{plan.pk}/from-scenario/",
        f"/change-plans/{plan.pk}/adopt/",
    ]
    if change is not None:
        urls += [
            f"/change-plans/{plan.pk}/changes/{change.pk}/date/",
            f"/change-plans/{plan.pk}/changes/{change.pk}/remove/",
        ]
    count = plan.changes.count()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 303, url
        assert response["Location"] == f"/change-plans/{plan.pk}/"
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and plan.changes.count() == count
    client.force_login(world.erin)
    assert client.get(f"/change-plans/{plan.pk}/adopt/").status_code == 403


def test_exports__csv_with_bom_and_xlsx(plan, world, client):
    client.force_login(world.nadia)
    rows = _csv(client.get(f"/change-plans/{plan.pk}/export/?format=csv&table=steps").content)
    assert len(rows) == 1 + 3  # header, baseline, two steps
    assert any(h.endswith("[1, 2]") for h in rows[0])
    assert rows[1][0] == "2027-02-28"
    offices = _csv(client.get(f"/change-plans/{plan.pk}/export/?format=csv&table=offices").content)
    assert len(offices) > 40
    book = load_workbook(
        io.BytesIO(client.get(f"/change-plans/{plan.pk}/export/?format=xlsx").content)
    )
    assert len(book.sheetnames) == 6
    assert client.get(f"/change-plans/{plan.pk}/export/?format=pdf").status_code == 400


def test_add_change__form__bad_input_400_and_nothing_written(plan, world, client):
    client.force_login(world.nadia)
    before = plan.changes.count()
    bad = client.post(
        f"/change-plans/{plan.pk}/changes/",
        {"kind": "close_office", "on_date": "2027-05-01", "offices": "nope"},
    )
    assert bad.status_code == 400
    no_date = client.post(
        f"/change-plans/{plan.pk}/changes/", {"kind": "close_office", "offices": "o01"}
    )
    assert no_date.status_code == 400
    bad_hours = client.post(
        f"/change-plans/{plan.pk}/changes/",
        {
            "kind": "change_hours",
            "on_date": "2027-05-01",
            "offices": "o01",
            "hours": "0-4 16:00-10:00",
        },
    )
    assert bad_hours.status_code == 400
    taken = client.post(
        f"/change-plans/{plan.pk}/changes/",
        {
            "kind": "open_office",
            "on_date": "2027-05-01",
            "code": "o01",
            "name": "Ny",
            "county": "X län",
            "latitude": "60",
            "longitude": "15",
            "hours": "0-4 10:00-16:00",
        },
    )
    assert taken.status_code == 400
    assert plan.changes.count() == before
    ok = client.post(
        f"/change-plans/{plan.pk}/changes/",
        {
            "kind": "change_hours",
            "on_date": "2027-05-01",
            "offices": "o01",
            "hours": "0-4 09:00-12:00; 0-4 13:00-17:00",
        },
    )
    assert ok.status_code == 302
    assert plan.changes.count() == before + 1


def test_change_date__moves_followers__and_a_cycle_is_refused(plan, world, client):
    client.force_login(world.nadia)
    first, second = plan.changes.order_by("position")
    response = client.post(
        f"/change-plans/{plan.pk}/changes/{first.pk}/date/",
        {f"c{first.pk}-on_date": "2027-06-01", f"c{first.pk}-offset_days": "0"},
    )
    assert response.status_code == 302
    html = client.get(f"/change-plans/{plan.pk}/").content.decode()
    assert "2027-07-02" in html  # second follows first by 31 days
    cycle = client.post(
        f"/change-plans/{plan.pk}/changes/{first.pk}/date/",
        {f"c{first.pk}-after_change": str(second.pk), f"c{first.pk}-offset_days": "1"},
    )
    assert cycle.status_code == 400
    first.refresh_from_db()
    assert first.on_date == dt.date(2027, 6, 1)


def test_versions_and_compare(plan, world, client):
    client.force_login(world.nadia)
    response = client.post(f"/change-plans/{plan.pk}/versions/")
    copy = ChangePlan.objects.get(name=plan.name, version=2)
    assert response.url == f"/change-plans/{copy.pk}/"
    assert [c.kind for c in copy.changes.order_by("position")] == [
        c.kind for c in plan.changes.order_by("position")
    ]
    follower = copy.changes.get(position=2)
    assert follower.after_change is not None and follower.after_change.plan_id == copy.pk
    page = client.get(f"/change-plans/compare/?a={plan.pk}&b={copy.pk}")
    assert page.status_code == 200
    assert page.content.decode().count("<svg") == 2


def test_openings_from_a_planning_result(plan, world, client):
    scenario = Scenario.objects.create(
        name="K=2",
        on_date=dt.date(2026, 1, 1),
        action="propose",
        radius_km=25,
        summary={
            "opened": [
                {
                    "code": "1",
                    "name": "Åre",
                    "county": "Jämtlands län",
                    "latitude": 63.4,
                    "longitude": 13.08,
                },
                {
                    "code": "2",
                    "name": "Sorsele",
                    "county": "Västerbottens län",
                    "latitude": 65.53,
                    "longitude": 17.53,
                },
            ]
        },
    )
    client.force_login(world.nadia)
    form = {
        "scenario": scenario.pk,
        "on_date": "2027-09-01",
        "counters": "3",
        "hours": "0-4 10:00-15:00",
    }
    # no agency: refused, the openings would offer nothing (walk F10)
    refused = client.post(f"/en/change-plans/{plan.pk}/from-scenario/", form)
    assert refused.status_code == 400
    assert "Choose at least one agency" in refused.content.decode()
    assert not plan.changes.filter(kind=ChangeKind.OPEN_OFFICE).exists()
    form["agencies"] = [world.fk.pk, world.skv.pk]
    response = client.post(f"/change-plans/{plan.pk}/from-scenario/", form)
    assert response.status_code == 302
    opened = plan.changes.filter(kind=ChangeKind.OPEN_OFFICE).order_by("position")
    assert [c.office_codes for c in opened] == [["are"], ["sorsele"]]
    added = plan.changes.filter(kind=ChangeKind.ADD_SERVICES, after_change__in=opened)
    assert added.count() == 4 and {c.offset_days for c in added} == {0}
    services.adopt_plan(plan=plan, user=world.nadia)
    are = Office.objects.get(code="are")
    assert are.opened_on == dt.date(2027, 9, 1) and are.service_points.count() == 3
    assert plan.label in are.source
    assert set(are.offerings.values_list("service__agency__code", flat=True)) == {
        "forsakringskassan",
        "skatteverket",
    }


def test_adopt_page__conflict_is_409_with_the_reason(plan, world, client):
    Office.objects.filter(code="o03").update(closed_on=dt.date(2026, 1, 1))
    client.force_login(world.nadia)
    response = client.post(f"/change-plans/{plan.pk}/adopt/")
    assert response.status_code == 409
    body = response.content.decode()
    # the office by its name, as the plan page says it, not its code
    assert world.offices[3].name in body and "o03 " not in body


def test_command__show_evaluate_adopt(plan, world, tmp_path):
    out = io.StringIO()
    call_command("changeplan", "show", plan.name, stdout=out)
    assert "2027-04-01" in out.getvalue()
    out = io.StringIO()
    target = tmp_path / "steps.csv"
    call_command("changeplan", "evaluate", plan.name, "--csv", str(target), stdout=out)
    assert "2 steps evaluated" in out.getvalue()
    assert target.read_bytes().startswith("\ufeff".encode())
    with pytest.raises(CommandError):
        call_command("changeplan", "show", "no such plan")
    call_command("changeplan", "adopt", plan.name, stdout=io.StringIO())
    assert Office.objects.get(code="o03").closed_on == dt.date(2027, 3, 1)
    with pytest.raises(CommandError):
        call_command("changeplan", "adopt", plan.name)


def test_api__scoped_like_the_costs_api(plan, world, client):
    client.force_login(world.nadia)
    full = client.get(f"/api/change-plans/{plan.pk}/evaluation/").json()
    assert len(full["steps"]) == 3
    assert full["steps"][0]["cost_ore"] is not None
    assert {c["agency"] for c in full["steps"][0]["agency_costs"]} >= {
        "forsakringskassan",
        "skatteverket",
    }
    assert client.get("/api/change-plans/").json()["results"][0]["name"] == plan.name
    changes = client.get(f"/api/change-plans/{plan.pk}/").json()
    assert changes[1]["follows_change"] == 1 and changes[1]["date"] == "2027-04-01"
    client.force_login(world.erin)
    scoped = client.get(f"/api/change-plans/{plan.pk}/evaluation/").json()
    assert all(s["cost_ore"] is None for s in scoped["steps"])
    assert {c["agency"] for s in scoped["steps"] for c in s["agency_costs"]} == {
        "forsakringskassan"
    }
    client.force_login(world.alice)
    assert client.get(f"/api/change-plans/{plan.pk}/evaluation/").status_code == 403
    client.logout()
    assert client.get("/api/change-plans/").status_code in (401, 403)
    client.force_login(world.nadia)
    assert client.get("/api/change-plans/999999/evaluation/").status_code == 404
    assert client.get("/api/change-plans/abc/").status_code == 404


def test_empty_plan__page_works__adoption_400(world, client):
    client.force_login(world.nadia)
    empty = services.create_plan(user=world.nadia, name="Tom")
    assert client.get(f"/change-plans/{empty.pk}/").status_code == 200
    assert client.post(f"/change-plans/{empty.pk}/adopt/").status_code == 400
    assert client.post("/change-plans/", {"name": "Tom"}).status_code == 409


def test_every_office_closed__no_distance__exports_and_api_still_answer(world, client):
    p = services.create_plan(user=world.nadia, name="Allt stängt")
    services.add_change(
        plan=p,
        kind=ChangeKind.CLOSE_OFFICE,
        on_date=dt.date(2027, 3, 1),
        office_codes=[o.code for o in world.offices],
    )
    client.force_login(world.nadia)
    assert client.get(f"/change-plans/{p.pk}/").status_code == 200
    rows = _csv(client.get(f"/change-plans/{p.pk}/export/?format=csv&table=steps").content)
    assert rows[2][6] == ""  # no mean distance without offices
    assert client.get(f"/change-plans/{p.pk}/export/?format=xlsx").status_code == 200
    body = client.get(f"/api/change-plans/{p.pk}/evaluation/").json()
    assert body["steps"][1]["mean_km"] is None and body["steps"][1]["places"] == 0


def test_admin__adopted_rows_listed_read_only(plan, world, client):
    services.adopt_plan(plan=plan, user=world.nadia)
    client.force_login(world.nadia)
    page = client.get("/admin/changeplans/adoptedrow/")
    assert page.status_code == 200
    assert "o03" in page.content.decode()
    assert client.get("/admin/changeplans/changeplan/").status_code == 200
    assert client.get("/admin/changeplans/changeplan/add/").status_code == 403


def _open_form(world, code, agencies):
    return {
        "kind": ChangeKind.OPEN_OFFICE,
        "on_date": "2027-02-01",
        "code": code,
        "name": f"Nytt kontor {code}",
        "county": "Norrbottens län",
        "latitude": "67.18",
        "longitude": "20.66",
        "counters": "2",
        "hours": "0-4 10:00-16:00",
        "agencies": [a.pk for a in agencies],
    }


def test_add_opening__with_agencies__their_services_follow_it_and_no_warning(plan, world, client):
    client.force_login(world.nadia)
    response = client.post(
        f"/change-plans/{plan.pk}/changes/", _open_form(world, "malmberget", [world.fk, world.skv])
    )
    assert response.status_code == 302
    opening = plan.changes.get(kind=ChangeKind.OPEN_OFFICE)
    added = plan.changes.filter(kind=ChangeKind.ADD_SERVICES, after_change=opening)
    assert {c.agency_id for c in added} == {world.fk.pk, world.skv.pk}
    assert {c.offset_days for c in added} == {0}
    assert all(c.office_codes == ["malmberget"] for c in added)
    page = client.get(f"/change-plans/{plan.pk}/").content.decode()
    assert "utan någon myndighets tjänster" not in page


@pytest.mark.parametrize(
    ("prefix", "words"),
    [("", "Välj minst en myndighet"), ("/en", "Choose at least one agency")],
)
def test_add_opening__without_agencies__refused_saying_why(plan, world, client, prefix, words):
    """Walk F10: "open an office" with no agency ticked was accepted without a word, counted as
    better access and adopted into the registry as an office offering nothing."""
    client.force_login(world.nadia)
    before = plan.changes.count()
    response = client.post(
        f"{prefix}/change-plans/{plan.pk}/changes/", _open_form(world, "malmberget", [])
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert words in text
    assert 'value="malmberget"' in text  # the form kept (no JavaScript needed)
    assert plan.changes.count() == before


def test_stored_opening_without_services__a_conflict_and_not_adopted(plan, world, client):
    """An opening stored without agencies (by an older version, or the services removed
    again) is a conflict on the page and adoption is refused, writing nothing."""
    client.force_login(world.nadia)
    services.add_change(
        plan=plan,
        kind=ChangeKind.OPEN_OFFICE,
        on_date=dt.date(2027, 2, 1),
        office_codes=["malmberget"],
        new_office={
            "name": "Nytt kontor malmberget",
            "county": "Norrbottens län",
            "latitude": 67.18,
            "longitude": 20.66,
            "counters": 2,
        },
        hours=[[wd, "10:00", "16:00"] for wd in range(5)],
    )
    page = client.get(f"/change-plans/{plan.pk}/").content.decode()
    assert "Krockar med registret" in page
    assert "Nytt kontor malmberget skulle öppna utan någon myndighets tjänster" in page
    en = client.get(f"/en/change-plans/{plan.pk}/").content.decode()
    assert "Nytt kontor malmberget would open without any agency&#x27;s services" in en
    # it brings nobody nearer an office: the step's access is the network's without it
    step = next(s for s in queries.evaluate_plan(plan).steps if s.day == dt.date(2027, 2, 1))
    assert step.before is not None
    assert step.effect.access == step.before.access
    assert client.post(f"/change-plans/{plan.pk}/adopt/").status_code == 409
    with pytest.raises(services.AdoptionConflict):
        services.adopt_plan(plan=plan, user=world.nadia)
    assert not Office.objects.filter(code="malmberget").exists()


@pytest.mark.parametrize("day", ["0001-01-01", "2020-01-01", "yesterday"])
def test_add_change__date_before_today__400_saying_so(plan, world, client, day):
    """Walk: "Close an office", lulea, 2020-01-01 was added ("Change added.", then only a
    conflict), and moved the plan's baseline to 2019-12-31: the next step was credited with
    every change in the registry since."""
    if day == "yesterday":
        day = (clock.local_today() - dt.timedelta(days=1)).isoformat()
    client.force_login(world.nadia)
    before = plan.changes.count()
    response = client.post(
        f"/change-plans/{plan.pk}/changes/",
        {"kind": "close_office", "on_date": day, "offices": "o01"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "före i dag" in text or "before today" in text
    assert plan.changes.count() == before
    first = plan.changes.order_by("position").first()
    moved = client.post(
        f"/change-plans/{plan.pk}/changes/{first.pk}/date/", {f"c{first.pk}-on_date": day}
    )
    assert moved.status_code == 400
    first.refresh_from_db()
    assert first.on_date == dt.date(2027, 3, 1)


@pytest.mark.parametrize("day", ["9999-12-31", "2099-01-01"])
def test_add_change__date_beyond_the_horizon__400_saying_the_range(plan, world, client, day):
    """Walk finding F9: 9999-12-31 was accepted and squashed the timeline."""
    client.force_login(world.nadia)
    before = plan.changes.count()
    response = client.post(
        f"/change-plans/{plan.pk}/changes/",
        {"kind": "close_office", "on_date": day, "offices": "o01"},
    )
    assert response.status_code == 400
    assert "20 år" in response.content.decode() or "20 years" in response.content.decode()
    assert f'value="{day}"' in response.content.decode()  # the form kept
    assert plan.changes.count() == before
    first = plan.changes.order_by("position").first()
    moved = client.post(
        f"/change-plans/{plan.pk}/changes/{first.pk}/date/", {f"c{first.pk}-on_date": day}
    )
    assert moved.status_code == 400
    first.refresh_from_db()
    assert first.on_date == dt.date(2027, 3, 1)


@pytest.mark.parametrize("offices", ["o03", "o01, o03"])
def test_add_change__closing_an_office_the_plan_closes__400_naming_the_step(
    plan, world, client, offices
):
    client.force_login(world.nadia)
    before = plan.changes.count()
    response = client.post(
        f"/change-plans/{plan.pk}/changes/",
        {"kind": "close_office", "on_date": "2027-04-01", "offices": offices},
    )
    body = response.content.decode()
    assert response.status_code == 400
    # the office by its name, as the plan page says it (the field keeps the code typed)
    assert "Ändring 1 stänger redan " in body or "Change 1 already closes " in body
    assert re.search(r"(stänger redan|already closes) [^;]*" + world.offices[3].name, body)
    assert plan.changes.count() == before
    other = client.post(
        f"/change-plans/{plan.pk}/changes/",
        {"kind": "close_office", "on_date": "2027-04-01", "offices": "o01"},
    )
    assert other.status_code == 302  # another office may still close


def test_long_text__refused_not_stored(plan, world, client):
    """Walk finding P8: a description of 100 000 characters was stored and shown."""
    client.force_login(world.nadia)
    plans = ChangePlan.objects.count()
    response = client.post("/change-plans/", {"name": "Lång", "description": "x" * 100_000})
    assert response.status_code == 400
    assert ChangePlan.objects.count() == plans
    before = plan.changes.count()
    for field, value in (("note", "n" * 2001), ("offices", "o01," * 1000), ("hours", "0" * 201)):
        response = client.post(
            f"/change-plans/{plan.pk}/changes/",
            {
                "kind": "change_hours",
                "on_date": "2027-05-01",
                "offices": "o01",
                "hours": "0-4 10:00-16:00",
                field: value,
            },
        )
        assert response.status_code == 400, field
    assert plan.changes.count() == before


def test_adopt_page__asks_to_confirm_showing_what_is_written_then_adopts(plan, world, client):
    """Adoption writes into the registry and is not undone from the page: a confirmation
    step first (walk: irreversible actions without one)."""
    client.force_login(world.nadia)
    offices = sorted(Office.objects.values_list("code", "closed_on"))
    first = client.post(f"/change-plans/{plan.pk}/adopt/")
    assert first.status_code == 200
    page = first.content.decode()
    assert 'name="confirm"' in page
    # the changes say the offices' names, as the plan page does, not their codes
    assert world.offices[3].name in page and "o03" not in page
    assert all(o.name in page for o in world.offices[5:8])
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert sorted(Office.objects.values_list("code", "closed_on")) == offices
    done = client.post(f"/change-plans/{plan.pk}/adopt/", {"confirm": "on"})
    assert done.status_code == 302
    plan.refresh_from_db()
    assert plan.status != PlanStatus.DRAFT


def _number(cell: str) -> float:
    return float(cell.replace("\xa0", "").replace(" ", "").replace(",", ".")) if cell else 0.0


@pytest.mark.parametrize("agencies", ["none", "fk"])
def test_steps__agencies_costs_plus_not_shared_add_up_to_the_cost(plan, world, client, agencies):
    """The walk: after three openings the plan's cost a month was 180 000 kr more than the
    agencies' columns, with nothing saying where it went. Each row of the steps table (CSV,
    the page's table) and each step of the API: agencies + not shared = cost."""
    client.force_login(world.nadia)
    if agencies == "none":  # refused by the form since walk F10; a stored one is a conflict
        services.add_change(
            plan=plan,
            kind=ChangeKind.OPEN_OFFICE,
            on_date=dt.date(2027, 2, 1),
            office_codes=["malmberget"],
            new_office={
                "name": "Nytt kontor malmberget",
                "county": "Norrbottens län",
                "latitude": 67.18,
                "longitude": 20.66,
                "counters": 2,
            },
            hours=[[wd, "10:00", "16:00"] for wd in range(5)],
        )
    else:
        assert (
            client.post(
                f"/change-plans/{plan.pk}/changes/", _open_form(world, "malmberget", [world.fk])
            ).status_code
            == 302
        )
    rows = _csv(client.get(f"/change-plans/{plan.pk}/export/?format=csv&table=steps").content)
    header = rows[0]
    cost = next(i for i, h in enumerate(header) if h.startswith("Beräknad kostnad per månad (kr)"))
    not_shared = next(i for i, h in enumerate(header) if h.startswith("varav ej fördelat (kr)"))
    agency_costs = [
        i
        for i, h in enumerate(header)
        if ": kostnad per månad (kr)" in h and not h.startswith("Stegets effekt")
    ]
    assert len(agency_costs) == 4  # fk, pm, skv, af
    for row in rows[1:]:
        shares = sum(_number(row[i]) for i in agency_costs)
        assert shares + _number(row[not_shared]) == pytest.approx(_number(row[cost]), abs=0.05)
    opening_row = next(r for r in rows[1:] if "malmberget" in r[1])
    # without visits the new office's premises go to nobody, and the column says so
    assert (_number(opening_row[not_shared]) > 0) == (agencies == "none")
    api = client.get(f"/api/change-plans/{plan.pk}/evaluation/").json()
    for step in api["steps"]:
        charged = sum(c["cost_ore"] for c in step["agency_costs"])
        assert charged + step["cost_not_shared_ore"] == step["cost_ore"]
    page = client.get(f"/change-plans/{plan.pk}/").content.decode()
    assert "varav ej fördelat (kr)" in page
    client.force_login(world.erin)  # an analyst sees only her agency's share, no total
    scoped = client.get(f"/api/change-plans/{plan.pk}/evaluation/").json()
    assert all(s["cost_not_shared_ore"] is None for s in scoped["steps"])
