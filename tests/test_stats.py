import pytest

from fmnist_lib.audit import stats
from fmnist_lib.report import prose


def test_wilson_interval_known_values():
    assert stats.wilson_interval(50, 100) == pytest.approx((0.4038, 0.5962), abs=1e-4)
    low, high = stats.wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4)
    low, high = stats.wilson_interval(10, 10)
    assert high == pytest.approx(1.0) and low == pytest.approx(0.7225, abs=1e-4)


def test_wilson_interval_rejects_impossible_counts():
    with pytest.raises(ValueError):
        stats.wilson_interval(11, 10)
    with pytest.raises(ValueError):
        stats.wilson_interval(0, 0)


def test_claim_comparison_wording():
    assert "inside" in prose.compare_to_claim(0.92, 10_000, 0.921)
    text = prose.compare_to_claim(0.92, 10_000, 0.9967)
    assert "above" in text and "99.67%" in text
    assert "below" in prose.compare_to_claim(0.92, 10_000, 0.5)
