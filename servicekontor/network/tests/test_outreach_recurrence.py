"""Outreach visits from recurrence rules: DST, public holidays (skip / move / keep), phase,
monthly positions. Pure: no database."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicekontor.network import opening_hours, outreach
from servicekontor.network.outreach import Frequency, HolidayPolicy, Recurrence

TEN, TWO = dt.time(10, 0), dt.time(14, 0)
MONDAYS = Recurrence(
    frequency=Frequency.WEEKLY,
    interval=1,
    weekday=0,
    opens=TEN,
    closes=TWO,
    valid_from=dt.date(2026, 3, 16),
)


def stop(*rules: Recurrence, public: bool = True, eves: bool = True) -> opening_hours.Schedule:
    return opening_hours.Schedule(
        opened_on=dt.date(2026, 1, 1),
        closed_on=None,
        periods=(),
        closed_on_public_holidays=public,
        closed_on_eves=eves,
        outreach=rules,
    )


def open_days(schedule: opening_hours.Schedule, first: dt.date, last: dt.date) -> list[dt.date]:
    return [
        d
        for d in opening_hours.days(first, (last - first).days + 1)
        if opening_hours.day_hours(schedule, d).is_open
    ]


def with_policy(policy: HolidayPolicy) -> Recurrence:
    return Recurrence(**{**MONDAYS.__dict__, "holiday_policy": policy})


def test_outreach__weekly_stop__same_wall_clock_across_dst():
    schedule = stop(MONDAYS)
    before = opening_hours.intervals_on(schedule, dt.date(2026, 3, 23))  # CET, UTC+1
    after = opening_hours.intervals_on(schedule, dt.date(2026, 3, 30))  # CEST since 29 March
    assert before == [
        (
            dt.datetime(2026, 3, 23, 9, 0, tzinfo=dt.UTC),
            dt.datetime(2026, 3, 23, 13, 0, tzinfo=dt.UTC),
        )
    ]
    assert after == [
        (
            dt.datetime(2026, 3, 30, 8, 0, tzinfo=dt.UTC),
            dt.datetime(2026, 3, 30, 12, 0, tzinfo=dt.UTC),
        )
    ]
    # Autumn: back to UTC+1 after 25 October.
    assert opening_hours.intervals_on(schedule, dt.date(2026, 10, 19))[0][0].hour == 8
    assert opening_hours.intervals_on(schedule, dt.date(2026, 10, 26))[0][0].hour == 9


def test_outreach__easter_monday__skipped():
    days = open_days(
        stop(with_policy(HolidayPolicy.SKIP)), dt.date(2026, 3, 30), dt.date(2026, 4, 13)
    )
    assert days == [dt.date(2026, 3, 30), dt.date(2026, 4, 13)]
    closed = opening_hours.day_hours(stop(MONDAYS), dt.date(2026, 4, 6))
    assert not closed.is_open and closed.closed_reason == "Annandag påsk"


def test_outreach__easter_monday__moved_to_next_working_day():
    days = open_days(
        stop(with_policy(HolidayPolicy.NEXT)), dt.date(2026, 3, 30), dt.date(2026, 4, 13)
    )
    assert days == [dt.date(2026, 3, 30), dt.date(2026, 4, 7), dt.date(2026, 4, 13)]


def test_outreach__easter_monday__moved_back_past_good_friday():
    # The previous working day of Easter Monday is not Good Friday (a holiday) but Thursday.
    days = open_days(
        stop(with_policy(HolidayPolicy.PREVIOUS)), dt.date(2026, 3, 30), dt.date(2026, 4, 13)
    )
    assert days == [dt.date(2026, 3, 30), dt.date(2026, 4, 2), dt.date(2026, 4, 13)]


def test_outreach__holiday_kept__or_when_the_stop_opens_on_holidays():
    kept = open_days(
        stop(with_policy(HolidayPolicy.KEEP)), dt.date(2026, 4, 6), dt.date(2026, 4, 6)
    )
    assert kept == [dt.date(2026, 4, 6)]
    flags_off = open_days(stop(MONDAYS, public=False), dt.date(2026, 4, 6), dt.date(2026, 4, 6))
    assert flags_off == [dt.date(2026, 4, 6)]


def test_outreach__eve_moved__across_the_year_end():
    # Thursday 24 December 2026 is julafton: Friday is Christmas Day, so Monday 28th.
    # Thursday 31 December is nyårsafton; Friday 1 January is New Year's Day, so Monday
    # 4 January 2027 — moved into the next year's cache.
    thursdays = Recurrence(
        frequency=Frequency.WEEKLY,
        interval=1,
        weekday=3,
        opens=TEN,
        closes=TWO,
        valid_from=dt.date(2026, 12, 1),
        holiday_policy=HolidayPolicy.NEXT,
    )
    days = open_days(stop(thursdays), dt.date(2026, 12, 28), dt.date(2027, 1, 8))
    assert days == [dt.date(2026, 12, 28), dt.date(2027, 1, 4), dt.date(2027, 1, 7)]


def test_outreach__moved_visit_never_lands_on_another_visit():
    # Monday and Tuesday rule of one stop: Easter Monday moved "next" must not double Tuesday;
    # the Monday rule moves to Wednesday instead.
    monday = with_policy(HolidayPolicy.NEXT)
    days = outreach.visit_dates(
        monday, dt.date(2026, 4, 1), dt.date(2026, 4, 12), opening_hours.closed_day_rule(True, True)
    )
    assert days == [dt.date(2026, 4, 7)]
    tuesday_too = Recurrence(**{**monday.__dict__, "weekday": 1})
    both = outreach.visits(
        [monday, tuesday_too],
        dt.date(2026, 4, 6),
        dt.date(2026, 4, 8),
        opening_hours.closed_day_rule(True, True),
    )
    # Separate rules may share a day: their hours merge, they do not double.
    assert both == {dt.date(2026, 4, 7): ((TEN, TWO),)}


def test_outreach__every_second_week__keeps_its_phase():
    fortnightly = Recurrence(**{**MONDAYS.__dict__, "interval": 2})
    days = open_days(stop(fortnightly), dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    # From 16 March every second Monday: 16/3, 30/3, 13/4, 27/4, 11/5, 25/5.
    assert days == [dt.date(2026, 5, 11), dt.date(2026, 5, 25)]


def test_outreach__monthly_last_friday__until_inclusive():
    last_friday = Recurrence(
        frequency=Frequency.MONTHLY,
        interval=1,
        weekday=4,
        week_of_month=-1,
        opens=TEN,
        closes=TWO,
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2026, 5, 29),
    )
    days = open_days(stop(last_friday), dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert days == [
        dt.date(2026, 1, 30),
        dt.date(2026, 2, 27),
        dt.date(2026, 3, 27),
        dt.date(2026, 4, 24),
        dt.date(2026, 5, 29),
    ]


def test_outreach__exception_wins_over_the_rule():
    base = stop(MONDAYS)
    diverted = opening_hours.Schedule(
        **{
            **base.__dict__,
            "exceptions": {
                dt.date(2026, 3, 23): opening_hours.DayException(
                    day=dt.date(2026, 3, 23), closed=True, reason="Bussen omdirigerad"
                )
            },
        }
    )
    hours = opening_hours.day_hours(diverted, dt.date(2026, 3, 23))
    assert not hours.is_open and hours.is_exception and hours.closed_reason == "Bussen omdirigerad"


def test_outreach__bad_rules_are_refused():
    with pytest.raises(ValueError):
        Recurrence(**{**MONDAYS.__dict__, "interval": 0})
    with pytest.raises(ValueError):
        Recurrence(**{**MONDAYS.__dict__, "closes": TEN})
    with pytest.raises(ValueError):
        Recurrence(**{**MONDAYS.__dict__, "frequency": Frequency.MONTHLY})


@given(
    weekday=st.integers(0, 6),
    interval=st.integers(1, 4),
    policy=st.sampled_from(list(HolidayPolicy)),
    start=st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
)
def test_outreach__property__visits_are_never_on_closed_days_unless_kept(
    weekday, interval, policy, start
):
    rule = Recurrence(
        frequency=Frequency.WEEKLY,
        interval=interval,
        weekday=weekday,
        opens=TEN,
        closes=TWO,
        valid_from=start,
        holiday_policy=policy,
    )
    closed = opening_hours.closed_day_rule(True, True)
    days = outreach.visit_dates(rule, start, start + dt.timedelta(days=120), closed)
    assert days == sorted(set(days))
    if policy != HolidayPolicy.KEEP:
        assert not any(closed(d) for d in days)
    own = rule.rule_dates(start, start + dt.timedelta(days=120))
    # Never more visits than the rule has dates (a move never duplicates).
    assert len(days) <= len(own) + 1  # +1: a visit moved in from just before `start`


def test_outreach__visits_per_week():
    assert outreach.visits_per_week([MONDAYS]) == 1
    assert outreach.visits_per_week([Recurrence(**{**MONDAYS.__dict__, "interval": 2})]) == 0.5
