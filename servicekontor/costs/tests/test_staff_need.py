"""The pure pricing of a what-if's staff need (`costs.staff_need`), checked by hand."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicekontor.costs.staff_need import OfficeNeed, ore_for_hours, price


def test_price__worked_example_by_hand():
    # Luleå needs 160 officer hours in a month of 20 working days (1 FTE: 8 h × 20) as it is and 240 with the change the whole
    # month; the change is in force 16 of 31 days; an hour costs 290,00 kr.
    staff = price(
        [OfficeNeed(office=2, hours_today=160, hours_with_change=240, working_days=20)],
        ore_per_hour=29_000,
        in_force=Fraction(16, 31),
    )
    (lulea,) = staff.offices
    # hours b = 160 + 80 × 16/31 = 201,29…; today 160 h × 290 kr = 46 400,00 kr
    assert lulea.hours_b == Fraction(160) + Fraction(80 * 16, 31)
    assert lulea.cost_a_ore == 4_640_000
    # 201,290 322… h × 290 kr = 58 374,193 5… kr → 5 837 419 öre
    assert lulea.cost_b_ore == 5_837_419
    # the extra: 80 h × 16/31 × 290 kr = 11 974,19 kr
    assert lulea.difference_ore == 1_197_419
    assert lulea.fte_a == 1
    assert lulea.fte_b == 1 + Fraction(1, 2) * Fraction(16, 31)
    assert staff.difference_ore == 1_197_419


def test_price__leaving_saves_and_totals_sum_the_offices():
    staff = price(
        [
            OfficeNeed(office=7, hours_today=300, hours_with_change=250, working_days=20),
            OfficeNeed(office=3, hours_today=100, hours_with_change=100, working_days=20),
        ],
        ore_per_hour=30_000,
        in_force=Fraction(1),
    )
    assert [o.office for o in staff.offices] == [3, 7]
    assert staff.offices[1].difference_ore == -50 * 30_000
    assert staff.cost_a_ore == (300 + 100) * 30_000
    assert staff.difference_ore == sum(o.difference_ore for o in staff.offices)


def test_ore_for_hours__half_up():
    assert ore_for_hours(Fraction(1, 2), 3) == 2  # 1,5 öre → 2
    assert ore_for_hours(Fraction(-1, 2), 3) == -2
    assert ore_for_hours(Fraction(1, 3), 3) == 1


@pytest.mark.parametrize(
    ("kwargs", "needs"),
    [
        ({"ore_per_hour": 0, "in_force": Fraction(1)}, []),
        ({"ore_per_hour": 100, "in_force": Fraction(3, 2)}, []),
        (
            {"ore_per_hour": 100, "in_force": Fraction(1)},
            [OfficeNeed(office=1, hours_today=-1, hours_with_change=0, working_days=20)],
        ),
    ],
)
def test_price__bad_input_raises(kwargs, needs):
    with pytest.raises(ValueError):
        price(needs, **kwargs)


@given(
    h0=st.integers(0, 10_000),
    h1=st.integers(0, 10_000),
    days=st.integers(1, 31),
    rate=st.integers(1, 100_000),
)
def test_price__difference_within_one_ore_of_exact(h0, h1, days, rate):
    in_force = Fraction(days, 31)
    staff = price(
        [OfficeNeed(office=1, hours_today=h0, hours_with_change=h1, working_days=21)],
        ore_per_hour=rate,
        in_force=in_force,
    )
    exact = (h1 - h0) * in_force * rate
    assert abs(staff.difference_ore - exact) <= 1
    if h1 == h0 or days == 0:
        assert staff.difference_ore == 0
