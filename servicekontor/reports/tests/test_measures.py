"""The definitions on hand-made event logs with answers worked out by hand (no database)."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from servicekontor.reports.measures import (
    STOCKHOLM,
    DeskRow,
    ErrandRow,
    EventRow,
    VisitRow,
    difference,
    occupancy,
    percentile_minute,
    visit_contributions,
    wait_seconds,
    within_target,
)

DAY = dt.date(2026, 11, 25)
TAX, ID_CARD, PARENTAL = 1, 2, 3  # TAX and ID_CARD: one agency; PARENTAL: another


def at(hh: int, mm: int, ss: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=STOCKHOLM)


def walk_in(arrived: dt.datetime, office: int = 7) -> VisitRow:
    return VisitRow(1, office, arrived.date(), False, arrived, None)


def ev(when: dt.datetime, action: str, frm: str, to: str, service: int = TAX) -> EventRow:
    return EventRow(when, action, frm, to, service)


def day_row(c: dict, service: int = TAX, day: dt.date = DAY, office: int = 7) -> dict:
    return c[("day", office, service, day)]


def test_measures__recall_does_not_change_the_wait():
    visit = walk_in(at(10, 0))
    events = [
        ev(at(10, 0), "issue", "", "waiting"),
        ev(at(10, 12, 30), "call", "waiting", "called"),
        ev(at(10, 13, 30), "recall", "called", "called"),
        ev(at(10, 14), "start", "called", "serving"),
        ev(at(10, 20), "finish", "serving", "finished"),
    ]

    c = visit_contributions(visit, events, [ErrandRow(TAX, "resolved", False, "", 360, True)])

    assert wait_seconds(visit, events) == 750
    assert day_row(c) == {
        "visits_walk_in": 1,
        "called": 1,
        "wait_seconds": 750,
        "served": 1,
        "errands": 1,
        "errand_visits": 1,
        "handled_seconds": 360,
    }
    assert c[("wait", 7, TAX, DAY, 12)] == {"visits": 1}
    assert c[("hour", 7, TAX, DAY, 10)] == {"arrivals": 1}


def test_measures__hold_and_call_back_is_not_a_second_wait():
    visit = walk_in(at(10, 0))
    events = [
        ev(at(10, 0), "issue", "", "waiting"),
        ev(at(10, 5), "call", "waiting", "called"),
        ev(at(10, 6), "start", "called", "serving"),
        ev(at(10, 8), "hold", "serving", "on_hold"),
        ev(at(10, 30), "call", "on_hold", "called"),
        ev(at(10, 31), "start", "called", "serving"),
        ev(at(10, 35), "finish", "serving", "finished"),
    ]

    c = visit_contributions(visit, events, [])

    assert day_row(c)["called"] == 1 and day_row(c)["wait_seconds"] == 300


def test_measures__transfer_to_another_agency_splits_the_figures():
    visit = walk_in(at(10, 0))
    events = [
        ev(at(10, 0), "issue", "", "waiting"),
        ev(at(10, 10), "call", "waiting", "called"),
        ev(at(10, 11), "start", "called", "serving"),
        ev(at(10, 14), "transfer", "serving", "waiting", PARENTAL),
        ev(at(10, 40), "call", "waiting", "called", PARENTAL),
        ev(at(10, 41), "start", "called", "serving", PARENTAL),
        ev(at(10, 50), "finish", "serving", "finished", PARENTAL),
    ]
    errands = [
        ErrandRow(TAX, "transferred", True, "", 180, False),
        ErrandRow(PARENTAL, "resolved", True, "", 540, True),
    ]

    c = visit_contributions(visit, events, errands)

    tax, parental = day_row(c), day_row(c, PARENTAL)
    # arrival, wait and the transfer out count for the first service; the ending for the last
    assert (tax["visits_walk_in"], tax["called"], tax["wait_seconds"], tax["transfers"]) == (
        1,
        1,
        600,
        1,
    )
    assert "served" not in tax and parental["served"] == 1
    assert (tax["handled_seconds"], parental["handled_seconds"]) == (180, 540)
    # the part handed on is the first service's time, not its errand nor its served visit
    # (not even with an interpreter on the row); the finish is the second's (0053)
    assert not {"errands", "errand_visits", "interpreter_errands"} & set(tax)
    assert (parental["errands"], parental["errand_visits"]) == (1, 1)
    assert c[("errand", 7, PARENTAL, DAY, "resolved", "und")] == {"errands": 1}
    assert not [k for k in c if k[0] == "errand" and k[2] == TAX]
    assert parental["interpreter_errands"] == 1
    assert "called" not in parental  # the second queue's wait is not "the wait"


AGENCY_OF = {TAX: 1, ID_CARD: 1, PARENTAL: 2}


def test_measures__visits_that_reached_an_agency__once_per_visit_and_agency():
    """Decision 0055: arrival, transfer to, or a served errand added; the first event with a
    service of the agency, else its first served errand; a part handed on reaches nothing."""
    visit = walk_in(at(10, 0))
    arrived = [ev(at(10, 0), "issue", "", "waiting"), ev(at(10, 1), "call", "waiting", "called")]
    back_and_forth = [
        *arrived,
        ev(at(10, 5), "transfer", "serving", "waiting", PARENTAL),
        ev(at(10, 9), "transfer", "serving", "waiting", ID_CARD),
        ev(at(10, 15), "transfer", "serving", "waiting", PARENTAL),
    ]
    c = visit_contributions(visit, back_and_forth, [], AGENCY_OF)
    assert {k[2]: v["reached"] for k, v in c.items() if "reached" in v} == {TAX: 1, PARENTAL: 1}
    assert "reached" not in visit_contributions(visit, back_and_forth, [])[("day", 7, TAX, DAY)]

    added = [
        ErrandRow(TAX, "resolved", False, "", 60, True),
        ErrandRow(PARENTAL, "transferred", False, "", 60, False),  # handed on: not a reach
        ErrandRow(PARENTAL, "resolved", False, "", 60, True),
        ErrandRow(PARENTAL, "resolved", False, "", 60, False),
    ]
    c = visit_contributions(visit, arrived, added, AGENCY_OF)
    assert {k[2]: v["reached"] for k, v in c.items() if "reached" in v} == {TAX: 1, PARENTAL: 1}
    only_handed_on = visit_contributions(visit, arrived, added[1:2], AGENCY_OF)
    assert {k[2] for k, v in only_handed_on.items() if "reached" in v} == {TAX}


def test_measures__booked_visit_checked_in_early_waits_from_its_time():
    visit = VisitRow(1, 7, DAY, True, at(10, 40), at(11, 0))
    events = [
        ev(at(10, 40), "check_in", "", "waiting"),
        ev(at(11, 4), "call", "waiting", "called"),
    ]

    c = visit_contributions(visit, events, [])

    assert day_row(c) == {"visits_booked": 1, "called": 1, "wait_seconds": 240}
    assert c[("hour", 7, TAX, DAY, 10)] == {"arrivals": 1}  # busiest hours: when they came


def test_measures__booked_visit_checked_in_late_waits_from_check_in():
    visit = VisitRow(1, 7, DAY, True, at(11, 20), at(11, 0))
    events = [
        ev(at(11, 20), "check_in", "", "waiting"),
        ev(at(11, 21), "call", "waiting", "called"),
    ]

    assert wait_seconds(visit, events) == 60


def test_measures__booked_visit_called_before_its_time_waited_zero():
    visit = VisitRow(1, 7, DAY, True, at(10, 40), at(11, 0))
    events = [
        ev(at(10, 40), "check_in", "", "waiting"),
        ev(at(10, 45), "call", "waiting", "called"),
    ]

    assert wait_seconds(visit, events) == 0


def test_measures__no_show_left_and_closing():
    booked = VisitRow(1, 7, DAY, True, at(9, 0), at(9, 0))
    nobody = [ev(at(9, 10), "no_show", "", "no_show")]
    gone = [
        ev(at(10, 0), "issue", "", "waiting"),
        ev(at(10, 30), "call", "waiting", "called"),
        ev(at(10, 31), "no_show", "called", "no_show"),
    ]
    left_at_closing = [
        ev(at(15, 50), "issue", "", "waiting"),
        ev(at(16, 0), "close", "waiting", "not_served"),
    ]

    # a booking nobody came to: a no-show, not a visit and not an arrival (decision 0059)
    nobody_came = visit_contributions(booked, nobody, [])
    assert day_row(nobody_came) == {"no_show": 1}
    assert not [key for key in nobody_came if key[0] == "hour"]
    assert day_row(visit_contributions(walk_in(at(10, 0)), gone, []))["left_queue"] == 1
    c = visit_contributions(walk_in(at(15, 50)), left_at_closing, [])
    assert day_row(c) == {"visits_walk_in": 1, "not_served": 1}


def test_measures__dst_day_buckets_by_local_hour():
    # 2026-03-29: clocks go from 02:00 to 03:00 in Stockholm; 10:30 local is 08:30 UTC.
    sunday = dt.date(2026, 3, 29)
    arrived = dt.datetime(2026, 3, 29, 8, 30, tzinfo=dt.UTC)
    visit = VisitRow(1, 7, sunday, False, arrived, None)
    events = [
        ev(arrived, "issue", "", "waiting"),
        ev(at(10, 45, day=sunday), "call", "waiting", "called"),
    ]

    c = visit_contributions(visit, events, [])

    assert c[("hour", 7, TAX, sunday, 10)] == {"arrivals": 1}
    assert c[("day", 7, TAX, sunday)]["wait_seconds"] == 900


def test_measures__difference_of_a_change_is_what_it_adds():
    visit = walk_in(at(10, 0))
    before = [ev(at(10, 0), "issue", "", "waiting")]
    after = [*before, ev(at(10, 16), "call", "waiting", "called")]

    delta = difference(
        visit_contributions(visit, before, []), visit_contributions(visit, after, [])
    )

    assert delta == {
        ("day", 7, TAX, DAY): {"called": 1, "wait_seconds": 960},
        ("wait", 7, TAX, DAY, 16): {"visits": 1},
    }


def test_measures__percentiles_and_service_level_from_the_histogram():
    histogram = {0: 2, 3: 3, 14: 2, 15: 1, 40: 2}  # 10 visits

    assert percentile_minute(histogram, 0.5) == 3
    assert percentile_minute(histogram, 0.9) == 40
    assert percentile_minute({}, 0.5) is None
    assert within_target(histogram, target_minutes=15) == 7


@given(st.lists(st.integers(min_value=0, max_value=300), min_size=1, max_size=200))
def test_measures__percentile_is_the_nearest_rank(values):
    histogram: dict[int, int] = {}
    for v in values:
        histogram[v] = histogram.get(v, 0) + 1
    ordered = sorted(values)
    for share in (0.5, 0.9):
        rank = max(1, -(-int(share * 1000) * len(values) // 1000))  # ceil(share * n)
        assert percentile_minute(histogram, share) == ordered[rank - 1]


def test_occupancy__serving_over_signed_in_split_at_midnight():
    rows = [
        DeskRow(1, 7, at(10, 0), "idle"),
        DeskRow(1, 7, at(10, 10), "serving"),
        DeskRow(1, 7, at(10, 40), "idle"),
        DeskRow(1, 7, at(11, 0), "break"),
        DeskRow(1, 7, at(11, 15), "signed_out"),
        DeskRow(2, 7, at(23, 0), "serving"),  # an office open late: across midnight
        DeskRow(2, 7, at(0, 30, day=DAY + dt.timedelta(days=1)), "signed_out"),
    ]

    found = occupancy(rows, until=at(12, 0, day=DAY + dt.timedelta(days=2)))

    assert found[(7, DAY)] == (75 * 60 + 60 * 60, 30 * 60 + 60 * 60)
    assert found[(7, DAY + dt.timedelta(days=1))] == (30 * 60, 30 * 60)


def test_occupancy__open_session_ends_at_now_or_midnight():
    rows = [DeskRow(1, 7, at(10, 0), "idle"), DeskRow(1, 7, at(10, 30), "serving")]

    assert occupancy(rows, until=at(11, 0))[(7, DAY)] == (3600, 1800)
    assert occupancy(rows, until=at(9, 0, day=DAY + dt.timedelta(days=3)))[(7, DAY)] == (
        14 * 3600,
        13.5 * 3600,
    )


def test_occupancy__dst_night_has_23_hours():
    sunday = dt.date(2026, 3, 29)
    rows = [DeskRow(1, 7, at(0, 0, day=sunday), "idle")]

    found = occupancy(rows, until=at(0, 0, day=sunday + dt.timedelta(days=1)))

    assert found[(7, sunday)] == (23 * 3600, 0)
