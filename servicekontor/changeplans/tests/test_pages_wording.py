"""The change-plan pages word figures and names as the other pages do (walk finding
2026-12-01): shares as percentages, kronor whole, milestones in the page's language, the
forms in the project's field style (no "Namn:")."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from servicekontor.changeplans import services
from servicekontor.changeplans.models import ChangeKind, ChangePlan
from servicekontor.changeplans.templatetags.plan_cells import figure
from servicekontor.costs.models import Category, CostPool, HourlyRate


@pytest.fixture
def plan(world) -> ChangePlan:
    p = services.create_plan(user=world.nadia, name="Utbyggnad 2027")
    services.add_change(
        plan=p, kind=ChangeKind.CLOSE_OFFICE, on_date=dt.date(2027, 3, 1), office_codes=["o03"]
    )
    HourlyRate.objects.create(
        role="service_officer", valid_from=dt.date(2020, 1, 1), ore_per_hour=45_000
    )
    CostPool.objects.create(
        month=dt.date(2026, 10, 1),
        office=world.offices[0],
        category=Category.PREMISES,
        name="Hyra",
        amount_ore=3_000_003,
    )
    return p


def test_figure__share_percent_one_decimal__kronor_whole_grouped(settings):
    from django.utils import translation

    with translation.override("sv"):
        assert figure(0.6107, "percent") == "61,1\xa0%"
        assert figure(18_736_556.63, "kr") == "18\xa0736\xa0557"
        assert figure(2.5, "") == "2,5" and figure("text", "kr") == "text"
        assert figure(None, "percent") == ""
    with translation.override("en"):
        assert figure(0.6107, "percent") == "61.1\xa0%"
        assert figure(18_736_556.63, "kr") == "18,736,557"


@pytest.mark.parametrize("language", ["sv", "en"])
def test_plan_page__shares_as_percent_and_kronor_whole(plan, world, client: Client, language):
    client.force_login(world.nadia)
    prefix = "" if language == "sv" else "/en"
    html = client.get(f"{prefix}/change-plans/{plan.pk}/").content.decode()
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    decimal = "," if language == "sv" else "."
    assert any(re.fullmatch(rf"\d{{1,3}}{re.escape(decimal)}\d\xa0%", c) for c in cells), cells
    # No raw fraction (0,6107) and no öre (…,63) in the steps and counties tables.
    assert not any(re.fullmatch(rf"0{re.escape(decimal)}\d{{3,}}", c) for c in cells)
    steps = html.split('id="steps"', 1)[1].split('id="offices"', 1)[0]
    costs = re.findall(r"<td[^>]*>(\d{1,3}(?:[\xa0,]\d{3})+(?:[.,]\d+)?)</td>", steps)
    assert costs and all(not re.search(r"[.,]\d{1,2}$", c) for c in costs), costs


def test_exports__keep_the_raw_figures(plan, world, client: Client):
    client.force_login(world.nadia)
    body = client.get(f"/change-plans/{plan.pk}/export/?format=csv&table=steps").content
    text = body.decode("utf-8-sig")
    assert "%" not in text.split("\n", 1)[1]  # the rows: fractions, not percentages


def test_plan_page__milestone_named_in_english(plan, world, client: Client):
    world.takeover.name_en = "The takeover"
    world.takeover.save()
    client.force_login(world.nadia)
    html = client.get(f"/en/change-plans/{plan.pk}/").content.decode()
    assert "The takeover (2019-06-01)" in html and "Övertagandet" not in html
    html = client.get(f"/change-plans/{plan.pk}/").content.decode()
    assert "Övertagandet (2019-06-01)" in html


def test_forms__project_field_style_not_django_default(plan, world, client: Client):
    client.force_login(world.nadia)
    index = client.get("/change-plans/").content.decode()
    page = client.get(f"/change-plans/{plan.pk}/").content.decode()
    for html in (index, page):
        assert not re.search(r":</label>", html), re.findall(r"<label[^>]*>[^<]*:</label>", html)
        assert '<div class="field' in html
    assert re.search(r'<label for="id_name">Namn <span aria-hidden="true">\*</span>', index)


def test_planning_pct_and_km__rounded_not_cut_off():
    from django.utils import translation

    from servicekontor.planning.templatetags.planning_tags import km, pct

    with translation.override("en"):
        assert pct(0.6107) == "61.1\xa0%" and pct(0.99996, 2) == "100.00\xa0%"
        assert km(12.96) == "13.0\xa0km" and km(float("inf")) == "–"


def test_plan_page__says_what_it_counts_and_which_question_it_answers(plan, world, client: Client):
    """Walk F22/F25: the plan's staff and places differ from the staffing page's and its
    cost from the costs' what-if; the page says what it counts and points to the other."""
    client.force_login(world.nadia)
    html = client.get(f"/en/change-plans/{plan.pk}/").content.decode()
    assert 'id="plan-counts"' in html and "a typical week of the statistics period" in html
    assert 'id="plan-question"' in html and "A plan moves visits" in html
