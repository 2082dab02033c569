"""Walk F15 (the rest) on the planning page and the costs what-if: offices are picked by name
from a select grouped by county (the planning form took "codes, comma-separated"); a plain
form post sends their codes (planning) or ids (costs)."""

import pytest
from django.urls import reverse
from django.utils import translation

from servicekontor.planning.forms import PlanForm
from servicekontor.planning.tests.test_plan import DAY, _login, _office_at, nadia

__all__ = ["nadia"]  # fixtures


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "county"), [("sv", "Norrbottens län"), ("en", "Norrbotten County")]
)
def test_planning_keep__offices_by_name_under_their_county(client, nadia, language, county):
    _office_at("Luleå", code="lulea")
    _office_at("Kiruna", code="kiruna")
    _login(client, nadia)
    with translation.override(language):
        html = client.get(reverse("planning:index")).content.decode()
    select = html.split('<select name="keep"', 1)[1].split("</select>", 1)[0]
    group = select.split(f'<optgroup label="{county}">', 1)[1].split("</optgroup>", 1)[0]
    assert '<option value="kiruna">Kiruna</option>' in group
    assert '<option value="lulea">Luleå</option>' in group
    assert "codes, comma-separated" not in html and "koder, åtskilda" not in html


@pytest.mark.django_db
def test_planning_keep__picked_offices_become_the_request_s_codes():
    _office_at("Luleå", code="lulea")
    _office_at("Kiruna", code="kiruna")
    base = {
        "on": DAY.isoformat(),
        "action": "close",
        "objective": "coverage",
        "n": 1,
        "radius_km": 25,
    }
    picked = PlanForm({**base, "keep": ["lulea", "kiruna"]})
    assert picked.is_valid(), picked.errors
    assert picked.cleaned_data["keep"] == "lulea,kiruna"
    typed = PlanForm({**base, "keep": "lulea, kiruna"})  # a saved link of the text field
    assert typed.is_valid(), typed.errors
    assert typed.cleaned_data["keep"] == "lulea,kiruna"
