"""Paired tests over seeds: does a quantum head differ from a classical head beyond seed noise?

Both heads of a pair train on the same split, with the same seed for shuffling,
so their accuracies are paired by seed. Two tests are computed on the
differences d_i = quantum_i - classical_i:

* the paired t-test (``scipy.stats.ttest_rel``, two-sided), when scipy imports;
* the exact sign-flip permutation test, in numpy: under the null hypothesis each
  d_i is symmetric about 0, so all 2^n sign patterns are equally likely, and the
  p-value is the fraction of them whose |mean| is at least the observed one.

The verdict uses the t-test when scipy is available, else the sign-flip test.
The sign-flip test cannot give p below 2 / 2^n, which is 0.0625 for 5 seeds, so
with fewer than 6 seeds it never rejects at alpha = 0.05.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from qhybrid.exceptions import ConfigError

logger = logging.getLogger(__name__)

MAX_EXACT_PAIRS = 20
"""Most pairs the exact sign-flip test enumerates (2^20, about a million sign patterns)."""

_TIE_TOLERANCE = 1e-12
"""Differences of accuracies closer than this count as equal: sign patterns whose |mean|
falls short of the observed one by less count as ties, and so do zero-variance differences."""


@dataclass(frozen=True)
class PairedComparison:
    """Outcome of the paired tests between two heads on one dataset."""

    dataset: str
    """Dataset name."""

    quantum: str
    """Name of the quantum head."""

    classical: str
    """Name of the classical head."""

    n_pairs: int
    """Seeds at which both heads ran."""

    mean_difference: float
    """Mean of quantum minus classical accuracy, as a fraction (0.01 is one point)."""

    t_test_p: float | None
    """Two-sided p-value of the paired t-test; None when scipy is not installed."""

    sign_flip_p: float
    """Two-sided p-value of the exact sign-flip permutation test."""

    method: str
    """Test behind :attr:`p_value`: ``"paired t-test"`` or ``"sign-flip permutation test"``."""

    alpha: float
    """Significance level."""

    @property
    def p_value(self) -> float:
        """p-value of :attr:`method`."""
        return self.t_test_p if self.t_test_p is not None else self.sign_flip_p

    @property
    def significant(self) -> bool:
        """Whether the difference is significant at :attr:`alpha`."""
        return self.p_value < self.alpha

    def verdict(self) -> str:
        """Return one sentence that states the outcome, with the p-value and the test."""
        points = 100 * abs(self.mean_difference)
        detail = f"p={self.p_value:.3g}, {self.method} over {self.n_pairs} seeds"
        if not self.significant:
            sentence = (
                f"{self.dataset}: no significant difference at alpha={self.alpha} between {self.quantum} and "
                f"{self.classical} ({detail}); the quantum head is {points:.1f} points "
                f"{'lower' if self.mean_difference < 0 else 'higher'} on average."
            )
        else:
            direction = "lower" if self.mean_difference < 0 else "higher"
            sentence = (
                f"{self.dataset}: quantum head {self.quantum} is {points:.1f} points {direction} than "
                f"{self.classical} ({detail})."
            )
        if self.method == "sign-flip permutation test" and 2 / 2**self.n_pairs >= self.alpha:
            sentence += f" With {self.n_pairs} seeds this test cannot reach p < {self.alpha}."
        return sentence

    def to_dict(self) -> dict[str, Any]:
        """Return the fields, the p-value, the decision and the verdict as a JSON-ready dict."""
        return {**asdict(self), "p_value": self.p_value, "significant": self.significant, "verdict": self.verdict()}


def paired_t_test(first: Sequence[float], second: Sequence[float]) -> float | None:
    """Return the two-sided p-value of the paired t-test, or None when scipy is not installed.

    Differences that are all equal have zero variance. The p-value is then 1 when they
    are zero and 0 otherwise, where scipy would return NaN or a value from rounding
    noise. Equal means within 1e-12, because accuracies such as 0.7 - 0.6 carry rounding.

    Raises:
        ConfigError: If the samples differ in length or have fewer than 2 pairs.
    """
    differences = _differences(first, second, minimum=2)
    try:
        from scipy import stats
    except ImportError:
        logger.info("scipy is not installed; the paired t-test is skipped")
        return None
    if np.ptp(differences) < _TIE_TOLERANCE:
        return 1.0 if abs(differences.mean()) < _TIE_TOLERANCE else 0.0
    return float(stats.ttest_rel(np.asarray(first, float), np.asarray(second, float)).pvalue)


def sign_flip_test(first: Sequence[float], second: Sequence[float]) -> float:
    """Return the two-sided p-value of the exact sign-flip permutation test on paired samples.

    Raises:
        ConfigError: If the samples differ in length, are empty, or have more than
            :data:`MAX_EXACT_PAIRS` pairs.
    """
    differences = _differences(first, second, minimum=1)
    if len(differences) > MAX_EXACT_PAIRS:
        raise ConfigError(
            f"the exact sign-flip test enumerates 2^n sign patterns and supports at most {MAX_EXACT_PAIRS} "
            f"pairs, got {len(differences)}; use fewer seeds."
        )
    observed = abs(differences.mean())
    signs = np.array(list(itertools.product((1.0, -1.0), repeat=len(differences))))  # (2^n, n)
    means = np.abs(signs @ differences) / len(differences)  # (2^n,)
    return float(np.mean(means >= observed - _TIE_TOLERANCE))


def compare_paired(
    dataset: str,
    quantum: str,
    classical: str,
    quantum_scores: Sequence[float],
    classical_scores: Sequence[float],
    alpha: float = 0.05,
) -> PairedComparison:
    """Compare two heads' per-seed scores with both paired tests.

    Args:
        dataset: Dataset name, for the verdict.
        quantum: Name of the quantum head.
        classical: Name of the classical head.
        quantum_scores: Accuracy of the quantum head per seed, shape (n,).
        classical_scores: Accuracy of the classical head at the same seeds, shape (n,).
        alpha: Significance level, in (0, 1).

    Returns:
        Both p-values and the decision.

    Raises:
        ConfigError: If the score lists differ in length or have fewer than 2 pairs,
            or ``alpha`` is not in (0, 1).
    """
    if not 0 < alpha < 1:
        raise ConfigError(f"alpha must be in (0, 1), got {alpha!r}; use 0.05.")
    differences = _differences(quantum_scores, classical_scores, minimum=2)
    t_test_p = paired_t_test(quantum_scores, classical_scores)
    return PairedComparison(
        dataset=dataset,
        quantum=quantum,
        classical=classical,
        n_pairs=len(differences),
        mean_difference=float(differences.mean()),
        t_test_p=t_test_p,
        sign_flip_p=sign_flip_test(quantum_scores, classical_scores),
        method="paired t-test" if t_test_p is not None else "sign-flip permutation test",
        alpha=float(alpha),
    )


def _differences(first: Sequence[float], second: Sequence[float], minimum: int) -> np.ndarray:
    a = np.asarray(first, dtype=np.float64)
    b = np.asarray(second, dtype=np.float64)
    if a.ndim != 1 or a.shape != b.shape:
        raise ConfigError(
            f"paired samples must be 1-D and of equal length, got {len(first)} and {len(second)} values; "
            "pass one score per seed for each head."
        )
    if len(a) < minimum or not np.all(np.isfinite(a - b)):
        raise ConfigError(
            f"paired samples need at least {minimum} finite pairs, got {len(a)}: {a.tolist()} and {b.tolist()}."
        )
    return a - b

