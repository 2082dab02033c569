"""Walk F15 (the rest): the change plan's form named offices by code ("Office codes:
kista, lulea") and took the new office's county as typed text. Now the offices are picked by
name from a select grouped by county (the plan's own openings last) and the county from the
list of Sweden's counties, named in the page's language; a plain form post (no JavaScript)
sends the codes and the Swedish county name the registry stores."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import translation

from servicekontor.changeplans import services
from servicekontor.changeplans.models import ChangeKind
from servicekontor.core.geography import county_name, county_names


@pytest.fixture
def plan(world):
    return services.create_plan(user=world.nadia, name="Namn")


def _select(html: str, name: str) -> str:
    m = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert m, f"no select {name}"
    return m[1]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_offices_by_name_grouped_by_county__county_from_the_list(plan, world, client, language):
    client.force_login(world.nadia)
    with translation.override(language):
        prefix = "/en" if language == "en" else ""
        html = client.get(f"{prefix}/change-plans/{plan.pk}/").content.decode()
        offices = _select(html, "offices")
        counties = _select(html, "county")
        office = world.offices[0]
        # the office by its name, under its county's name in the page's language
        group = re.search(
            rf'<optgroup label="([^"]+)">(?:(?!</optgroup>).)*value="{office.code}"[^>]*>'
            rf"\s*{re.escape(office.name)}",
            offices,
            re.S,
        )
        assert group, offices[:500]
        assert group[1] == county_name(office.county, language)
        # every county, named in the page's language, valued by the registry's name
        for county in county_names():
            assert f'<option value="{county}">{county_name(county, language)}</option>' in counties
    assert "Office codes" not in html and "Kontorskoder" not in html
    assert 'name="county" type="text"' not in html and 'type="text" name="county"' not in html


def test_plain_post_of_picked_offices_adds_the_change(plan, world, client):
    client.force_login(world.nadia)
    picked = [world.offices[1].code, world.offices[2].code]
    response = client.post(
        f"/change-plans/{plan.pk}/changes/",
        {"kind": "close_office", "on_date": "2027-05-01", "offices": picked},
    )
    assert response.status_code == 302
    assert plan.changes.get().office_codes == picked


def test_codes_as_text_are_still_read(plan, world, client):
    """A saved link or script that sends "o01, o02" as before."""
    client.force_login(world.nadia)
    response = client.post(
        f"/change-plans/{plan.pk}/changes/",
        {"kind": "close_office", "on_date": "2027-05-01", "offices": "o01, o02"},
    )
    assert response.status_code == 302
    assert plan.changes.get().office_codes == ["o01", "o02"]


def test_opening_takes_a_county_from_the_list__a_typed_one_is_refused_at_its_field(
    plan, world, client
):
    client.force_login(world.nadia)
    opening = {
        "kind": "open_office",
        "on_date": "2027-05-01",
        "code": "ny",
        "name": "Nya kontoret",
        "latitude": "60",
        "longitude": "15",
        "hours": "0-4 10:00-16:00",
        "agencies": [world.fk.pk],  # an opening offers something (walk F10, decision 0091)
    }
    typed = client.post(f"/change-plans/{plan.pk}/changes/", {**opening, "county": "X län"})
    assert typed.status_code == 400
    assert plan.changes.count() == 0
    assert re.search(r'<select name="county"[^>]*aria-invalid="true"', typed.content.decode())
    # a field's own error with a county given: 400 at the field (was a 500: KeyError)
    north = client.post(
        f"/change-plans/{plan.pk}/changes/",
        {**opening, "county": "Dalarnas län", "latitude": "80"},
    )
    assert north.status_code == 400
    ok = client.post(f"/change-plans/{plan.pk}/changes/", {**opening, "county": "Dalarnas län"})
    assert ok.status_code == 302
    assert plan.changes.get(kind="open_office").new_office["county"] == "Dalarnas län"


def test_the_plan_s_own_openings_are_listed_last_and_can_be_picked(plan, world, client):
    services.add_change(
        plan=plan,
        kind=ChangeKind.OPEN_OFFICE,
        on_date=dt.date(2027, 1, 1),
        office_codes=["sjuntorp"],
        new_office={
            "name": "Sjuntorp",
            "county": "Västra Götalands län",
            "latitude": 58.2,
            "longitude": 12.2,
            "counters": 2,
        },
        hours=[[0, "10:00", "16:00"]],
    )
    client.force_login(world.nadia)
    with translation.override("en"):
        offices = _select(client.get(f"/en/change-plans/{plan.pk}/").content.decode(), "offices")
    last = offices.rsplit("<optgroup", 1)[1]
    assert 'label="Opened in this plan"' in last
    assert '<option value="sjuntorp">Sjuntorp (Västra Götaland County)</option>' in last
    response = client.post(
        f"/change-plans/{plan.pk}/changes/",
        {"kind": "close_office", "on_date": "2027-06-01", "offices": ["sjuntorp"]},
    )
    assert response.status_code == 302
