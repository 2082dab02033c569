"""Walk F14: a network-planning answer says what it optimised and its effect on access, and
becomes a draft change plan with dated steps (closings; openings with the agencies chosen,
decision 0091), whose page then shows the usual effect on access, staff and cost."""

from __future__ import annotations

import datetime as dt

import pytest

from servicekontor.catalog.models import Service
from servicekontor.changeplans.forms import default_change_date
from servicekontor.changeplans.models import ChangeKind, ChangePlan
from servicekontor.core import clock
from servicekontor.planning import handoff
from servicekontor.planning.plans import Objective, PlanRequest, Question, result_to_dict
from servicekontor.planning.queries import plan_on
from servicekontor.reports.models import MonthFigures

DAY = dt.date(2026, 1, 1)


def _answer(action: Question, **kw: object) -> dict:
    request = PlanRequest(action=action, radius_km=25.0, exact=False, time_limit=5, **kw)  # type: ignore[arg-type]
    return result_to_dict(plan_on(day=DAY, request=request))


def test_default_date__first_of_a_month_at_least_90_days_ahead():
    assert default_change_date(dt.date(2026, 12, 2)) == dt.date(2027, 4, 1)
    assert default_change_date(dt.date(2027, 1, 1)) == dt.date(2027, 4, 1)
    assert default_change_date(dt.date(2027, 1, 2)) == dt.date(2027, 5, 1)


def test_close_answer__says_what_it_optimised_and_becomes_a_plan(world, client):
    summary = _answer(Question.CLOSE, n=2, objective=Objective.DISTANCE)
    assert summary["people_beyond_after"] >= summary["people_beyond_before"] >= 0
    assert summary["beyond_after"] >= summary["beyond_before"]
    closed = [s["code"] for s in summary["closed"]]
    office = world.offices[[o.code for o in world.offices].index(closed[0])]
    MonthFigures.objects.create(
        month=dt.date(clock.local_today().year - 1, clock.local_today().month, 1),
        office=office,
        agency=world.fk,
        service=Service.objects.filter(agency=world.fk).earliest("pk"),
        errand_visits=1200,
        errands=1200,
    )
    client.force_login(world.nadia)
    payload = handoff.sign(DAY, summary)
    page = client.post("/en/change-plans/from-planning/", {"payload": payload})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Optimised: the 2 offices to close are those whose closing lengthens" in html
    assert "Localities farther than R = 25 km" in html
    assert "Visits affected a year" in html and "1,200" in html  # the period's first month
    swedish = client.post("/change-plans/from-planning/", {"payload": payload}).content.decode()
    assert "Optimerat: de 2 kontor som stängs" in swedish and "Berörda besök per år" in swedish
    default = default_change_date(clock.local_today()).isoformat()
    assert f'value="{default}"' in html
    made = client.post(
        "/en/change-plans/from-planning/",
        {"payload": payload, "confirm": "on", "name": "Två färre", "on_date": "2027-10-01"},
    )
    assert made.status_code == 302
    plan = ChangePlan.objects.get(name="Två färre")
    steps = list(plan.changes.order_by("position"))
    assert [(c.kind, c.on_date) for c in steps] == [
        (ChangeKind.CLOSE_OFFICE, dt.date(2027, 10, 1)),
        (ChangeKind.CLOSE_OFFICE, dt.date(2027, 10, 1)),
    ]
    assert sorted(c.office_codes[0] for c in steps) == sorted(closed)
    plan_page = client.get(made.url)
    text = plan_page.content.decode()
    assert "Close " in text and "2027-10-01" in text and "Visits moved" in text


def test_open_answer__agencies_must_be_chosen(world, client):
    summary = _answer(Question.PROPOSE, k=2)
    assert len(summary["opened"]) == 2
    client.force_login(world.nadia)
    payload = handoff.sign(DAY, summary)
    form: dict[str, object] = {
        "payload": payload,
        "confirm": "on",
        "name": "Två nya",
        "on_date": "2027-10-01",
    }
    form.update(counters="2", hours="Mon-Fri 10:00-16:00")
    refused = client.post("/en/change-plans/from-planning/", form)
    assert refused.status_code == 400
    assert "Choose at least one agency" in refused.content.decode()
    assert not ChangePlan.objects.filter(name="Två nya").exists()
    form["agencies"] = [world.fk.pk]
    made = client.post("/en/change-plans/from-planning/", form)
    assert made.status_code == 302
    plan = ChangePlan.objects.get(name="Två nya")
    kinds = list(plan.changes.order_by("position").values_list("kind", flat=True))
    assert kinds == [ChangeKind.OPEN_OFFICE, ChangeKind.OPEN_OFFICE] + [ChangeKind.ADD_SERVICES] * 2


@pytest.mark.parametrize("payload", ["", "not-signed"])
def test_altered_or_missing_answer__400_saying_why(world, client, payload):
    client.force_login(world.nadia)
    page = client.post("/en/change-plans/from-planning/", {"payload": payload})
    assert page.status_code == 400
    assert "expired or was altered" in page.content.decode()


def test_others__refused(world, client):
    client.force_login(world.alice)
    payload = handoff.sign(DAY, {"closed": [{"code": "o01"}]})
    assert client.post("/en/change-plans/from-planning/", {"payload": payload}).status_code == 403
