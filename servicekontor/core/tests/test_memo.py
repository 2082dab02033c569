"""Pure computations remembered by a digest of their inputs (`core.memo`)."""

import dataclasses
import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from django.core.cache import cache
from django.utils.translation import gettext_lazy

from servicekontor.core import memo


@dataclasses.dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclasses.dataclass(frozen=True)
class Other:
    x: float
    y: float


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (1, 1.0),
        (1, True),
        (0, None),
        ((1, 2), [1, 2]),
        ("1", 1),
        (b"a", "a"),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}),  # the order a computation is given them
        (Point(1.0, 2.0), Other(1.0, 2.0)),
        (Point(1.0, 2.0), Point(2.0, 1.0)),
        (np.zeros(4), np.zeros(4, dtype=np.float32)),
        (np.zeros(4), np.zeros((2, 2))),
        (np.array([1.0, 2.0]), np.array([1.0, 2.000000001])),
        (0.1 + 0.2, 0.3),
        (dt.date(2026, 12, 2), "2026-12-02"),
        (dt.time(9, 0), dt.time(9, 0, 1)),
        (Decimal("1.0"), Decimal("1.00")),
        (Fraction(1, 3), 1 / 3),
        (("ab", "c"), ("a", "bc")),
        ([[1], 2], [1, [2]]),
        (frozenset({1, 2}), frozenset({1, 2, 3})),
        (math.inf, -math.inf),
    ],
)
def test_digest__different_inputs__different_digests(a, b):
    assert memo.digest(a) != memo.digest(b)


def test_digest__equal_inputs__equal_digests():
    def build(order):
        return {
            "counts": np.arange(12, dtype=float).reshape(3, 4),
            "profiles": [frozenset(order), frozenset({7})],
            "when": (dt.date(2026, 12, 7), dt.time(10, 0)),
            "point": Point(59.4, 17.9),
            "nan": math.nan,
        }

    assert memo.digest(build([3, 1, 2])) == memo.digest(build([2, 3, 1]))
    # a view of an array is its values
    assert memo.digest(np.arange(8.0)[::2]) == memo.digest(np.array([0.0, 2.0, 4.0, 6.0]))


@pytest.mark.parametrize("value", [object(), gettext_lazy("Staffing"), np.array([object()])])
def test_digest__no_canonical_encoding__refused(value):
    with pytest.raises(TypeError, match=r"memo\.digest"):
        memo.digest({"x": value})


def test_remembered__same_inputs_computed_once_other_inputs_again():
    cache.clear()
    calls = []

    def compute(n):
        calls.append(n)
        return {"square": n * n}

    assert memo.remembered("test.square", 4, lambda: compute(4)) == {"square": 16}
    again = memo.remembered("test.square", 4, lambda: compute(4))
    assert again == {"square": 16}
    assert memo.remembered("test.square", 5, lambda: compute(5)) == {"square": 25}
    assert memo.remembered("test.other", 4, lambda: compute(4)) == {"square": 16}
    assert calls == [4, 5, 4]
    again["square"] = 0  # a copy: the caller may change it
    assert memo.remembered("test.square", 4, lambda: compute(4)) == {"square": 16}


def test_remembered__result_not_kept__computed_again():
    cache.clear()
    calls = []

    def compute():
        calls.append(1)
        return "cut short"

    for _ in range(2):
        memo.remembered("test.limited", 1, compute, keep=lambda r: r != "cut short")
    assert len(calls) == 2


def test_remembered__another_deploy_s_code__computed_again(monkeypatch):
    """An entry written by other code (another deploy) is not read: the code's digest is
    part of the key."""
    cache.clear()
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    monkeypatch.setattr(memo, "code_version", lambda: "old-deploy")
    assert memo.remembered("test.deploy", 1, compute) == 1
    assert memo.remembered("test.deploy", 1, compute) == 1
    monkeypatch.setattr(memo, "code_version", lambda: "new-deploy")
    assert memo.remembered("test.deploy", 1, compute) == 2


def test_code_version__digest_of_the_sources_and_libraries():
    version = memo.code_version()
    assert len(version) == 16 and int(version, 16) >= 0
    assert memo.code_version() == version  # read once per process
