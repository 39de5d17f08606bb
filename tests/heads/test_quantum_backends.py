"""Parity of QuantumHead across backends: outputs, state_dict layout and transferred weights."""

from __future__ import annotations

import pytest
import torch

from qhybrid.train import TrainConfig, train_head

from .conftest import BATCH, EXACT_BACKENDS, IN_FEATURES, N_CLASSES, N_QUBITS, PENNYLANE_BACKENDS, make_features, make_head

PARITY_ATOL = 1e-6
"""Every backend here simulates the state vector exactly in float64, so outputs agree to
rounding (measured at most 6e-16). The tolerance is far above that, and far below the
error of about 0.03 from the 1024 sampled shots that pennylane-qiskit falls back to."""


def _reference_state() -> dict[str, torch.Tensor]:
    return make_head("default.qubit", seed=3).double().state_dict()


def _load(backend: str, state: dict[str, torch.Tensor]):
    head = make_head(backend, seed=99).double()  # a different seed, so the loaded weights matter
    head.load_state_dict(state)
    return head


@pytest.mark.parametrize("backend", PENNYLANE_BACKENDS)
def test_outputs_match_default_qubit(backend):
    state = _reference_state()
    features = make_features(batch=4)

    with torch.no_grad():
        reference = _load("default.qubit", state).expvals(features)
        values = _load(backend, state).expvals(features)

    torch.testing.assert_close(values, reference, atol=PARITY_ATOL, rtol=0)


FLOAT64_ATOL = 1e-12
"""Outputs computed in float64 must keep float64 precision. A float32 round trip, such as
lightning.qubit's results passing through torch's float32 default dtype, errs by about 1e-8."""


@pytest.mark.parametrize("backend", PENNYLANE_BACKENDS)
def test_float64_precision_is_kept(backend):
    state = _reference_state()
    features = make_features(batch=4)

    with torch.no_grad():
        reference = _load("default.qubit", state).expvals(features)
        values = _load(backend, state).expvals(features)

    assert values.dtype == torch.float64
    torch.testing.assert_close(values, reference, atol=FLOAT64_ATOL, rtol=0)
    assert torch.get_default_dtype() == torch.float32


def test_exact_backends_agree_on_logits():
    state = _reference_state()
    features = make_features(batch=4)

    with torch.no_grad():
        logits = [_load(backend, state)(features) for backend in EXACT_BACKENDS]

    torch.testing.assert_close(logits[1], logits[0], atol=PARITY_ATOL, rtol=0)


def test_qiskit_aer_without_shots_is_exact():
    # pennylane-qiskit samples 1024 shots unless the statevector method is chosen. Exact
    # values are deterministic and match default.qubit (test_outputs_match_default_qubit).
    head = make_head("qiskit.aer").double()
    features = make_features(batch=3)

    with torch.no_grad():
        first, second = head.expvals(features), head.expvals(features)

    assert head.engine.shots is None
    assert torch.equal(first, second)


def test_state_dict_layout_is_backend_independent():
    layouts = {
        backend: {key: tuple(value.shape) for key, value in make_head(backend).state_dict().items()}
        for backend in PENNYLANE_BACKENDS
    }

    expected = {
        "pre.weight": (N_QUBITS, IN_FEATURES), "pre.bias": (N_QUBITS,), "weights": (1, N_QUBITS, 3),
        "post.weight": (N_CLASSES, N_QUBITS), "post.bias": (N_CLASSES,),
    }
    for backend, layout in layouts.items():
        assert layout == expected, backend


def test_seeded_init_is_backend_independent():
    states = [make_head(backend, seed=5).state_dict() for backend in PENNYLANE_BACKENDS]
    for state in states[1:]:
        for key in states[0]:
            assert torch.equal(state[key], states[0][key]), key


def test_weights_trained_on_one_backend_run_on_another():
    features = make_features(batch=8, seed=1)
    labels = (features[:, 0] > 0).long()
    trained = make_head("default.qubit", seed=0).double()
    train_head(trained, features, labels, features, labels, TrainConfig(epochs=2, batch_size=4), seed=0, progress=False)
    assert not torch.equal(trained.weights, make_head("default.qubit", seed=0).weights.double())

    with torch.no_grad():
        reference = trained(features)
        for backend in ("lightning.qubit", "qiskit.aer"):
            torch.testing.assert_close(_load(backend, trained.state_dict())(features), reference, atol=PARITY_ATOL, rtol=0)


@pytest.mark.parametrize("backend", PENNYLANE_BACKENDS)
def test_batch_of_one(backend):
    head = make_head(backend)
    features = make_features(batch=1, dtype=torch.float32).requires_grad_(True)

    logits = head(features)
    logits.sum().backward()
    with torch.no_grad():
        no_grad_logits = head(features)

    assert logits.shape == (1, N_CLASSES)
    assert no_grad_logits.shape == (1, N_CLASSES)
    assert features.grad.shape == (1, IN_FEATURES)
    assert logits.dtype == torch.float32


@pytest.mark.parametrize("backend", PENNYLANE_BACKENDS)
def test_float32_batch_shape_and_dtype(backend):
    head = make_head(backend)
    with torch.no_grad():
        logits = head(make_features(batch=BATCH, dtype=torch.float32))
    assert logits.shape == (BATCH, N_CLASSES)
    assert logits.dtype == torch.float32
