"""DateSpan: the one rule for "operating on a day" and "two dated periods overlap" (no DB)."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from servicekontor.network.dates import DateSpan

D = dt.date(2026, 1, 1)
days = st.integers(min_value=0, max_value=40).map(lambda n: D + dt.timedelta(days=n))
spans = st.builds(
    lambda first, length: DateSpan(first, None if length is None else first + length),
    days,
    st.one_of(st.none(), st.integers(min_value=0, max_value=20).map(dt.timedelta)),
)


def test_date_span__contains__both_ends_inclusive():
    span = DateSpan(dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    assert span.contains(dt.date(2024, 1, 1)) and span.contains(dt.date(2024, 6, 30))
    assert not span.contains(dt.date(2023, 12, 31)) and not span.contains(dt.date(2024, 7, 1))
    assert DateSpan(dt.date(2024, 1, 1)).contains(dt.date(2999, 1, 1))


def test_date_span__operating__closed_on_is_the_first_day_closed():
    span = DateSpan.operating(dt.date(2019, 6, 1), dt.date(2025, 1, 1))
    assert span.contains(dt.date(2024, 12, 31))
    assert not span.contains(dt.date(2025, 1, 1))
    assert str(span) == "2019-06-01–2024-12-31"
    assert str(DateSpan.operating(dt.date(2019, 6, 1), None)) == "2019-06-01–…"


def test_date_span__overlaps__adjacent_spans_do_not():
    spring = DateSpan(dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    assert not spring.overlaps(DateSpan(dt.date(2024, 7, 1)))
    assert spring.overlaps(DateSpan(dt.date(2024, 6, 30)))
    assert DateSpan(dt.date(2030, 1, 1)).overlaps(DateSpan(dt.date(2020, 1, 1)))


@given(a=spans, b=spans)
def test_date_span__overlaps__iff_a_day_lies_in_both(a, b):
    horizon = [D + dt.timedelta(days=n) for n in range(0, 80)]
    assert a.overlaps(b) == b.overlaps(a)
    assert a.overlaps(b) == any(a.contains(day) and b.contains(day) for day in horizon)


@given(opened=days, closed=st.one_of(st.none(), days), day=days)
def test_date_span__operating__same_as_first_open_to_first_closed(opened, closed, day):
    expected = opened <= day and (closed is None or day < closed)
    assert DateSpan.operating(opened, closed).contains(day) == expected
