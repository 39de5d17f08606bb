"""Gradients through mitigation: parameter-shift Jacobians against central finite differences."""

from __future__ import annotations

import pytest
import torch

from qhybrid.engines.aer import AerEngine
from qhybrid.mitigation import ZNE, Mitigation
from qhybrid.noise import NoiseSpec

from .conftest import SPEC

NOISE = NoiseSpec(depolarizing_1q=0.005, depolarizing_2q=0.03, readout_flip=0.05)
STEP = 1e-5
"""Finite-difference step in radians; exact float64 values make the central difference accurate to ~1e-9."""

GRADIENT_TOLERANCE = 1e-6


def _finite_difference(engine: AerEngine, angles: torch.Tensor, weights: torch.Tensor, cotangent: torch.Tensor):
    """Return d(sum(cotangent * expvals))/d(angles, weights) by central differences."""

    def objective(a: torch.Tensor, w: torch.Tensor) -> float:
        with torch.no_grad():
            return float((engine.expvals(a, w) * cotangent).sum())

    gradients = []
    for tensor, index in ((angles, 0), (weights, 1)):
        gradient = torch.zeros_like(tensor)
        for position in range(tensor.numel()):
            step = torch.zeros(tensor.numel(), dtype=tensor.dtype)
            step[position] = STEP
            step = step.reshape(tensor.shape)
            plus = (angles + step, weights) if index == 0 else (angles, weights + step)
            minus = (angles - step, weights) if index == 0 else (angles, weights - step)
            gradient.view(-1)[position] = (objective(*plus) - objective(*minus)) / (2 * STEP)
        gradients.append(gradient)
    return gradients


@pytest.mark.parametrize(
    "mitigation",
    [
        Mitigation(readout="matrix"),
        Mitigation(readout="matrix", zne=ZNE()),
        Mitigation(zne=ZNE(folding="local", extrapolation="linear", scale_factors=(1.0, 2.0, 3.0))),
        Mitigation(readout="matrix", zne=ZNE(), twirling=True, twirling_randomizations=2),
    ],
    ids=["readout", "readout_richardson", "local_linear", "all_linear_maps"],
)
def test_mitigated_gradient_matches_finite_differences(mitigation, angles, weights):
    engine = AerEngine(SPEC, seed=0, noise=NOISE, mitigation=mitigation)
    angles = angles.clone().requires_grad_(True)
    weights = weights.clone().requires_grad_(True)
    cotangent = torch.linspace(-1.0, 1.0, angles.numel(), dtype=torch.float64).reshape(angles.shape)

    (engine.expvals(angles, weights) * cotangent).sum().backward()
    expected_angles, expected_weights = _finite_difference(engine, angles.detach(), weights.detach(), cotangent)

    torch.testing.assert_close(angles.grad, expected_angles, atol=GRADIENT_TOLERANCE, rtol=0)
    torch.testing.assert_close(weights.grad, expected_weights, atol=GRADIENT_TOLERANCE, rtol=0)
