"""The pure allocation: largest remainder against hand-computed values, drivers, network pools,
and the properties the issue asks for (hypothesis)."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicekontor.costs.allocation import (
    AllocationError,
    Change,
    Driver,
    Part,
    Pool,
    Usage,
    allocate,
    apply_change,
    compare,
    largest_remainder,
    totals_by_agency,
    with_driver,
)


def test_largest_remainder__textbook_example():
    # Hamilton's method, 10 seats by votes 56/25/19 (%): quotas 5.6, 2.5, 1.9 → floors 5, 2, 1;
    # two seats left go to the largest remainders .9 and .6.
    assert largest_remainder(10, {"a": 56, "b": 25, "c": 19}) == {"a": 6, "b": 2, "c": 2}


def test_largest_remainder__tie_goes_to_smaller_key():
    assert largest_remainder(1, {2: 1, 1: 1}) == {1: 1, 2: 0}
    assert largest_remainder(2, {"c": 1, "b": 1, "a": 1}) == {"a": 1, "b": 1, "c": 0}


def test_largest_remainder__negative_total_keeps_sign():
    assert largest_remainder(-10, {"a": 2, "b": 1}) == {"a": -7, "b": -3}


def test_largest_remainder__errors():
    with pytest.raises(ValueError, match="non-negative"):
        largest_remainder(5, {"a": -1, "b": 2})
    with pytest.raises(ValueError, match="nothing to split by"):
        largest_remainder(5, {"a": 0})
    assert largest_remainder(0, {"a": 0}) == {"a": 0}


def test_allocate__office_pool_without_use_is_an_error():
    pool = Pool(key=1, office=7, amount_ore=100)
    with pytest.raises(AllocationError, match="nothing to share by at office 7"):
        allocate([pool], [Usage(8, 1, 1, 60)])


def test_allocate__fixed_part_without_weights_is_an_error():
    pool = Pool(key=1, office=7, amount_ore=100, parts=(Part(Driver.FIXED),))
    with pytest.raises(AllocationError):
        allocate([pool], [Usage(7, 1, 1, 60)])


def test_allocate__network_pool_by_fixed_office_shares():
    pool = Pool(
        key="it",
        office=None,
        amount_ore=1000,
        office_driver=Driver.FIXED,
        office_shares={1: 3, 2: 1},
    )
    usage = [Usage(1, 10, 1, 60), Usage(1, 20, 1, 180), Usage(2, 10, 5, 60)]
    lines = allocate([pool], usage)
    assert {(ln.office, ln.agency): ln.amount_ore for ln in lines} == {
        (1, 10): 188,  # 750 × 60/240 = 187.5, tie with agency 20's .5 → smaller key
        (1, 20): 562,
        (2, 10): 250,
    }


def test_apply_change__join_and_leave():
    usage = [Usage(1, 10, 100, 6000), Usage(2, 10, 50, 3000), Usage(1, 20, 10, 600)]
    joined = apply_change(
        usage,
        Change(
            agency=30,
            offices=(1, 2),
            visits=40,
            minutes_per_visit=Fraction(15),
            fraction=Fraction(1, 2),
        ),
    )
    assert joined[-2:] == [Usage(1, 30, 20, 18000), Usage(2, 30, 20, 18000)]
    left = apply_change(usage, Change(agency=10, offices=(2,), leave=True))
    assert left[1] == Usage(2, 10, 0, 0)
    assert left[0] == usage[0]


# --- properties ---------------------------------------------------------------------------

OFFICES = st.integers(1, 4)
AGENCIES = st.integers(1, 5)
usage_rows = st.lists(
    st.builds(Usage, OFFICES, AGENCIES, st.integers(0, 500), st.integers(0, 100_000)),
    min_size=1,
    max_size=20,
)
parts = st.lists(
    st.builds(
        Part, st.sampled_from([Driver.MINUTES, Driver.VISITS, Driver.FIXED]), st.integers(1, 100)
    ),
    min_size=1,
    max_size=3,
)
pools = st.builds(
    Pool,
    key=st.integers(1, 10**6),
    office=st.one_of(st.none(), OFFICES),
    amount_ore=st.integers(0, 10**12),
    parts=parts.map(tuple),
    fixed_shares=st.dictionaries(AGENCIES, st.integers(1, 100), min_size=1),
    office_driver=st.sampled_from([Driver.MINUTES, Driver.VISITS, Driver.FIXED]),
    office_shares=st.dictionaries(OFFICES, st.integers(1, 100), min_size=1),
)


@settings(max_examples=300)
@given(
    st.integers(-(10**12), 10**12),
    st.dictionaries(st.integers(), st.integers(0, 10**9), min_size=1),
)
def test_largest_remainder__sums_exactly_and_stays_within_one(total, weights):
    if total != 0 and sum(weights.values()) == 0:
        return
    parts = largest_remainder(total, weights)
    assert sum(parts.values()) == total
    whole = sum(weights.values())
    for k, w in weights.items():
        exact = Fraction(total * w, whole) if whole else Fraction(0)
        assert abs(parts[k] - exact) < 1


@settings(max_examples=300)
@given(st.lists(pools, min_size=1, max_size=4), usage_rows)
def test_allocate__every_pool_sums_to_the_ore(pool_list, usage):
    try:
        lines = allocate(pool_list, usage)
    except AllocationError:
        return
    for pool in pool_list:
        assert sum(ln.amount_ore for ln in lines if ln.pool == pool.key) == sum(
            p.amount_ore for p in pool_list if p.key == pool.key
        )


@settings(max_examples=300)
@given(pools, usage_rows, st.sampled_from([Driver.MINUTES, Driver.VISITS]))
def test_allocate__agency_without_use_gets_nothing_under_a_usage_driver(pool, usage, driver):
    pool = with_driver([pool], driver)[0]
    idle = 99  # an agency with rows of zero use everywhere
    usage = [*usage, *(Usage(o, idle, 0, 0) for o in range(1, 5))]
    try:
        lines = allocate([pool], usage)
    except AllocationError:
        return
    assert totals_by_agency(lines).get(idle, 0) == 0


@settings(max_examples=300)
@given(pools, usage_rows, st.integers(2, 1000))
def test_allocate__scaling_every_quantity_keeps_the_shares(pool, usage, factor):
    scaled_usage = [
        Usage(u.office, u.agency, u.visits * factor, u.handled_seconds * factor) for u in usage
    ]
    scaled_pool = Pool(
        key=pool.key,
        office=pool.office,
        amount_ore=pool.amount_ore,
        parts=pool.parts,
        fixed_shares={a: w * factor for a, w in pool.fixed_shares.items()},
        office_driver=pool.office_driver,
        office_shares={o: w * factor for o, w in pool.office_shares.items()},
    )
    try:
        lines = allocate([pool], usage)
    except AllocationError:
        with pytest.raises(AllocationError):
            allocate([scaled_pool], scaled_usage)
        return
    assert totals_by_agency(allocate([scaled_pool], scaled_usage)) == totals_by_agency(lines)


@settings(max_examples=300)
@given(pools, usage_rows)
def test_allocate__each_line_within_one_ore_of_its_exact_share(pool, usage):
    try:
        lines = allocate([pool], usage)
    except AllocationError:
        return
    for ln in lines:
        exact = Fraction(ln.basis_ore * ln.quantity, ln.basis_quantity)
        assert abs(ln.amount_ore - exact) < 1


@settings(max_examples=200)
@given(st.lists(pools, min_size=1, max_size=3, unique_by=lambda p: p.key), usage_rows)
def test_compare__differences_sum_to_zero(pool_list, usage):
    try:
        a = allocate(pool_list, usage)
        b = allocate(with_driver(pool_list, Driver.VISITS), usage)
    except AllocationError:
        return
    assert sum(d.difference_ore for d in compare(a, b)) == 0
