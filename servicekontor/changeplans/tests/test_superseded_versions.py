"""After one version of a plan is adopted, the other versions say so, and a version made
before that adoption (an alternative to it, or older) may not be adopted any more: walk,
session 14: v1 still read "Status: Utkast" with its "Anta in i registret" button after v2
was adopted, and nothing said v2 was. A version made after the adoption, to change the
network further, may still be adopted."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from servicekontor.changeplans import services
from servicekontor.changeplans.models import ChangeKind, PlanStatus
from servicekontor.network.models import Office

DAY1 = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
DAY2 = dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC)
DAY3 = dt.datetime(2026, 12, 3, 9, tzinfo=dt.UTC)


def _adopt_button(plan) -> str:
    return f'action="/change-plans/{plan.pk}/adopt/"'


@pytest.fixture
def versions(world):
    """v1 closes o03; v2, made from it, closes o04 instead and is adopted on 2026-12-02."""
    with time_machine.travel(DAY1, tick=False):
        v1 = services.create_plan(user=world.nadia, name="Stängningar")
        services.add_change(
            plan=v1, kind=ChangeKind.CLOSE_OFFICE, on_date=dt.date(2027, 3, 1), office_codes=["o03"]
        )
        v2 = services.new_version(plan=v1, user=world.nadia)
        v2.changes.update(office_codes=["o04"])
    with time_machine.travel(DAY2, tick=False):
        services.adopt_plan(plan=v2, user=world.nadia)
    v1.refresh_from_db()
    v2.refresh_from_db()
    return v1, v2


def test_older_version__says_the_other_was_adopted_and_offers_no_adoption(versions, world, client):
    v1, v2 = versions
    client.force_login(world.nadia)
    page = client.get(f"/change-plans/{v1.pk}/").content.decode()
    assert "Version 2 antogs 2026-12-02." in page
    assert "kan inte längre antas" in page and "gör en ny version av version 2" in page
    assert _adopt_button(v1) not in page
    assert "Make a new version" in page or "Gör en ny version" in page
    adopted = client.get(f"/change-plans/{v2.pk}/").content.decode()
    assert "Version 2 antogs" not in adopted and _adopt_button(v2) not in adopted
    index = client.get("/change-plans/").content.decode()
    assert "Utkast — Version 2 antogs 2026-12-02." in index


def test_older_version__adopting_refused_with_the_reason_and_nothing_written(
    versions, world, client
):
    v1, _v2 = versions
    client.force_login(world.nadia)
    before = sorted(Office.objects.values_list("code", "closed_on"))
    for data in ({}, {"confirm": "on"}):  # the confirmation step and the adoption itself
        response = client.post(f"/change-plans/{v1.pk}/adopt/", data)
        assert response.status_code == 409
        body = response.content.decode()
        assert "Version 2 antogs 2026-12-02." in body and "kan inte längre antas" in body
    with pytest.raises(services.Superseded):
        services.adopt_plan(plan=v1, user=world.nadia)
    with pytest.raises(services.Superseded):
        services.adoption_preview(v1)
    assert sorted(Office.objects.values_list("code", "closed_on")) == before
    v1.refresh_from_db()
    assert v1.status == PlanStatus.DRAFT


def test_version_made_after_the_adoption__says_so_and_may_be_adopted(versions, world, client):
    _v1, v2 = versions
    with time_machine.travel(DAY3, tick=False):
        v3 = services.new_version(plan=v2, user=world.nadia)
        v3.changes.update(office_codes=["o05"])
        client.force_login(world.nadia)
        page = client.get(f"/change-plans/{v3.pk}/").content.decode()
        assert "Version 2 antogs 2026-12-02." in page
        assert "kan inte längre antas" not in page
        assert _adopt_button(v3) in page
        services.adopt_plan(plan=v3, user=world.nadia)
    assert Office.objects.get(code="o05").closed_on == dt.date(2027, 3, 1)
