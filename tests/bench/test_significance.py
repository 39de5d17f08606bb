"""Paired tests over seeds against values computed by hand."""

from __future__ import annotations

import math
import sys

import pytest

from qhybrid.bench import compare_paired, paired_t_test, sign_flip_test
from qhybrid.exceptions import ConfigError

P_TOLERANCE = 1e-9
"""The p-values are closed-form or exact counts, so they agree to rounding."""


def t_cdf_4_dof(t: float) -> float:
    """Student t CDF with 4 degrees of freedom in closed form: 1/2 + 3x/4 (1 - x^2/3), x = t / sqrt(4 + t^2)."""
    x = t / math.sqrt(4 + t * t)
    return 0.5 + 0.75 * x * (1 - x * x / 3)


def test_t_test_matches_closed_form() -> None:
    # Differences 1..5: mean 3, sample std sqrt(2.5), so t = 3 / (sqrt(2.5) / sqrt(5)) with 4 dof.
    t = 3 / (math.sqrt(2.5) / math.sqrt(5))
    expected = 2 * (1 - t_cdf_4_dof(t))

    assert paired_t_test([1, 2, 3, 4, 5], [0, 0, 0, 0, 0]) == pytest.approx(expected, abs=P_TOLERANCE)


def test_t_test_zero_variance() -> None:
    assert paired_t_test([0.5, 0.6, 0.7], [0.5, 0.6, 0.7]) == 1.0
    assert paired_t_test([0.6, 0.7, 0.8], [0.5, 0.6, 0.7]) == 0.0


def test_sign_flip_all_positive_differences() -> None:
    # Only the all-plus and all-minus patterns of 2^5 reach |mean| = 3.
    assert sign_flip_test([1, 2, 3, 4, 5], [0] * 5) == pytest.approx(2 / 32, abs=P_TOLERANCE)


def test_sign_flip_counts_ties() -> None:
    # |mean| of the differences (1, 1, 2) is 4/3; patterns reaching it: +++ and --- only.
    assert sign_flip_test([1, 1, 2], [0, 0, 0]) == pytest.approx(2 / 8, abs=P_TOLERANCE)
    # (1, -1) has mean 0, which every pattern reaches.
    assert sign_flip_test([1, 0], [0, 1]) == 1.0


def test_sign_flip_too_many_pairs() -> None:
    with pytest.raises(ConfigError, match="at most 20 pairs, got 21"):
        sign_flip_test([1.0] * 21, [0.0] * 21)


def test_compare_paired_significant_verdict() -> None:
    comparison = compare_paired("mc", "quantum", "mlp_matched", [0.80, 0.81, 0.79, 0.80, 0.82], [0.90, 0.92, 0.91, 0.89, 0.90])

    assert comparison.method == "paired t-test"
    assert comparison.significant
    assert comparison.mean_difference == pytest.approx(-0.10, abs=1e-12)
    assert "quantum head quantum is 10.0 points lower than mlp_matched (p=" in comparison.verdict()


def test_compare_paired_no_difference_verdict() -> None:
    comparison = compare_paired("rp", "quantum", "mlp_matched", [0.6, 0.7, 0.6], [0.7, 0.6, 0.6])

    assert not comparison.significant
    assert comparison.verdict().startswith("rp: no significant difference at alpha=0.05 between quantum and mlp_matched (p=")


def test_compare_paired_without_scipy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "scipy", None)  # makes `from scipy import stats` raise ImportError

    comparison = compare_paired("mc", "quantum", "mlp", [1, 2, 3, 4, 5], [0] * 5)

    assert comparison.t_test_p is None
    assert comparison.method == "sign-flip permutation test"
    assert comparison.p_value == pytest.approx(0.0625, abs=P_TOLERANCE)
    assert "With 5 seeds this test cannot reach p < 0.05." in comparison.verdict()


@pytest.mark.parametrize(
    ("quantum", "classical", "alpha", "message"),
    [
        ([0.5, 0.6], [0.5], 0.05, "equal length, got 2 and 1"),
        ([0.5], [0.6], 0.05, "at least 2 finite pairs, got 1"),
        ([0.5, float("nan")], [0.5, 0.6], 0.05, "at least 2 finite pairs"),
        ([0.5, 0.6], [0.5, 0.6], 1.5, r"alpha must be in \(0, 1\), got 1.5"),
    ],
)
def test_compare_paired_rejects(quantum, classical, alpha, message) -> None:
    with pytest.raises(ConfigError, match=message):
        compare_paired("mc", "quantum", "mlp", quantum, classical, alpha)
