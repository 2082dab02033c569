import numpy as np
import pytest

from servicekontor.planning.measures import accessibility, weighted_quantile


def test_weighted_quantile__weights_shift_median():
    assert weighted_quantile([1, 2, 3], [1, 1, 1], 0.5) == 2
    assert weighted_quantile([1, 2, 3], [10, 1, 1], 0.5) == 1
    assert weighted_quantile([5, 1], [1, 1], 1.0) == 5


def test_accessibility__figures_per_network_and_county():
    d = np.array([0.0, 5.0, 20.0, 60.0])
    w = np.array([100.0, 100.0, 100.0, 100.0])
    a = accessibility(d, w, ["A", "A", "B", "B"], offices=2, worst=2)
    assert a.population == 400
    assert a.mean_km == pytest.approx(21.25)
    assert a.max_km == 60
    assert a.share_within == pytest.approx((0.5, 0.75, 0.75))
    assert a.share_within_km(50.0) == pytest.approx(0.75)
    assert [c.county for c in a.counties] == ["A", "B"]
    assert a.counties[1].mean_km == pytest.approx(40)
    assert a.counties[1].share_within == pytest.approx((0.0, 0.5, 0.5))
    assert a.worst == (3, 2)
