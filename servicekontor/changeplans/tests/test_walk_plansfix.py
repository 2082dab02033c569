"""Walk findings on the change plans (branch plansfix): the modelled cost says it is modelled
and stands beside the pools as entered (F12); removing a change asks to confirm (F17); weekly
hours by weekday names with a default (F15)."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

from servicekontor.changeplans import queries, services
from servicekontor.changeplans.forms import ChangeForm, parse_hours
from servicekontor.changeplans.models import ChangeKind
from servicekontor.changeplans.weekdays import hours_words, weekday_number
from servicekontor.costs.models import Category, CostPool, HourlyRate
from servicekontor.network import registry_cache

from .conftest import World, build_world


@pytest.fixture(scope="module")
def _world_once(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock():
        with transaction.atomic():
            world = build_world()
            yield world
            transaction.set_rollback(True)
        registry_cache.registry_changed()


@pytest.fixture
def world(_world_once: World, db: None) -> World:
    registry_cache.registry_changed()
    return copy.deepcopy(_world_once)


@pytest.fixture
def plan(world):
    p = services.create_plan(user=world.nadia, name="Walk 2027")
    services.add_change(
        plan=p, kind=ChangeKind.CLOSE_OFFICE, on_date=dt.date(2027, 3, 1), office_codes=["o03"]
    )
    HourlyRate.objects.create(
        role="service_officer", valid_from=dt.date(2020, 1, 1), ore_per_hour=29_000
    )
    month = clock_month()
    CostPool.objects.create(
        month=month,
        office=world.offices[0],
        category=Category.PREMISES,
        name="Hyra",
        amount_ore=3_000_000,
    )
    # staff pools as billed: far more than the staff the dimensioning needs
    CostPool.objects.create(
        month=month,
        office=world.offices[1],
        category=Category.STAFF,
        name="Personal",
        amount_ore=900_000_000,
    )
    return p


def clock_month() -> dt.date:
    from servicekontor.core import clock

    return clock.local_today().replace(day=1)


# --- F12: the modelled cost --------------------------------------------------------------


@pytest.mark.parametrize("language", ["sv", "en"])
def test_cost__modelled_first_row_named_so_and_set_beside_the_pools(plan, world, client, language):
    client.force_login(world.nadia)
    prefix = "/en" if language == "en" else ""
    html = client.get(f"{prefix}/change-plans/{plan.pk}/").content.decode()
    with translation.override(language):
        ev = queries.evaluate_plan(plan)
        note = ev.cost_note()
        header = " ".join(queries_steps_header(ev))
    # the note names both figures: the model's first row and the pools as entered
    assert ev.reference_cost == (903_000_000, 900_000_000)
    base = ev.steps[0].effect.costs.total_ore
    assert base != 903_000_000  # the model is not the pools: the page must say so
    with translation.override(language):
        from servicekontor.reports.templatetags.report_tags import count

        assert str(count(9_030_000)) in note and str(count(round(base / 100))) in note
    assert note.replace("\xa0", " ")[:30] in html.replace("&nbsp;", " ").replace("\xa0", " ")
    with translation.override(language):
        assert str(translation.gettext("Modelled cost a month (kr)")) in header
        assert (
            str(
                translation.gettext(
                    "Before the plan (modelled: the network on the day before its first step)"
                )
            )
            in html
        )


def queries_steps_header(ev) -> list[str]:
    from servicekontor.changeplans import exports

    return exports.steps_table(ev)[0]


def test_cost__without_pools__no_note(world):
    p = services.create_plan(user=world.nadia, name="No pools")
    services.add_change(
        plan=p, kind=ChangeKind.CLOSE_OFFICE, on_date=dt.date(2027, 3, 1), office_codes=["o03"]
    )
    ev = queries.evaluate_plan(p)
    assert ev.reference_cost is None and ev.cost_note() == ""


def test_compare__says_the_cost_is_modelled(plan, world, client):
    client.force_login(world.nadia)
    copy_ = services.new_version(plan=plan, user=world.nadia)
    html = client.get(f"/en/change-plans/compare/?a={plan.pk}&b={copy_.pk}").content.decode()
    assert "Modelled cost a month (kr)" in html and "not the cost billed" in html


# --- F17: removing a change asks first -----------------------------------------------------


def _opening(plan, world):
    return services.add_change(
        plan=plan,
        kind=ChangeKind.OPEN_OFFICE,
        on_date=dt.date(2027, 2, 1),
        office_codes=["malmberget"],
        new_office={
            "name": "Malmberget",
            "county": "Norrbottens län",
            "latitude": 67.18,
            "longitude": 20.66,
            "counters": 3,
        },
        hours=[[wd, "10:00", "16:00"] for wd in range(5)],
        note="Gruvstaden",
    )


@pytest.mark.parametrize("kind", ["opening", "closing"])
def test_remove__asks_to_confirm_showing_the_change_then_removes(plan, world, client, kind):
    client.force_login(world.nadia)
    change = _opening(plan, world) if kind == "opening" else plan.changes.get()
    url = f"/en/change-plans/{plan.pk}/changes/{change.pk}/remove/"
    asked = client.post(url)
    assert asked.status_code == 200
    html = asked.content.decode()
    assert 'name="confirm" value="on"' in html and "not undone" in html
    assert plan.changes.filter(pk=change.pk).exists()  # nothing deleted yet
    if kind == "opening":
        for shown in ("Malmberget", "Norrbotten County", "67.18, 20.66", "Mon-Fri 10:00-16:00"):
            assert shown in html, shown
        assert "Gruvstaden" in html
    else:
        assert "2027-03-01" in html
    done = client.post(url, {"confirm": "on"})
    assert done.status_code == 302
    assert not plan.changes.filter(pk=change.pk).exists()


def test_remove__a_change_others_follow__refused_before_asking(plan, world, client):
    client.force_login(world.nadia)
    first = plan.changes.get()
    services.add_change(
        plan=plan,
        kind=ChangeKind.ADD_SERVICES,
        after_change=first,
        office_codes=["o05"],
        agency=world.af,
    )
    response = client.post(f"/en/change-plans/{plan.pk}/changes/{first.pk}/remove/")
    assert response.status_code == 409
    assert plan.changes.filter(pk=first.pk).exists()


def test_remove__adopted_plan__refused_before_asking(plan, world, client):
    client.force_login(world.nadia)
    change = plan.changes.get()
    services.adopt_plan(plan=plan, user=world.nadia)
    response = client.post(f"/en/change-plans/{plan.pk}/changes/{change.pk}/remove/")
    assert response.status_code == 409
    assert plan.changes.filter(pk=change.pk).exists()


# --- F15: weekdays by name, a default for an opening's hours --------------------------------


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        ("Mon-Fri 10:00-16:00", [[d, "10:00", "16:00"] for d in range(5)]),
        ("mån-fre 10:00-16:00", [[d, "10:00", "16:00"] for d in range(5)]),
        ("Måndag–Fredag 9:00–12:00", [[d, "09:00", "12:00"] for d in range(5)]),
        ("sat 10:00-14:00; Sun 11:00-13:00", [[5, "10:00", "14:00"], [6, "11:00", "13:00"]]),
        ("0-4 10:00-16:00", [[d, "10:00", "16:00"] for d in range(5)]),  # the old digits
    ],
)
def test_parse_hours__weekday_names_in_either_language(text, rows):
    assert parse_hours(text) == rows


@pytest.mark.parametrize("text", ["Funday 10:00-16:00", "7 10:00-12:00", "Mon 16:00-10:00"])
def test_parse_hours__unknown_day_or_backwards__clear_error_with_an_example(text):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        parse_hours(text)
    if "Funday" in text or text.startswith("7"):
        assert "Mon-Fri 10:00-16:00; Sat 10:00-14:00" in str(exc.value)


def test_weekday_names_round_trip():
    rows = [[0, "09:00", "12:00"], [0, "13:00", "16:00"], [1, "09:00", "12:00"]]
    rows += [[1, "13:00", "16:00"], [5, "10:00", "14:00"]]
    for language in ("sv", "en"):
        with translation.override(language):
            text = hours_words(rows)
            assert sorted(parse_hours(text)) == sorted(rows)
    with translation.override("sv"):
        assert hours_words(rows).startswith("mån-tis 09:00-12:00")
    assert weekday_number("Sunday") == 6 and weekday_number("sö") is None


def test_opening__default_hours_shown_and_taken(plan, world, client):
    client.force_login(world.nadia)
    html = client.get(f"/en/change-plans/{plan.pk}/").content.decode()
    assert 'value="Mon-Fri 10:00-16:00"' in html
    form = ChangeForm(
        {
            "kind": ChangeKind.CLOSE_OFFICE,
            "on_date": "2027-05-01",
            "offices": "o04",
            "hours": "Mon-Fri 10:00-16:00",  # the default left in: not taken by a closing
        },
        plan=plan,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["hours_rows"] == []
