"""Extrapolation weights: known answers, parity with mitiq, and the ill-conditioning warnings."""

from __future__ import annotations

import numpy as np
import pytest
from mitiq.zne.inference import ExpFactory, LinearFactory, PolyFactory, RichardsonFactory

from qhybrid.exceptions import ConfigError, IllConditionedExtrapolationWarning
from qhybrid.mitigation import Extrapolator, extrapolation_weights

SCALES = (1.0, 3.0, 5.0)
PARITY_TOLERANCE = 1e-10
"""Both sides solve the same small least-squares problem in float64."""


def test_richardson_weights_known_answer():
    # Lagrange weights at 0: w_k = prod_{j != k} lambda_j / (lambda_j - lambda_k).
    np.testing.assert_allclose(extrapolation_weights(SCALES, "richardson"), [15 / 8, -5 / 4, 3 / 8])


def test_linear_weights_known_answer():
    np.testing.assert_allclose(extrapolation_weights(SCALES, "linear"), [13 / 12, 4 / 12, -5 / 12])


@pytest.mark.parametrize("method", ["richardson", "linear", "polynomial"])
def test_weights_sum_to_one(method):
    assert extrapolation_weights((1.0, 2.0, 3.0, 4.0), method, order=2).sum() == pytest.approx(1.0)


def test_richardson_recovers_quadratic_exactly():
    values = np.array([0.9 - 0.1 * s + 0.004 * s**2 for s in SCALES])[:, None, None]  # (K, 1, 1)
    assert Extrapolator(SCALES, "richardson").extrapolate(values)[0, 0] == pytest.approx(0.9)


@pytest.mark.parametrize(
    ("method", "factory"),
    [
        ("richardson", lambda s, v: RichardsonFactory.extrapolate(s, v)),
        ("linear", lambda s, v: LinearFactory.extrapolate(s, v)),
        ("polynomial", lambda s, v: PolyFactory.extrapolate(s, v, order=2)),
    ],
)
def test_parity_with_mitiq(method, factory):
    scales = (1.0, 2.0, 3.5, 5.0)
    values = np.array([0.8 * np.exp(-0.15 * s) + 0.01 * np.sin(3 * s) for s in scales])
    ours = Extrapolator(scales, method, order=2).extrapolate(values[:, None, None])[0, 0]
    assert ours == pytest.approx(factory(list(scales), list(values)), abs=PARITY_TOLERANCE)


def test_exponential_parity_with_mitiq_on_exact_decay():
    # mitiq 1.1 weights its log fit by sqrt|E| and the fit here is unweighted, so
    # the two agree only where the data are exactly exponential.
    scales = [1.0, 2.0, 3.5, 5.0]
    values = [0.8 * np.exp(-0.15 * s) for s in scales]
    ours = Extrapolator(scales, "exponential").extrapolate(np.array(values)[:, None, None])[0, 0]
    assert ours == pytest.approx(ExpFactory.extrapolate(scales, values, asymptote=0.0), abs=PARITY_TOLERANCE)
    assert ours == pytest.approx(0.8, abs=PARITY_TOLERANCE)


def test_exponential_recovers_decay_of_negative_values():
    values = -0.7 * np.exp(-0.2 * np.array(SCALES))
    assert Extrapolator(SCALES, "exponential").extrapolate(values[:, None, None])[0, 0] == pytest.approx(-0.7)


def test_exponential_falls_back_to_linear_on_sign_change():
    values = np.array([0.02, -0.01, 0.005])[:, None, None]
    linear = Extrapolator(SCALES, "linear").extrapolate(values)
    np.testing.assert_allclose(Extrapolator(SCALES, "exponential").extrapolate(values), linear)


def test_closely_spaced_richardson_warns_with_amplification():
    with pytest.warns(IllConditionedExtrapolationWarning, match=r"sum \|weights\| = \d+\.\d.*amplifies shot noise"):
        extrapolator = Extrapolator((1.0, 1.1, 1.2, 1.3, 1.4), "richardson")
    assert extrapolator.amplification > 10


def test_well_spaced_linear_does_not_warn(recwarn):
    Extrapolator(SCALES, "linear")
    assert not [w for w in recwarn if issubclass(w.category, IllConditionedExtrapolationWarning)]


def test_values_outside_range_are_clipped_with_warning():
    values = np.array([0.99, 0.8, 0.5])[:, None, None]  # Richardson gives 1.18
    with pytest.warns(IllConditionedExtrapolationWarning, match=r"1 of 1 expectation values outside \[-1, 1\]"):
        estimate = Extrapolator(SCALES, "richardson").extrapolate(values)
    assert estimate[0, 0] == 1.0


def test_unknown_extrapolation_rejected():
    with pytest.raises(ConfigError, match="Unknown ZNE extrapolation 'cubic'"):
        extrapolation_weights(SCALES, "cubic")


def test_linear_needs_two_scale_factors():
    with pytest.raises(ConfigError, match="needs at least 2 scale factors"):
        extrapolation_weights((1.0,), "linear")
