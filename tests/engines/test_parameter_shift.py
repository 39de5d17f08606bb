"""Binding layout and Jacobian reduction of the shared parameter-shift code."""

from __future__ import annotations

import numpy as np
import pytest

from qhybrid.circuits import CircuitSpec
from qhybrid.engines import parameter_shift
from qhybrid.engines.conversion import convert
from qhybrid.exceptions import BackendError


def test_shift_bindings_layout() -> None:
    values = np.array([[0.1, 0.2], [0.3, 0.4]])

    bindings = parameter_shift.shift_bindings(values, with_gradient=True)

    assert bindings.shape == (2 * (1 + 2 * 2), 2)
    np.testing.assert_array_equal(bindings[:2], values)
    np.testing.assert_allclose(bindings[2], [0.1 + np.pi / 2, 0.2])  # sample 0, slot 0, +shift
    np.testing.assert_allclose(bindings[5], [0.3, 0.4 + np.pi / 2])  # sample 1, slot 1, +shift
    np.testing.assert_allclose(bindings[6], [0.1 - np.pi / 2, 0.2])  # sample 0, slot 0, -shift


def test_shift_rule_on_cosine() -> None:
    # <Z> after RY(theta) is cos(theta); the shift rule must give -sin(theta) exactly.
    theta = np.array([[0.3], [1.7]])
    bindings = parameter_shift.shift_bindings(theta, with_gradient=True)

    expvals, jacobian = parameter_shift.split_results(np.cos(bindings), 2, 1, with_gradient=True)

    np.testing.assert_allclose(expvals[:, 0], np.cos(theta[:, 0]))
    np.testing.assert_allclose(jacobian[:, 0, 0], -np.sin(theta[:, 0]), atol=1e-15)


def test_leaf_jacobian_sums_shared_leaves() -> None:
    slot_jacobian = np.arange(2 * 3 * 1, dtype=float).reshape(2, 3, 1)
    slot_leaf = np.array([0, 1, 0])

    jacobian = parameter_shift.leaf_jacobian(slot_jacobian, slot_leaf, n_leaves=2)

    np.testing.assert_array_equal(jacobian[:, 0, 0], slot_jacobian[:, 0, 0] + slot_jacobian[:, 2, 0])
    np.testing.assert_array_equal(jacobian[:, 1, 0], slot_jacobian[:, 1, 0])


@pytest.mark.parametrize("ansatz", ["strongly_entangling", "hardware_efficient"])
def test_conversion_uses_every_leaf_once(ansatz: str) -> None:
    spec = CircuitSpec(3, 2, ansatz=ansatz)

    converted = convert(spec)

    assert sorted(converted.slot_leaf.tolist()) == list(range(spec.n_qubits + spec.n_weights))
    assert converted.circuit.num_parameters == converted.n_slots


def test_conversion_rejects_computed_angles(monkeypatch: pytest.MonkeyPatch) -> None:
    from qhybrid.engines import conversion

    def doubled_embedding(angles, wires):
        import pennylane as qml

        for i, wire in enumerate(wires):
            qml.RY(2 * angles[i], wires=wire)

    monkeypatch.setitem(conversion.CircuitSpec.__dict__["apply"].__globals__["EMBEDDINGS"], "doubled", doubled_embedding)
    with pytest.raises(BackendError, match="not a single input or weight"):
        conversion.convert.__wrapped__(CircuitSpec(2, 1, embedding="doubled"))
