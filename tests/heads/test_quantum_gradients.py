"""Autograd gradients of QuantumHead against central finite differences, on every PennyLane backend."""

from __future__ import annotations

import pytest
import torch

from .conftest import BATCH, N_CLASSES, PENNYLANE_BACKENDS, make_features, make_head

FD_STEP = 1e-6
"""Central-difference step. In float64 the truncation error is about step**2 = 1e-12 and
the rounding error about 1e-16 / step = 1e-10, both far below GRADIENT_TOL."""

GRADIENT_TOL = 1e-6
"""Absolute and relative tolerance on each gradient entry. Backprop, adjoint and the
parameter-shift rule are exact on a state-vector simulator, so only the finite
difference contributes error."""


def _functional(head: torch.nn.Module, features: torch.Tensor, coefficients: torch.Tensor) -> torch.Tensor:
    """A random linear functional of the logits: sum of coefficients * head(features)."""
    return (head(features) * coefficients).sum()


def _finite_difference(function, tensor: torch.Tensor) -> torch.Tensor:
    """Central differences of the scalar ``function()`` with respect to every entry of ``tensor``, changed in place."""
    gradient = torch.zeros_like(tensor)
    flat, flat_gradient = tensor.view(-1), gradient.view(-1)
    with torch.no_grad():
        for index in range(flat.numel()):
            original = flat[index].item()
            flat[index] = original + FD_STEP
            plus = function().item()
            flat[index] = original - FD_STEP
            minus = function().item()
            flat[index] = original
            flat_gradient[index] = (plus - minus) / (2 * FD_STEP)
    return gradient


@pytest.mark.parametrize("backend", PENNYLANE_BACKENDS)
def test_gradients_match_finite_differences(backend):
    head = make_head(backend).double()
    features = make_features().requires_grad_(True)
    coefficients = torch.randn(BATCH, N_CLASSES, generator=torch.Generator().manual_seed(1), dtype=torch.float64)

    _functional(head, features, coefficients).backward()
    analytic = {"features": features.grad, "weights": head.weights.grad, "pre.weight": head.pre.weight.grad}

    inputs = features.detach().clone()
    numeric = {
        "features": _finite_difference(lambda: _functional(head, inputs, coefficients), inputs),
        "weights": _finite_difference(lambda: _functional(head, inputs, coefficients), head.weights.data),
        "pre.weight": _finite_difference(lambda: _functional(head, inputs, coefficients), head.pre.weight.data),
    }
    for name in analytic:
        assert analytic[name] is not None, f"no gradient reached {name} on {backend}"
        torch.testing.assert_close(
            analytic[name], numeric[name], atol=GRADIENT_TOL, rtol=GRADIENT_TOL, msg=lambda m, n=name: f"{n}: {m}"
        )
