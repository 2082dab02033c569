import datetime as dt

import time_machine

from servicekontor.core import clock


def test_local_today__just_after_utc_midnight__still_stockholm_date() -> None:
    # 23:30 UTC on 14 March is 00:30 on 15 March in Stockholm.
    with time_machine.travel(dt.datetime(2025, 3, 14, 23, 30, tzinfo=dt.UTC), tick=False):
        assert clock.local_today() == dt.date(2025, 3, 15)


def test_local_today__at_2359_local__same_day() -> None:
    with time_machine.travel(dt.datetime(2025, 3, 14, 22, 59, tzinfo=dt.UTC), tick=False):
        assert clock.local_today() == dt.date(2025, 3, 14)


def test_local_day_bounds__dst_days__23_and_25_hours() -> None:
    start, end = clock.local_day_bounds(dt.date(2025, 3, 30))
    assert end - start == dt.timedelta(hours=23)
    start, end = clock.local_day_bounds(dt.date(2025, 10, 26))
    assert end - start == dt.timedelta(hours=25)
    start, end = clock.local_day_bounds(dt.date(2025, 10, 27))
    assert end - start == dt.timedelta(hours=24)


def test_local_datetime__is_utc__so_subtraction_is_exact() -> None:
    start = clock.local_datetime(dt.date(2025, 10, 26), dt.time(1))
    end = clock.local_datetime(dt.date(2025, 10, 26), dt.time(4))
    assert start.tzinfo == dt.UTC
    assert end - start == dt.timedelta(hours=4)
