"""The registry with a plan applied (pure): what each kind of change writes, conflicts, diff."""

from __future__ import annotations

import datetime as dt

from servicekontor.changeplans.registry_state import (
    Change,
    HoursFact,
    Kind,
    NewOffice,
    OfferingFact,
    OfficeFact,
    Registry,
    apply_plan,
    diff,
    network_on,
    openings_without_services,
)
from servicekontor.network.opening_hours import WeeklyRule

T = dt.date(2019, 6, 1)
NINE, FIVE = dt.time(9), dt.time(17)


def registry() -> Registry:
    offices = {
        c: OfficeFact(c, c.title(), "X län", 60.0 + i, 15.0, T, opened_with="m", pk=i + 1)
        for i, c in enumerate(("a", "b", "c"))
    }
    offerings = tuple(
        OfferingFact(o, s, "fk", T, starts_with="m", pk=10 * i + j + 1)
        for i, o in enumerate(offices)
        for j, s in enumerate(("fk1", "fk2"))
    )
    hours = tuple(
        HoursFact(o, dt.date(2019, 1, 1), None, (WeeklyRule(0, NINE, FIVE),), pk=100 + i)
        for i, o in enumerate(offices)
    )
    return Registry(offices, offerings, hours, {"m": T}, {"fk": ("fk1", "fk2"), "af": ("af1",)})


def test_close__ends_the_offerings_the_day_before():
    after, conflicts = apply_plan(
        registry(), [Change(1, Kind.CLOSE_OFFICE, dt.date(2027, 3, 1), offices=("b",))]
    )
    assert not conflicts
    assert after.offices["b"].closed_on == dt.date(2027, 3, 1)
    assert {o.valid_to for o in after.offerings if o.office == "b"} == {dt.date(2027, 2, 28)}
    assert [o.code for o in network_on(after, dt.date(2027, 3, 1))] == ["a", "c"]
    assert [o.code for o in network_on(after, dt.date(2027, 2, 28))] == ["a", "b", "c"]


def test_conflicts__all_reported_and_the_rest_applied():
    changes = [
        Change(1, Kind.CLOSE_OFFICE, dt.date(2027, 3, 1), offices=("b",)),
        Change(2, Kind.CLOSE_OFFICE, dt.date(2027, 4, 1), offices=("b", "zz")),
        Change(3, Kind.ADD_SERVICES, dt.date(2027, 5, 1), offices=("a", "b"), agency="af"),
        Change(4, Kind.ADD_SERVICES, dt.date(2027, 5, 1), offices=("c",), agency="fk"),
        Change(5, Kind.REMOVE_SERVICES, dt.date(2027, 5, 1), offices=("a",), agency="af"),
        Change(6, Kind.CHANGE_HOURS, dt.date(2019, 1, 1), offices=("a",), rules=()),
        Change(7, Kind.OPEN_OFFICE, dt.date(2027, 1, 1), new_office=NewOffice("a", "A", "X", 1, 1)),
        Change(8, Kind.MOVE_MILESTONE, dt.date(2027, 1, 1), milestone="nope"),
    ]
    after, conflicts = apply_plan(registry(), changes)
    # the af offerings at a (change 3) applied, so the later removal (5) found them
    assert {(c.key, c.code) for c in conflicts} == {
        (7, "code_taken"),
        (8, "unknown_milestone"),
        (6, "not_operating"),  # office a opens 2019-06-01
        (2, "already_closing"),
        (2, "unknown_office"),
        (3, "not_operating"),
        (4, "already_offered"),
    }
    # change 5 removes, on its first day, what change 3 added: it never starts
    assert [o for o in after.offerings if o.agency == "af"] == []


def test_remove__ends_the_day_before__or_conflicts_on_a_registry_offerings_first_day():
    after, conflicts = apply_plan(
        registry(),
        [Change(1, Kind.REMOVE_SERVICES, dt.date(2027, 1, 1), offices=("a",), agency="fk")],
    )
    # "a" offers only fk: without it, it would offer nothing (walk F10)
    assert [c.code for c in conflicts] == ["left_without_services"]
    assert {o.valid_to for o in after.offerings if o.office == "a"} == {dt.date(2026, 12, 31)}
    _after, conflicts = apply_plan(
        registry(), [Change(1, Kind.REMOVE_SERVICES, T, offices=("a",), agency="fk")]
    )
    assert [c.code for c in conflicts] == ["removal_on_first_day"] * 2


def test_move_milestone__moves_its_rows_and_diff_writes_shrinking_first():
    r = registry()
    ended = OfferingFact(
        "a", "old", "fk", dt.date(2018, 1, 1), T - dt.timedelta(days=1), ends_with="m", pk=999
    )
    r = Registry(r.offices, (*r.offerings, ended), r.hours, r.milestones, r.services)
    later = dt.date(2019, 9, 1)
    after, conflicts = apply_plan(r, [Change(1, Kind.MOVE_MILESTONE, later, milestone="m")])
    assert not conflicts
    assert {o.opened_on for o in after.offices.values()} == {later}
    d = diff(r, after)
    assert d.moved_milestones == {"m": later}
    # the starts move later (shrink) before the end moves later (grows)
    assert d.changed_offerings[-1][1].pk == 999
    assert d.changed_offerings[-1][1].valid_to == later - dt.timedelta(days=1)


def test_open_then_add_at_the_new_office_and_hours():
    rules = (WeeklyRule(0, dt.time(10), dt.time(15)),)
    changes = [
        Change(
            1,
            Kind.OPEN_OFFICE,
            dt.date(2027, 1, 1),
            new_office=NewOffice("n", "N", "Y län", 61, 16, counters=3),
            rules=rules,
            position=1,
        ),
        Change(2, Kind.ADD_SERVICES, dt.date(2027, 1, 1), offices=("n",), agency="af", position=2),
    ]
    after, conflicts = apply_plan(registry(), changes)
    assert not conflicts
    net = {o.code: o for o in network_on(after, dt.date(2027, 1, 1))}
    assert net["n"].agencies == frozenset({"af"}) and net["n"].rules == rules
    d = diff(registry(), after)
    assert [o.code for o in d.new_offices] == ["n"] and len(d.new_offerings) == 1
    assert len(d.new_hours) == 1 and not d.changed_offices


def test_add__the_same_service_code_of_another_agency_is_no_clash():
    r = registry()
    r = Registry(r.offices, r.offerings, r.hours, r.milestones, {**r.services, "af": ("fk1",)})
    after, conflicts = apply_plan(
        r, [Change(1, Kind.ADD_SERVICES, dt.date(2027, 1, 1), offices=("a",), agency="af")]
    )
    assert not conflicts
    assert [(o.agency, o.service) for o in after.offerings if o.pk is None] == [("af", "fk1")]


def test_openings_without_services__only_those_no_agency_serves_from_their_opening():
    rules = (WeeklyRule(0, dt.time(10), dt.time(15)),)
    day = dt.date(2027, 1, 1)
    changes = [
        Change(1, Kind.OPEN_OFFICE, day, new_office=NewOffice("n", "N", "Y", 61, 16), rules=rules),
        Change(2, Kind.ADD_SERVICES, day, offices=("n",), agency="af", position=2),
        Change(3, Kind.OPEN_OFFICE, day, new_office=NewOffice("e", "E", "Y", 62, 16), rules=rules),
        # services added and removed again before the opening: still none from the opening on
        Change(4, Kind.OPEN_OFFICE, day, new_office=NewOffice("r", "R", "Y", 63, 16), rules=rules),
        Change(5, Kind.ADD_SERVICES, day, offices=("r",), agency="af", position=5),
        Change(6, Kind.REMOVE_SERVICES, day, offices=("r",), agency="af", position=6),
    ]
    after, _conflicts = apply_plan(registry(), changes)
    assert [c.key for c in openings_without_services(after, changes)] == [3, 4]


def test_close_before_the_plan_opens_the_office__named_as_such():
    """Walk finding (2026-11-30): closing an office on 2027-01-01 that the plan opens on
    2027-03-01 was reported as "there is no office nyby", which reads as a typo in the code."""
    new = NewOffice("nyby", "Nyby", "X", 1, 1)
    changes = [
        Change(1, Kind.OPEN_OFFICE, dt.date(2027, 3, 1), new_office=new),
        Change(2, Kind.CLOSE_OFFICE, dt.date(2027, 1, 1), offices=("nyby",)),
        Change(3, Kind.ADD_SERVICES, dt.date(2027, 2, 1), offices=("nyby",), agency="fk"),
    ]
    _after, conflicts = apply_plan(registry(), changes)
    assert [(c.key, c.code, dict(c.params)) for c in conflicts] == [
        (2, "before_opening", {"office": "nyby", "date": "2027-01-01", "opens": "2027-03-01"}),
        (3, "before_opening", {"office": "nyby", "date": "2027-02-01", "opens": "2027-03-01"}),
    ]
