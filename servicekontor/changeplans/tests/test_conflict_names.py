"""The planner reads offices, services and agencies by their names wherever a change plan
speaks of them: the adopt refusal, the adopt confirmation, the plan page's conflicts, the
add-change form's errors, the API's descriptions (walk, session 14: the refusal said
"sjuntorp erbjuder redan e-tjanster" and the confirmation "Lägg till Arbetsförmedlingen på
1 kontor: sjuntorp" while the plan page said "Sjuntorp"). The code stays only where the code
itself is the subject ("an office with the code … exists already", "there is no office …")."""

from __future__ import annotations

import datetime as dt

import pytest

from servicekontor.changeplans import queries, services
from servicekontor.changeplans.models import ChangeKind
from servicekontor.changeplans.queries import (
    CODE_IS_SUBJECT,
    CONFLICT_TEXTS,
    Names,
    conflict_messages,
)
from servicekontor.changeplans.registry_state import Conflict
from servicekontor.network.models import Office

NEW = {"name": "Sjuntorp", "county": "Västra Götalands län", "latitude": 58.2, "longitude": 12.2}


def _open_sjuntorp(plan, world, day=dt.date(2027, 3, 1)):
    return services.add_change(
        plan=plan,
        kind=ChangeKind.OPEN_OFFICE,
        on_date=day,
        office_codes=["sjuntorp"],
        new_office=NEW,
        hours=[[0, "10:00", "16:00"]],
    )


@pytest.mark.parametrize("code", sorted(CONFLICT_TEXTS))
def test_every_conflict__names_offices_services_and_agencies__the_code_only_as_the_subject(code):
    names = Names(
        offices={"sjuntorp": "Sjuntorp"},
        agencies={"fk": "Försäkringskassan"},
        services={("fk", "e-tjanster"): "E-tjänster"},
    )
    params = {
        "office": "sjuntorp",
        "service": "e-tjanster",
        "agency": "fk",
        "milestone": "takeover",
        "date": "2027-03-01",
        "opens": "2027-04-01",
        "today": "2026-12-02",
    }
    (text,) = conflict_messages([Conflict(1, code, params)], [], names)
    template = str(CONFLICT_TEXTS[code])
    if code in CODE_IS_SUBJECT:
        assert "sjuntorp" in text or "takeover" in text
        return
    for key, code_text, name in [
        ("office", "sjuntorp", "Sjuntorp"),
        ("service", "e-tjanster", "E-tjänster"),
        ("agency", "fk", "Försäkringskassan"),
    ]:
        if f"%({key})s" in template:
            assert name in text, (code, key)
        assert code_text not in text, (code, key)


def test_adopt_refused__names_the_office_and_the_service(world):
    """The walk's case: the plan adds an agency's services where the office offers them."""
    plan = services.create_plan(user=world.nadia, name="Twice")
    services.add_change(
        plan=plan,
        kind=ChangeKind.ADD_SERVICES,
        on_date=dt.date(2027, 3, 1),
        office_codes=["o01"],
        agency=world.fk,
    )
    with pytest.raises(services.AdoptionConflict) as caught:
        services.adopt_plan(plan=plan, user=world.nadia)
    text = str(caught.value.message)
    fk_service = world.fk.services.get()
    assert world.offices[1].name in text and fk_service.name in text
    assert "o01" not in text and fk_service.code not in text


def test_plan_page_and_refusal__an_office_the_plan_opens__by_the_name_the_plan_gives(world, client):
    """Closing the office before the plan opens it: a conflict about an office not in the
    registry yet, named as the plan names it."""
    plan = services.create_plan(user=world.nadia, name="Sjuntorp")
    _open_sjuntorp(plan, world)
    services.add_change(
        plan=plan,
        kind=ChangeKind.CLOSE_OFFICE,
        on_date=dt.date(2027, 1, 1),
        office_codes=["sjuntorp"],
    )
    client.force_login(world.nadia)
    page = client.get(f"/change-plans/{plan.pk}/").content.decode()
    refused = client.post(f"/change-plans/{plan.pk}/adopt/")
    assert refused.status_code == 409
    for body in (page, refused.content.decode()):
        assert "Sjuntorp är inte öppnat än" in body or "Sjuntorp is not open yet" in body
        assert "sjuntorp är" not in body and "sjuntorp is" not in body


def test_adopt_confirm_api_and_command__the_offices_the_plan_opens_by_name(world, client):
    plan = services.create_plan(user=world.nadia, name="Sjuntorp")
    opening = _open_sjuntorp(plan, world)
    services.add_change(
        plan=plan,
        kind=ChangeKind.ADD_SERVICES,
        after_change=opening,
        offset_days=0,
        office_codes=["sjuntorp"],
        agency=world.fk,
    )
    client.force_login(world.nadia)
    confirm = client.post(f"/change-plans/{plan.pk}/adopt/")
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "på 1 kontor: Sjuntorp" in page or "at 1 offices: Sjuntorp" in page
    # each change with its date (walk F10: the list had none)
    assert page.count('<time datetime="2027-03-01">2027-03-01</time>') == 2
    described = client.get(f"/api/change-plans/{plan.pk}/").json()
    assert described[1]["description"].endswith(": Sjuntorp")
    assert described[1]["offices"] == ["sjuntorp"]  # the API still gives the codes
    names = queries.plan_office_names(queries.plan_changes(plan), queries.registry_state())
    assert names["sjuntorp"] == "Sjuntorp" and names["o01"] == world.offices[1].name


def test_add_change__closing_again__names_the_office(world, client):
    plan = services.create_plan(user=world.nadia, name="Close")
    services.add_change(
        plan=plan, kind=ChangeKind.CLOSE_OFFICE, on_date=dt.date(2027, 3, 1), office_codes=["o02"]
    )
    client.force_login(world.nadia)
    response = client.post(
        f"/change-plans/{plan.pk}/changes/",
        {"kind": "close_office", "on_date": "2027-04-01", "offices": "o02"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    name = Office.objects.get(code="o02").name
    assert f"stänger redan {name};" in body or f"already closes {name};" in body
