"""The worked example of docs/costs.md, number for number."""

from servicekontor.costs.allocation import (
    Driver,
    Part,
    Pool,
    Usage,
    allocate,
    compare,
    totals_by_agency,
    with_driver,
)

KISTA, LULEA = 1, 2
F, P, S = 10, 20, 30

USAGE = [
    Usage(KISTA, F, 100, 1500 * 60),
    Usage(KISTA, P, 50, 1000 * 60),
    Usage(KISTA, S, 150, 2500 * 60),
    Usage(LULEA, F, 40, 600 * 60),
    Usage(LULEA, S, 20, 400 * 60),
]
POOLS = [
    Pool(key="kista-staff", office=KISTA, amount_ore=10_000_000),
    Pool(
        key="kista-premises",
        office=KISTA,
        amount_ore=3_000_000,
        parts=(Part(Driver.FIXED, 50), Part(Driver.MINUTES, 50)),
        fixed_shares={F: 1, P: 1, S: 1},
    ),
    Pool(key="lulea-staff", office=LULEA, amount_ore=1_000_000, parts=(Part(Driver.VISITS),)),
    Pool(key="network-it", office=None, amount_ore=1_200_000),
]


def _by(lines, pool):
    out: dict[int, int] = {}
    for ln in lines:
        if ln.pool == pool:
            out[ln.agency] = out.get(ln.agency, 0) + ln.amount_ore
    return out


def test_worked_example__each_pool():
    lines = allocate(POOLS, USAGE)
    assert _by(lines, "kista-staff") == {F: 3_000_000, P: 2_000_000, S: 5_000_000}
    assert _by(lines, "kista-premises") == {F: 950_000, P: 800_000, S: 1_250_000}
    assert _by(lines, "lulea-staff") == {F: 666_667, S: 333_333}
    it = {(ln.office, ln.agency): ln.amount_ore for ln in lines if ln.pool == "network-it"}
    assert it == {
        (KISTA, F): 300_000,
        (KISTA, P): 200_000,
        (KISTA, S): 500_000,
        (LULEA, F): 120_000,
        (LULEA, S): 80_000,
    }


def test_worked_example__totals_and_cost_per_visit():
    totals = totals_by_agency(allocate(POOLS, USAGE))
    assert totals == {F: 5_036_667, P: 3_000_000, S: 7_163_333}
    assert sum(totals.values()) == 15_200_000
    # Försäkringskassan: 140 visits, 2 100 handled minutes.
    assert round(totals[F] / 140) == 35_976  # öre per visit = 359,76 kr
    assert round(totals[F] / 2100) == 2_398  # öre per minute = 23,98 kr


def test_worked_example__visits_instead():
    by_visits = allocate(with_driver(POOLS, Driver.VISITS), USAGE)
    assert totals_by_agency(by_visits) == {F: 5_466_666, P: 2_333_334, S: 7_400_000}
    diff = {d.agency: d.difference_ore for d in compare(allocate(POOLS, USAGE), by_visits)}
    assert diff == {F: 429_999, P: -666_666, S: 236_667}
