"""Tests of the classical baselines: parameter matching and seeded initialization."""

from __future__ import annotations

import pytest
import torch

from qhybrid.exceptions import FeatureError
from qhybrid.heads import LinearHead, MLPHead, QuantumHead, count_parameters, hidden_width_for

IN_FEATURES = 384
N_CLASSES = 4


@pytest.mark.parametrize(("n_qubits", "n_layers"), [(2, 1), (4, 2), (8, 3)])
def test_mlp_matches_quantum_parameter_count(n_qubits, n_layers):
    quantum = QuantumHead(IN_FEATURES, N_CLASSES, n_qubits=n_qubits, n_layers=n_layers, seed=0)
    target = count_parameters(quantum)

    mlp = MLPHead(IN_FEATURES, N_CLASSES, match_parameters=target, seed=0)

    per_hidden_unit = IN_FEATURES + 1 + N_CLASSES
    assert abs(count_parameters(mlp) - target) <= per_hidden_unit
    assert mlp.hidden == hidden_width_for(target, IN_FEATURES, N_CLASSES)


def test_hidden_width_formula():
    # h * (in + 1 + classes) + classes parameters: h=3 gives 3 * 10 + 3 = 33.
    assert hidden_width_for(33, in_features=6, n_classes=3) == 3
    assert count_parameters(MLPHead(6, 3, hidden=3)) == 33


@pytest.mark.parametrize(
    ("make_head", "weight_key"),
    [(lambda seed: LinearHead(8, 3, seed=seed), "linear.weight"),
     (lambda seed: MLPHead(8, 3, hidden=5, seed=seed), "net.0.weight")],
)
def test_seeded_init_is_reproducible(make_head, weight_key):
    first, second, other = make_head(0), make_head(0), make_head(1)

    for key, value in first.state_dict().items():
        assert torch.equal(value, second.state_dict()[key]), key
    assert not torch.equal(first.state_dict()[weight_key], other.state_dict()[weight_key])


@pytest.mark.parametrize("head_class", [LinearHead, MLPHead])
def test_seeded_init_leaves_global_rng_alone(head_class):
    torch.manual_seed(123)
    expected = torch.rand(3)

    torch.manual_seed(123)
    head_class(8, 3, seed=0)
    assert torch.equal(torch.rand(3), expected)


def test_unseeded_init_uses_global_rng():
    torch.manual_seed(5)
    first = LinearHead(8, 3)
    torch.manual_seed(5)
    second = LinearHead(8, 3)
    assert torch.equal(first.linear.weight, second.linear.weight)


@pytest.mark.parametrize("head", [LinearHead(8, 3, seed=0), MLPHead(8, 3, hidden=4, seed=0)])
def test_forward_shape_and_feature_check(head):
    assert head(torch.zeros(5, 8)).shape == (5, 3)
    with pytest.raises(FeatureError, match=r"features must have shape \(batch, 8\), got \(5, 7\)"):
        head(torch.zeros(5, 7))


def test_invalid_mlp_sizes_raise():
    with pytest.raises(ValueError, match="hidden must be a positive integer, got 0"):
        MLPHead(8, 3, hidden=0)
    with pytest.raises(ValueError, match="match_parameters must be a positive integer, got 0"):
        MLPHead(8, 3, match_parameters=0)
