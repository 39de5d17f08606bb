"""Invalid arguments and inputs to QuantumHead raise errors that name the value and the fix."""

from __future__ import annotations

import re

import pytest
import torch

from qhybrid.circuits import ANSATZE
from qhybrid.engines import available_backends
from qhybrid.exceptions import BackendError, ConfigError, FeatureError
from qhybrid.heads import QuantumHead

from .conftest import IN_FEATURES, make_head


@pytest.fixture(scope="module")
def head():
    return make_head("default.qubit")


def test_wrong_feature_width_raises(head):
    message = f"features must have shape (batch, {IN_FEATURES}), got (2, 5); check that the encoder's output width"
    with pytest.raises(FeatureError, match=re.escape(message)):
        head(torch.ones(2, 5))


def test_one_dimensional_features_raise(head):
    with pytest.raises(FeatureError, match=re.escape(f"features must have shape (batch, {IN_FEATURES}), got (3,)")):
        head(torch.ones(IN_FEATURES))


def test_nan_features_name_the_row(head):
    features = torch.zeros(4, IN_FEATURES)
    features[2, 1] = float("nan")
    with pytest.raises(FeatureError, match=re.escape("NaN or infinite values in rows [2]; clean or drop those samples")):
        head(features)


def test_integer_features_raise(head):
    with pytest.raises(FeatureError, match=re.escape("features must be floating point, got dtype torch.int64; call .float()")):
        head(torch.ones(2, IN_FEATURES, dtype=torch.long))


def test_empty_batch_raises(head):
    with pytest.raises(FeatureError, match=re.escape("features is an empty batch (0 rows); pass at least one sample")):
        head(torch.ones(0, IN_FEATURES))


def test_unknown_backend_lists_valid_ones():
    message = f"Unknown backend 'nope'; choose one of {list(available_backends())}"
    with pytest.raises(BackendError, match=re.escape(message)):
        QuantumHead(IN_FEATURES, 2, backend="nope")


def test_unknown_ansatz_lists_valid_ones():
    with pytest.raises(BackendError, match=re.escape(f"Unknown ansatz 'qaoa'; choose one of {sorted(ANSATZE)}")):
        QuantumHead(IN_FEATURES, 2, ansatz="qaoa")


@pytest.mark.parametrize("shots", [0, -5, 1.5])
def test_invalid_shots_raise(shots):
    message = f"shots must be a positive integer or None for exact values, got {shots!r}"
    with pytest.raises(BackendError, match=re.escape(message)):
        QuantumHead(IN_FEATURES, 2, shots=shots)


@pytest.mark.parametrize(("backend", "diff_method"), [("default.qubit", "backprop"), ("lightning.qubit", "adjoint")])
def test_state_vector_diff_method_with_shots_raises(backend, diff_method):
    message = (
        f"diff_method={diff_method!r} needs exact simulation, but shots=100; "
        "use diff_method='parameter-shift' or shots=None."
    )
    with pytest.raises(BackendError, match=re.escape(message)):
        QuantumHead(IN_FEATURES, 2, backend=backend, shots=100, diff_method=diff_method)


def test_zero_qubits_raise_config_error():
    with pytest.raises(ConfigError, match="n_qubits must be a positive integer, got 0"):
        QuantumHead(IN_FEATURES, 2, n_qubits=0)


@pytest.mark.parametrize(
    ("argument", "value", "minimum"),
    [("in_features", 0, 1), ("n_classes", 0, 2), ("n_classes", 1, 2), ("n_classes", True, 2)],
)
def test_invalid_sizes_raise(argument, value, minimum):
    arguments = {"in_features": IN_FEATURES, "n_classes": 2, argument: value}
    with pytest.raises(ConfigError, match=f"{argument} must be an integer >= {minimum}, got {value!r}"):
        QuantumHead(**arguments)


def test_bool_n_qubits_raises():
    with pytest.raises(ConfigError, match="n_qubits must be a positive integer, got True"):
        QuantumHead(IN_FEATURES, 2, n_qubits=True)


def test_dtype_mismatch_names_fix():
    head = QuantumHead(IN_FEATURES, 2, n_qubits=2, n_layers=1, seed=0)
    with pytest.raises(FeatureError, match=r"dtype torch.float64, but the head's parameters are torch.float32"):
        head(torch.zeros(1, IN_FEATURES, dtype=torch.float64))
