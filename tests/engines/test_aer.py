"""The batched Aer engine against default.qubit: values, gradients, shots, batching, caching."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from qhybrid.engines.transpiled import transpile_count
from qhybrid.heads import QuantumHead

EXACT_TOLERANCE = 1e-6
"""Exact Aer and default.qubit both simulate state vectors in float64; they differ by rounding only."""

N_STANDARD_ERRORS = 5.0
"""Shot results must lie within this many standard errors of the exact value."""

IN_FEATURES = 6
N_CLASSES = 3


def make_pair(backend_kwargs: dict, n_qubits: int = 3, n_layers: int = 2, ansatz: str = "strongly_entangling"):
    """Return (reference on default.qubit, head on aer) in float64 with the same state_dict."""
    reference = QuantumHead(IN_FEATURES, N_CLASSES, n_qubits, n_layers, ansatz=ansatz, seed=7).double()
    head = QuantumHead(IN_FEATURES, N_CLASSES, n_qubits, n_layers, ansatz=ansatz, backend="aer", **backend_kwargs)
    head = head.double()
    head.load_state_dict(reference.state_dict())
    return reference, head


def gradients(head: QuantumHead, features: torch.Tensor, cotangent: torch.Tensor) -> dict[str, torch.Tensor]:
    """Return d(sum(cotangent * expvals))/d(features, weights, pre.weight)."""
    head.zero_grad()
    x = features.detach().clone().requires_grad_(True)
    (head.expvals(x) * cotangent).sum().backward()
    return {"features": x.grad, "weights": head.weights.grad.clone(), "pre.weight": head.pre.weight.grad.clone()}


@pytest.mark.parametrize("ansatz", ["strongly_entangling", "hardware_efficient"])
def test_exact_matches_default_qubit(ansatz: str) -> None:
    reference, head = make_pair({}, ansatz=ansatz)
    features = torch.randn(5, IN_FEATURES, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    cotangent = torch.randn(5, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(1))

    with torch.no_grad():
        torch.testing.assert_close(head(features), reference(features), atol=EXACT_TOLERANCE, rtol=0)

    expected = gradients(reference, features, cotangent)
    actual = gradients(head, features, cotangent)
    for name in expected:
        torch.testing.assert_close(actual[name], expected[name], atol=EXACT_TOLERANCE, rtol=0, msg=name)


def test_density_matrix_matches_statevector() -> None:
    reference, head = make_pair({"backend_options": {"method": "density_matrix"}})
    features = torch.randn(4, IN_FEATURES, dtype=torch.float64)

    with torch.no_grad():
        torch.testing.assert_close(head.expvals(features), reference.expvals(features), atol=EXACT_TOLERANCE, rtol=0)


def test_shots_within_standard_errors() -> None:
    shots = 4096
    reference, head = make_pair({"shots": shots, "seed": 11})
    features = torch.randn(8, IN_FEATURES, dtype=torch.float64, generator=torch.Generator().manual_seed(2))

    with torch.no_grad():
        exact = reference.expvals(features)
        sampled = head.expvals(features)

    standard_error = torch.sqrt((1 - exact**2).clamp_min(1e-12) / shots)
    deviation = (sampled - exact).abs() / standard_error
    assert deviation.max() < N_STANDARD_ERRORS
    assert not torch.equal(sampled, exact)


def test_shot_gradients_within_standard_errors() -> None:
    shots = 8192
    reference, head = make_pair({"shots": shots, "seed": 5}, n_qubits=2, n_layers=1)
    features = torch.randn(3, IN_FEATURES, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    cotangent = torch.zeros(3, 2, dtype=torch.float64)
    cotangent[:, 0] = 1.0

    expected = gradients(reference, features, cotangent)["weights"]
    actual = gradients(head, features, cotangent)["weights"]

    # Each slot derivative is (f+ - f-)/2 from two independent estimates, each with
    # variance at most 1/shots; summed over a batch of 3 samples.
    standard_error = np.sqrt(3 * 2 / (4 * shots))
    assert (actual - expected).abs().max() < N_STANDARD_ERRORS * standard_error


def test_same_seed_same_numbers() -> None:
    features = torch.randn(4, IN_FEATURES, dtype=torch.float64)
    outputs = []
    for _ in range(2):
        _, head = make_pair({"shots": 256, "seed": 3})
        with torch.no_grad():
            outputs.append((head.expvals(features), head.expvals(features)))

    assert torch.equal(outputs[0][0], outputs[1][0])
    assert torch.equal(outputs[0][1], outputs[1][1])
    assert not torch.equal(outputs[0][0], outputs[0][1]), "successive calls must draw fresh shots"


def test_batch_gradient_is_sum_of_sample_gradients() -> None:
    _, head = make_pair({})
    features = torch.randn(4, IN_FEATURES, dtype=torch.float64)
    cotangent = torch.randn(4, 3, dtype=torch.float64)

    batch = gradients(head, features, cotangent)
    per_sample = [gradients(head, features[i : i + 1], cotangent[i : i + 1]) for i in range(4)]

    torch.testing.assert_close(batch["weights"], sum(g["weights"] for g in per_sample), atol=1e-12, rtol=0)
    torch.testing.assert_close(batch["pre.weight"], sum(g["pre.weight"] for g in per_sample), atol=1e-12, rtol=0)
    torch.testing.assert_close(batch["features"], torch.cat([g["features"] for g in per_sample]), atol=1e-12, rtol=0)


def test_one_transpilation_per_structure() -> None:
    _, head = make_pair({}, n_qubits=2, n_layers=3)
    _, other_head = make_pair({}, n_qubits=2, n_layers=3)
    features = torch.randn(16, IN_FEATURES, dtype=torch.float64)

    head.expvals(features[:1])
    before = transpile_count()
    for size in (1, 5, 16, 3):
        head.expvals(features[:size]).sum().backward()
        other_head.expvals(features[:size]).sum().backward()

    assert transpile_count() == before


@pytest.mark.parametrize("batch_size", [1, 2, 7])
def test_any_batch_size(batch_size: int) -> None:
    reference, head = make_pair({})
    features = torch.randn(batch_size, IN_FEATURES, dtype=torch.float64)

    logits = head(features)

    assert logits.shape == (batch_size, N_CLASSES)
    torch.testing.assert_close(logits, reference(features), atol=EXACT_TOLERANCE, rtol=0)


def test_no_grad_runs_forward_bindings_only() -> None:
    _, head = make_pair({})
    features = torch.randn(4, IN_FEATURES, dtype=torch.float64)
    executor = head.engine.executor
    sizes: list[int] = []
    original_run = executor.run
    executor.run = lambda bindings: sizes.append(len(bindings)) or original_run(bindings)  # type: ignore[method-assign]

    with torch.no_grad():
        head(features)
    head(features).sum().backward()

    n_slots = head.engine.converted.n_slots
    assert sizes == [4, 4 * (1 + 2 * n_slots)]


def test_pickled_head_rebuilds_executor(tmp_path) -> None:
    _, head = make_pair({})
    features = torch.randn(2, IN_FEATURES, dtype=torch.float64)
    with torch.no_grad():
        expected = head(features)

    torch.save(head, tmp_path / "head.pt")
    loaded = torch.load(tmp_path / "head.pt", weights_only=False)

    with torch.no_grad():
        torch.testing.assert_close(loaded(features), expected, atol=0, rtol=0)
