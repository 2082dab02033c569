"""Pure parts of messaging: the backoff schedule and phone numbers as E.164."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicekontor.messaging.backoff import wait
from servicekontor.messaging.phone import InvalidPhoneNumber, is_mobile, to_e164

MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)


def test_backoff__wait__doubles_then_caps():
    assert [wait(n, base=MINUTE, cap=HOUR) for n in range(1, 9)] == [
        MINUTE,
        2 * MINUTE,
        4 * MINUTE,
        8 * MINUTE,
        16 * MINUTE,
        32 * MINUTE,
        HOUR,
        HOUR,
    ]


def test_backoff__wait__refuses_zero_failures():
    with pytest.raises(ValueError):
        wait(0, base=MINUTE, cap=HOUR)


@given(st.integers(min_value=1, max_value=10_000))
def test_backoff__wait__never_shrinks_and_never_exceeds_the_cap(n):
    assert MINUTE <= wait(n, base=MINUTE, cap=HOUR) <= HOUR
    assert wait(n + 1, base=MINUTE, cap=HOUR) >= wait(n, base=MINUTE, cap=HOUR)


@pytest.mark.parametrize(
    "raw",
    [
        "070-123 45 67",
        "0701234567",
        "+46701234567",
        "+46 70 123 45 67",
        "+46 070-123 45 67",  # the trunk 0 kept after the country code
        "+46 (0)70 123 45 67",
        "0046 70 123 45 67",
    ],
)
def test_phone__to_e164__swedish_mobile_in_every_common_form(raw):
    assert to_e164(raw) == "+46701234567"


def test_phone__to_e164__foreign_numbers_keep_their_country():
    assert to_e164("+358 40 123 4567") == "+358401234567"
    assert to_e164("+47 412 34 567") == "+4741234567"


@pytest.mark.parametrize("raw", ["", "abc", "123", "070-12", "+46 70 123 45 67 89 00"])
def test_phone__to_e164__refuses_what_cannot_be_dialled(raw):
    with pytest.raises(InvalidPhoneNumber):
        to_e164(raw)


def test_phone__is_mobile__landline_is_not():
    assert is_mobile("+46701234567")
    assert not is_mobile(to_e164("08-123 456 78"))
