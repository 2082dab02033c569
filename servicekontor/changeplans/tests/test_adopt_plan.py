"""Adopting a plan writes exactly its changes into the registry, or nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from servicekontor.changeplans import queries, services
from servicekontor.changeplans.models import AdoptedRow, ChangeKind, PlanStatus
from servicekontor.network.models import Milestone, Offering, Office, OpeningHoursPeriod
from servicekontor.planning.plans import PlanRequest, Question
from servicekontor.planning.queries import plan_on

AF_FROM = dt.date(2027, 3, 1)


def _snapshot():
    return (
        sorted(Offering.objects.values_list("office_id", "service_id", "valid_from", "valid_to")),
        sorted(Office.objects.values_list("code", "opened_on", "closed_on")),
        OpeningHoursPeriod.objects.count(),
        sorted(Milestone.objects.values_list("code", "date")),
    )


def test_adopt__agency_added_to_30_offices__changes_exactly_those_offerings(world):
    plan = services.create_plan(user=world.nadia, name="AF 2027")
    chosen = [o.code for o in world.offices[:30]]
    services.add_change(
        plan=plan,
        kind=ChangeKind.ADD_SERVICES,
        on_date=AF_FROM,
        office_codes=chosen,
        agency=world.af,
    )
    before = set(
        Offering.objects.values_list("pk", "office_id", "service_id", "valid_from", "valid_to")
    )
    offices_before = sorted(Office.objects.values_list("code", "opened_on", "closed_on"))

    adoption = services.adopt_plan(plan=plan, user=world.nadia)

    after = set(
        Offering.objects.values_list("pk", "office_id", "service_id", "valid_from", "valid_to")
    )
    assert before <= after  # nothing existing changed
    added = after - before
    assert len(added) == 30 * len(world.af_services)
    expected = {(o.pk, s.pk) for o in world.offices[:30] for s in world.af_services}
    assert {(office, service) for _pk, office, service, _f, _t in added} == expected
    assert {(f, t) for *_rest, f, t in added} == {(AF_FROM, None)}
    assert sorted(Office.objects.values_list("code", "opened_on", "closed_on")) == offices_before
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ADOPTED and plan.adopted_by == world.nadia
    assert adoption.rows == 60
    assert AdoptedRow.objects.filter(plan=plan, table="offering", action="created").count() == 60
    assert set(
        Offering.objects.filter(service__agency=world.af).values_list("source", flat=True)
    ) == {plan.label}


def test_adopt__conflict__writes_nothing_and_names_every_conflict(world):
    plan = services.create_plan(user=world.nadia, name="Mixed")
    services.add_change(
        plan=plan,
        kind=ChangeKind.OPEN_OFFICE,
        on_date=dt.date(2027, 1, 1),
        office_codes=["ny-kontor"],
        new_office={
            "name": "Nytt",
            "county": "X län",
            "latitude": 60.0,
            "longitude": 15.0,
            "counters": 3,
        },
        hours=[[0, "10:00", "16:00"]],
        agencies_after_opening=[world.fk],  # an opening needs services (walk F10)
    )
    services.add_change(
        plan=plan,
        kind=ChangeKind.ADD_SERVICES,
        on_date=dt.date(2027, 2, 1),
        office_codes=[o.code for o in world.offices[:10]],
        agency=world.af,
    )
    services.add_change(
        plan=plan, kind=ChangeKind.CLOSE_OFFICE, on_date=dt.date(2027, 6, 1), office_codes=["o05"]
    )
    # meanwhile the registry changes: o05 is closed by someone else
    Office.objects.filter(code="o05").update(closed_on=dt.date(2026, 12, 31))
    snapshot = _snapshot()
    with pytest.raises(services.AdoptionConflict) as caught:
        services.adopt_plan(plan=plan, user=world.nadia)
    assert _snapshot() == snapshot
    assert not Office.objects.filter(code="ny-kontor").exists()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert AdoptedRow.objects.count() == 0
    text = str(caught.value.message)
    assert "Nothing was adopted" in text or "Inget antogs" in text
    # the office by its name, as the plan page says it, not its code
    assert world.offices[5].name in text and "o05" not in text
    # both o05 conflicts: adding AF on a day it is closed, and closing it again
    assert len(caught.value.reasons) == 2
    assert caught.value.http_status == 409


def test_adopt__twice__409(world):
    plan = services.create_plan(user=world.nadia, name="Once")
    services.add_change(
        plan=plan, kind=ChangeKind.CLOSE_OFFICE, on_date=dt.date(2027, 6, 1), office_codes=["o01"]
    )
    services.adopt_plan(plan=plan, user=world.nadia)
    with pytest.raises(services.NotADraft):
        services.adopt_plan(plan=plan, user=world.nadia)


# The world's milestone is in 2019: plans change the network from today on, so this one is
# drafted and adopted before it (a past milestone is the registry's to move).
@time_machine.travel(dt.datetime(2018, 12, 1, 12, tzinfo=dt.UTC), tick=False)
def test_move_milestone_in_plan__moves_its_dependants(world):
    plan = services.create_plan(user=world.nadia, name="Milestones")
    move = services.add_change(
        plan=plan,
        kind=ChangeKind.MOVE_MILESTONE,
        on_date=dt.date(2019, 1, 1),
        milestone=world.takeover,
    )
    follower = services.add_change(
        plan=plan,
        kind=ChangeKind.ADD_SERVICES,
        after_milestone=world.takeover,
        offset_days=30,
        office_codes=["o01"],
        agency=world.af,
    )
    chained = services.add_change(
        plan=plan,
        kind=ChangeKind.CLOSE_OFFICE,
        after_change=follower,
        offset_days=365,
        office_codes=["o02"],
    )
    dates = queries.resolved_dates(queries.plan_changes(plan))
    assert dates[follower.pk] == dt.date(2019, 1, 31)
    assert dates[chained.pk] == dt.date(2020, 1, 31)
    # moving the milestone's new date moves both followers
    dates = services.set_change_date(change=move, on_date=dt.date(2019, 3, 1))
    assert dates[follower.pk] == dt.date(2019, 3, 31)
    assert dates[chained.pk] == dt.date(2020, 3, 30)  # 365 days after, 2020 a leap year
    # and adoption moves the registry's rows that start with the milestone
    services.adopt_plan(plan=plan, user=world.nadia)
    assert Milestone.objects.get(pk=world.takeover.pk).date == dt.date(2019, 3, 1)
    assert set(
        Office.objects.filter(opened_with=world.takeover).values_list("opened_on", flat=True)
    ) == {dt.date(2019, 3, 1)}
    assert (
        Offering.objects.filter(starts_with=world.takeover)
        .exclude(valid_from=dt.date(2019, 3, 1))
        .count()
        == 0
    )
    af = Offering.objects.get(office__code="o01", service=world.af_services[0])
    assert af.valid_from == dt.date(2019, 3, 31)
    assert Office.objects.get(code="o02").closed_on == dt.date(2020, 3, 30)


def test_step_measures__equal_the_planning_page_after_adoption(world):
    plan = services.create_plan(user=world.nadia, name="Measures")
    services.add_change(
        plan=plan,
        kind=ChangeKind.CLOSE_OFFICE,
        on_date=dt.date(2027, 3, 1),
        office_codes=["o03", "o07"],
    )
    services.add_change(
        plan=plan,
        kind=ChangeKind.OPEN_OFFICE,
        on_date=dt.date(2027, 9, 1),
        office_codes=["kiruna-ny"],
        new_office={
            "name": "Kiruna",
            "county": "Norrbottens län",
            "latitude": 67.8557,
            "longitude": 20.2251,
            "counters": 2,
        },
        hours=[[d, "10:00", "16:00"] for d in range(5)],
        agencies_after_opening=[world.fk],  # an opening needs services (walk F10)
    )
    evaluation = queries.evaluate_plan(plan)
    steps = {s.day: s.effect.access for s in evaluation.steps}
    services.adopt_plan(plan=plan, user=world.nadia)
    for day, access in steps.items():
        page = plan_on(day=day, request=PlanRequest(action=Question.MEASURE)).before
        assert page == access, day
    # the baseline differs from the steps (the plan does something)
    assert evaluation.steps[0].effect.access.offices == 40
    assert evaluation.steps[1].effect.access.offices == 38
    assert evaluation.steps[2].effect.access.offices == 39


def test_registry_milestone_moved__the_plans_followers_move_too(world):
    from servicekontor.network.services import move_milestone

    plan = services.create_plan(user=world.nadia, name="Följer beslutet")
    follower = services.add_change(
        plan=plan,
        kind=ChangeKind.ADD_SERVICES,
        after_milestone=world.takeover,
        offset_days=10,
        office_codes=["o01"],
        agency=world.af,
    )
    assert queries.resolved_dates(queries.plan_changes(plan))[follower.pk] == dt.date(2019, 6, 11)
    move_milestone(milestone=world.takeover, new_date=dt.date(2019, 9, 1))
    assert queries.resolved_dates(queries.plan_changes(plan))[follower.pk] == dt.date(2019, 9, 11)


def test_follows_a_milestone_on_its_day__adoption_ties_the_rows_to_it(world):
    from servicekontor.network.services import move_milestone

    m = Milestone.objects.create(code="af-2027", name_sv="AF", date=dt.date(2027, 1, 1))
    plan = services.create_plan(user=world.nadia, name="AF med beslut")
    services.add_change(
        plan=plan,
        kind=ChangeKind.ADD_SERVICES,
        after_milestone=m,
        office_codes=["o01", "o02"],
        agency=world.af,
    )
    services.adopt_plan(plan=plan, user=world.nadia)
    assert set(Offering.objects.filter(starts_with=m).values_list("valid_from", flat=True)) == {
        dt.date(2027, 1, 1)
    }
    move_milestone(milestone=m, new_date=dt.date(2027, 4, 1))
    assert set(Offering.objects.filter(starts_with=m).values_list("valid_from", flat=True)) == {
        dt.date(2027, 4, 1)
    }


def test_adopt__a_change_dated_before_today__refused_naming_the_date(world):
    """Walk: "Close an office" dated 2020-01-01 was added, then adopted history."""
    plan = services.create_plan(user=world.nadia, name="Past")
    services.add_change(
        plan=plan, kind=ChangeKind.CLOSE_OFFICE, on_date=dt.date(2020, 1, 1), office_codes=["o01"]
    )
    before = _snapshot()
    with pytest.raises(services.AdoptionConflict) as err:
        services.adopt_plan(plan=plan, user=world.nadia)
    assert "2020-01-01" in str(err.value)
    assert _snapshot() == before


def test_adopt__moving_a_past_milestone__refused(world):
    plan = services.create_plan(user=world.nadia, name="Rewrite history")
    services.add_change(
        plan=plan,
        kind=ChangeKind.MOVE_MILESTONE,
        on_date=dt.date(2027, 6, 1),
        milestone=world.takeover,
    )
    before = _snapshot()
    with pytest.raises(services.AdoptionConflict) as err:
        services.adopt_plan(plan=plan, user=world.nadia)
    assert "2019-06-01" in str(err.value)
    assert _snapshot() == before
