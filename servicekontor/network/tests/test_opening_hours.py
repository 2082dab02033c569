"""Opening hours as pure data: holidays, eves, exceptions, periods, DST, UTC midnight."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicekontor.network.opening_hours import (
    DayException,
    Period,
    Schedule,
    WeeklyRule,
    closing_time,
    day_hours,
    intervals_on,
    is_open,
    next_opening,
)

UTC = dt.UTC
STHLM = ZoneInfo("Europe/Stockholm")
T10, T16 = dt.time(10), dt.time(16)
WEEKDAYS_10_16 = tuple(WeeklyRule(day, T10, T16) for day in range(5))


def schedule(**overrides: object) -> Schedule:
    values: dict[str, object] = {
        "opened_on": dt.date(2019, 6, 1),
        "closed_on": None,
        "periods": (Period(dt.date(2019, 1, 1), None, WEEKDAYS_10_16),),
    }
    values.update(overrides)
    return Schedule(**values)  # type: ignore[arg-type]


def test_day_hours__ordinary_weekday__weekly_hours() -> None:
    hours = day_hours(schedule(), dt.date(2025, 3, 12))  # a Wednesday
    assert hours.intervals == ((T10, T16),)
    assert hours.is_open


def test_day_hours__weekend__closed() -> None:
    assert not day_hours(schedule(), dt.date(2025, 3, 15)).is_open


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (dt.date(2025, 1, 6), "Trettondedag jul"),
        (dt.date(2025, 4, 18), "Långfredagen"),
        (dt.date(2025, 4, 21), "Annandag påsk"),
        (dt.date(2025, 5, 1), "Första maj"),
        (dt.date(2025, 5, 29), "Kristi himmelsfärdsdag"),
        (dt.date(2025, 6, 6), "Nationaldagen"),
        (dt.date(2025, 12, 25), "Juldagen"),
        (dt.date(2025, 12, 26), "Annandag jul"),
    ],
)
def test_day_hours__public_holiday_on_weekday__closed_with_name(day: dt.date, name: str) -> None:
    hours = day_hours(schedule(), day)
    assert not hours.is_open
    assert hours.closed_reason == name


@pytest.mark.parametrize(
    "day",
    [dt.date(2025, 6, 20), dt.date(2025, 12, 24), dt.date(2025, 12, 31), dt.date(2026, 6, 19)],
)
def test_day_hours__eves__de_facto_closed(day: dt.date) -> None:
    hours = day_hours(schedule(), day)
    assert not hours.is_open
    assert hours.closed_reason.endswith("afton")


def test_day_hours__office_open_on_eves__open() -> None:
    assert day_hours(schedule(closed_on_eves=False), dt.date(2025, 12, 31)).is_open


def test_day_hours__office_open_on_holidays__open() -> None:
    assert day_hours(schedule(closed_on_public_holidays=False), dt.date(2025, 5, 1)).is_open


def test_day_hours__exception_closed__closed_with_reason() -> None:
    day = dt.date(2025, 3, 12)
    s = schedule(exceptions={day: DayException(day, closed=True, reason="Vattenläcka")})
    hours = day_hours(s, day)
    assert not hours.is_open
    assert hours.closed_reason == "Vattenläcka"
    assert hours.is_exception


def test_day_hours__exception_shortened_day__special_hours() -> None:
    day = dt.date(2025, 4, 17)  # skärtorsdag
    s = schedule(exceptions={day: DayException(day, False, dt.time(10), dt.time(13))})
    assert day_hours(s, day).intervals == ((dt.time(10), dt.time(13)),)


def test_day_hours__exception_on_holiday__exception_wins() -> None:
    day = dt.date(2025, 6, 6)
    s = schedule(exceptions={day: DayException(day, False, dt.time(11), dt.time(14))})
    assert day_hours(s, day).is_open


def test_day_hours__newest_period_wins__summer_hours() -> None:
    summer = Period(
        dt.date(2025, 6, 23),
        dt.date(2025, 8, 8),
        tuple(WeeklyRule(day, dt.time(10), dt.time(14)) for day in range(5)),
    )
    s = schedule(periods=(*schedule().periods, summer))
    assert day_hours(s, dt.date(2025, 7, 1)).intervals == ((dt.time(10), dt.time(14)),)
    assert day_hours(s, dt.date(2025, 8, 11)).intervals == ((T10, T16),)


def test_day_hours__lunch_break__two_intervals_in_order() -> None:
    rules = (WeeklyRule(0, dt.time(13), T16), WeeklyRule(0, T10, dt.time(12)))
    s = schedule(periods=(Period(dt.date(2019, 1, 1), None, rules),))
    assert day_hours(s, dt.date(2025, 3, 10)).intervals == ((T10, dt.time(12)), (dt.time(13), T16))


def test_day_hours__before_opening_and_from_closing_day__not_operating() -> None:
    s = schedule(opened_on=dt.date(2022, 3, 1), closed_on=dt.date(2025, 7, 1))
    assert not day_hours(s, dt.date(2022, 2, 28)).is_open
    assert day_hours(s, dt.date(2022, 3, 1)).is_open
    assert day_hours(s, dt.date(2025, 6, 30)).is_open
    assert not day_hours(s, dt.date(2025, 7, 1)).is_open


@pytest.mark.parametrize(
    ("day", "utc_open", "utc_close"),
    [
        # Monday after the spring change (2025-03-30): CEST, UTC+2.
        (dt.date(2025, 3, 31), dt.datetime(2025, 3, 31, 8, tzinfo=UTC), dt.time(14)),
        # Friday before it: CET, UTC+1.
        (dt.date(2025, 3, 28), dt.datetime(2025, 3, 28, 9, tzinfo=UTC), dt.time(15)),
        # Monday after the autumn change (2025-10-26): CET again.
        (dt.date(2025, 10, 27), dt.datetime(2025, 10, 27, 9, tzinfo=UTC), dt.time(15)),
    ],
)
def test_intervals_on__dst_weeks__same_wall_clock_hours(
    day: dt.date, utc_open: dt.datetime, utc_close: dt.time
) -> None:
    [(start, end)] = intervals_on(schedule(), day)
    assert start == utc_open
    assert end.astimezone(UTC).time() == utc_close
    assert start.astimezone(STHLM).time() == T10


def test_intervals_on__sunday_office_on_dst_day__wall_clock_hours_kept() -> None:
    rules = (WeeklyRule(6, dt.time(1), dt.time(4)),)
    s = schedule(periods=(Period(dt.date(2019, 1, 1), None, rules),))
    [(start, end)] = intervals_on(s, dt.date(2025, 10, 26))  # 25-hour day
    assert end - start == dt.timedelta(hours=4)  # 01:00 CEST to 04:00 CET
    [(start, end)] = intervals_on(s, dt.date(2025, 3, 30))  # 23-hour day
    assert end - start == dt.timedelta(hours=2)


def test_is_open__boundaries__open_inclusive_close_exclusive() -> None:
    day = dt.date(2025, 3, 12)
    assert not is_open(schedule(), dt.datetime.combine(day, dt.time(9, 59, 59), STHLM))
    assert is_open(schedule(), dt.datetime.combine(day, T10, STHLM))
    assert is_open(schedule(), dt.datetime.combine(day, dt.time(15, 59), STHLM))
    assert not is_open(schedule(), dt.datetime.combine(day, T16, STHLM))


def test_is_open__just_after_utc_midnight__uses_stockholm_day() -> None:
    # 00:30 UTC on Saturday 2025-03-15 is 01:30 on Saturday in Stockholm; 23:30 UTC on Sunday
    # is already Monday 00:30 in Stockholm. Neither is open, but the day must be the local one.
    rules = (WeeklyRule(0, dt.time(0), dt.time(2)),)  # Monday 00:00–02:00 local
    s = schedule(periods=(Period(dt.date(2019, 1, 1), None, rules),))
    assert is_open(s, dt.datetime(2025, 3, 16, 23, 30, tzinfo=UTC))  # Mon 00:30 local
    assert not is_open(s, dt.datetime(2025, 3, 17, 23, 30, tzinfo=UTC))  # Tue 00:30 local


def test_next_opening__friday_evening_before_easter__tuesday_morning() -> None:
    after = dt.datetime(2025, 4, 17, 17, 0, tzinfo=STHLM)  # skärtorsdag evening
    expected = dt.datetime(2025, 4, 22, 10, 0, tzinfo=STHLM)  # Good Friday, Easter Monday off
    assert next_opening(schedule(), after) == expected


def test_next_opening__christmas__skips_eves_and_holidays() -> None:
    after = dt.datetime(2025, 12, 23, 16, 0, tzinfo=STHLM)
    assert next_opening(schedule(), after) == dt.datetime(2025, 12, 29, 10, tzinfo=STHLM)
    after = dt.datetime(2025, 12, 30, 16, 0, tzinfo=STHLM)
    assert next_opening(schedule(), after) == dt.datetime(2026, 1, 2, 10, tzinfo=STHLM)


def test_next_opening__while_open__the_next_one_not_this_one() -> None:
    at = dt.datetime(2025, 3, 12, 11, 0, tzinfo=STHLM)
    assert next_opening(schedule(), at) == dt.datetime(2025, 3, 13, 10, tzinfo=STHLM)


def test_next_opening__closed_for_good__none() -> None:
    s = schedule(closed_on=dt.date(2025, 7, 1))
    assert next_opening(s, dt.datetime(2025, 6, 30, 17, tzinfo=STHLM)) is None


def test_closing_time__open_and_closed() -> None:
    at = dt.datetime(2025, 3, 12, 11, 0, tzinfo=STHLM)
    assert closing_time(schedule(), at) == dt.datetime(2025, 3, 12, 16, tzinfo=STHLM)
    assert closing_time(schedule(), at.replace(hour=17)) is None


@given(st.datetimes(min_value=dt.datetime(2019, 6, 1), max_value=dt.datetime(2030, 12, 31)))
def test_next_opening__property__is_an_opening_after_the_instant(naive: dt.datetime) -> None:
    at = naive.replace(tzinfo=UTC)
    opening = next_opening(schedule(), at)
    assert opening is not None
    assert opening > at
    assert is_open(schedule(), opening)
    assert not is_open(schedule(), opening - dt.timedelta(seconds=1))


@pytest.mark.parametrize(
    ("language", "holiday", "eve"),
    [("sv", "Juldagen", "Julafton"), ("en", "Christmas Day", "Christmas Eve")],
)
def test_day_hours__holiday_and_eve_names_in_the_schedules_language(
    language: str, holiday: str, eve: str
) -> None:
    s = schedule(language=language)
    assert day_hours(s, dt.date(2025, 12, 25)).closed_reason == holiday
    assert day_hours(s, dt.date(2025, 12, 24)).closed_reason == eve
