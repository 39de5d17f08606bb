"""Zero-noise extrapolation of expectation values measured at several noise scale factors.

Richardson, linear and polynomial extrapolation are fixed linear combinations
sum_k w_k E(lambda_k) of the values at the scale factors lambda_k, with weights
that depend on the scale factors only (Temme et al., arXiv:1612.02058; Giurgica-Tiron
et al., arXiv:2005.10921). They are computed once and applied to every binding
row, forward and parameter-shifted alike, so the parameter-shift Jacobian of the
mitigated values is the exact Jacobian of the extrapolated estimate.

Exponential extrapolation fits E(lambda) = a exp(-b lambda) with asymptote 0 (as
for Pauli expectation values under depolarizing noise) by a least-squares line
through log|E(lambda_k)|, so E(0) = sign * exp(sum_k w_k log|E(lambda_k)|) with the
linear weights w_k. That map is not linear. The engine applies it to every
binding row and then takes parameter-shift differences of the extrapolated
values. Where the fit recovers the ideal values, this is the exact gradient of the
ideal circuit, because ideal values are sinusoidal in each slot angle. It is not
the derivative of the estimate itself.

mitiq's factories extrapolate one value per call. The weights here give the same
numbers as mitiq 1.1's Richardson, linear and polynomial factories (the tests
compare them) for a whole (scale, binding, qubit) array in one matrix product.
mitiq's ``ExpFactory`` weights its log fit by sqrt|E|; this fit is unweighted, so
the two agree exactly only on exactly exponential data.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence

import numpy as np

from qhybrid.exceptions import ConfigError, IllConditionedExtrapolationWarning
from qhybrid.mitigation.config import EXTRAPOLATIONS

logger = logging.getLogger(__name__)

AMPLIFICATION_WARNING_THRESHOLD = 10.0
"""Sum of absolute weights above which an extrapolation warns: shot noise on the
extrapolated value grows by up to this factor."""

EXPONENTIAL_MIN_MAGNITUDE = 1e-6
"""|E(lambda_k)| below which the exponential fit falls back to the linear one for that value."""


def extrapolation_weights(scale_factors: Sequence[float], extrapolation: str, order: int = 2) -> np.ndarray:
    """Return the weights w_k with E(0) = sum_k w_k E(lambda_k).

    Args:
        scale_factors: distinct scale factors lambda_k, shape (K,).
        extrapolation: one of ``EXTRAPOLATIONS``; ``"exponential"`` returns the linear
            weights, which it applies to log|E|.
        order: polynomial degree for ``"polynomial"``.

    Returns:
        Weights, shape (K,), summing to 1.

    Raises:
        ConfigError: for an unknown extrapolation, or too few scale factors for the degree.
    """
    scales = np.asarray(scale_factors, dtype=np.float64)
    if extrapolation not in EXTRAPOLATIONS:
        raise ConfigError(f"Unknown ZNE extrapolation {extrapolation!r}; choose one of {list(EXTRAPOLATIONS)}.")
    if extrapolation == "richardson":
        return _lagrange_weights_at_zero(scales)

    degree = order if extrapolation == "polynomial" else 1
    if len(scales) < degree + 1:
        raise ConfigError(
            f"{extrapolation} extrapolation of degree {degree} needs at least {degree + 1} scale factors, "
            f"got {scales.tolist()}."
        )
    vandermonde = np.vander(scales, degree + 1, increasing=True)  # (K, degree + 1)
    return np.linalg.pinv(vandermonde)[0]  # least-squares intercept


def _lagrange_weights_at_zero(scales: np.ndarray) -> np.ndarray:
    weights = np.ones_like(scales)
    for k, scale in enumerate(scales):
        others = np.delete(scales, k)
        weights[k] = np.prod(others / (others - scale))
    return weights


class Extrapolator:
    """Extrapolates values at fixed scale factors to zero noise.

    Args:
        scale_factors: the scale factors the circuits really ran at, shape (K,).
        extrapolation: one of ``EXTRAPOLATIONS``.
        order: polynomial degree for ``"polynomial"``.

    Warns:
        IllConditionedExtrapolationWarning: when the sum of absolute weights exceeds
            :data:`AMPLIFICATION_WARNING_THRESHOLD`.
    """

    def __init__(self, scale_factors: Sequence[float], extrapolation: str, order: int = 2) -> None:
        self.scale_factors = tuple(float(scale) for scale in scale_factors)
        self.extrapolation = extrapolation
        self.weights = extrapolation_weights(self.scale_factors, extrapolation, order)
        self.amplification = float(np.abs(self.weights).sum())
        if self.amplification > AMPLIFICATION_WARNING_THRESHOLD:
            warnings.warn(
                f"{extrapolation} extrapolation from scale factors {list(self.scale_factors)} has sum |weights| = "
                f"{self.amplification:.1f}, so it amplifies shot noise up to {self.amplification:.1f} times; "
                "use fewer or more widely spaced scale factors, or extrapolation='linear'.",
                IllConditionedExtrapolationWarning,
                stacklevel=2,
            )

    def extrapolate(self, values: np.ndarray) -> np.ndarray:
        """Extrapolate to zero noise and clip to [-1, 1].

        Args:
            values: expectation values at each scale factor, shape (K, M, n_qubits).

        Returns:
            Zero-noise estimates, shape (M, n_qubits), within [-1, 1].

        Warns:
            IllConditionedExtrapolationWarning: when an estimate left [-1, 1] and was clipped.
        """
        linear = np.tensordot(self.weights, values, axes=1)  # (M, n_qubits)
        estimate = self._exponential(values, linear) if self.extrapolation == "exponential" else linear
        return self._clip(estimate)

    def _exponential(self, values: np.ndarray, linear: np.ndarray) -> np.ndarray:
        signs = np.sign(values)
        fits = np.all(signs == signs[:1], axis=0) & np.all(np.abs(values) > EXPONENTIAL_MIN_MAGNITUDE, axis=0)
        logs = np.log(np.maximum(np.abs(values), EXPONENTIAL_MIN_MAGNITUDE))
        estimate = np.where(fits, signs[0] * np.exp(np.tensordot(self.weights, logs, axes=1)), linear)
        if not fits.all():
            logger.debug(
                "Exponential extrapolation fell back to linear for %d of %d values whose sign changes "
                "across scale factors or that are near 0", int((~fits).sum()), fits.size,
            )
        return estimate

    def _clip(self, estimate: np.ndarray) -> np.ndarray:
        outside = np.abs(estimate) > 1.0
        if outside.any():
            warnings.warn(
                f"ZNE ({self.extrapolation}, scale factors {list(self.scale_factors)}) extrapolated "
                f"{int(outside.sum())} of {outside.size} expectation values outside [-1, 1] (max |value| "
                f"{float(np.abs(estimate).max()):.3f}) and clipped them; sum |weights| = {self.amplification:.2f} "
                "is the factor by which it amplifies shot noise. Clipped values have zero gradient.",
                IllConditionedExtrapolationWarning,
                stacklevel=3,
            )
        return np.clip(estimate, -1.0, 1.0)
