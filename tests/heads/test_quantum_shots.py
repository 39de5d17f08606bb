"""Shot sampling on default.qubit: agreement with exact values and reproducibility under a seed."""

from __future__ import annotations

import warnings

import torch
from pennylane.exceptions import PennyLaneDeprecationWarning

from .conftest import make_features, make_head

SHOTS = 20_000
N_STANDARD_ERRORS = 5.0
"""Allowed deviation from the exact value. For the 8 values compared, all land inside
with probability about 1 - 8 * 6e-7."""


def _standard_error(expvals: torch.Tensor, shots: int) -> torch.Tensor:
    """Standard error of a <Z> estimate from ``shots`` samples: sqrt((1 - <Z>^2) / shots)."""
    return torch.sqrt((1 - expvals**2).clamp(min=0) / shots)


def test_sampled_expvals_match_exact():
    features = make_features(batch=4)
    exact_head = make_head("default.qubit", seed=7).double()
    sampled_head = make_head("default.qubit", seed=7, shots=SHOTS).double()

    with torch.no_grad():
        exact = exact_head.expvals(features)
        sampled = sampled_head.expvals(features)

    # One sample moves the estimate by 2 / SHOTS, which bounds the error where <Z> = +-1.
    tolerance = N_STANDARD_ERRORS * _standard_error(exact, SHOTS) + 2 / SHOTS
    assert not torch.equal(sampled, exact)
    assert torch.all((sampled - exact).abs() <= tolerance), (sampled - exact).abs() / tolerance


def test_same_seed_same_samples():
    features = make_features(batch=4)
    heads = [make_head("default.qubit", seed=11, shots=SHOTS).double() for _ in range(2)]

    with torch.no_grad():
        first, second = (head.expvals(features) for head in heads)

    assert torch.equal(first, second)


def test_shots_use_parameter_shift():
    head = make_head("default.qubit", shots=SHOTS)
    assert head.engine.diff_method == "parameter-shift"

    head(make_features(batch=2, dtype=torch.float32)).sum().backward()

    assert head.weights.grad is not None
    assert head.pre.weight.grad is not None


def test_shots_raise_no_deprecation_warning():
    # PennyLane 0.45 deprecates shots on the device, so the engine passes them to the QNode.
    head = make_head("default.qubit", shots=SHOTS)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PennyLaneDeprecationWarning)
        with torch.no_grad():
            head(make_features(batch=2, dtype=torch.float32))
