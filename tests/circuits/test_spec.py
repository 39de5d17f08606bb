"""Known-answer tests of CircuitSpec against state vectors computed by hand in numpy.

Wire 0 is the most significant qubit, as in PennyLane, so a gate U on wire 0 of
two qubits is ``kron(U, I)``.
"""

from __future__ import annotations

import re

import numpy as np
import pennylane as qml
import pytest

from qhybrid.circuits import ANSATZE, EMBEDDINGS, CircuitSpec
from qhybrid.exceptions import BackendError, ConfigError

EXPVAL_ATOL = 1e-10
"""default.qubit and these tests both compute in complex128, so <Z> agrees to rounding."""

I2 = np.eye(2, dtype=complex)
Z = np.diag([1.0, -1.0]).astype(complex)
CNOT_01 = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]], dtype=complex)
"""CNOT with control wire 0 and target wire 1."""
CNOT_10 = np.array([[1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0]], dtype=complex)
"""CNOT with control wire 1 and target wire 0."""


def ry(angle: float) -> np.ndarray:
    c, s = np.cos(angle / 2), np.sin(angle / 2)
    return np.array([[c, -s], [s, c]], dtype=complex)


def rx(angle: float) -> np.ndarray:
    c, s = np.cos(angle / 2), np.sin(angle / 2)
    return np.array([[c, -1j * s], [-1j * s, c]], dtype=complex)


def rz(angle: float) -> np.ndarray:
    return np.diag([np.exp(-0.5j * angle), np.exp(0.5j * angle)])


def rot(phi: float, theta: float, omega: float) -> np.ndarray:
    """PennyLane's Rot(phi, theta, omega) = RZ(omega) RY(theta) RZ(phi)."""
    return rz(omega) @ ry(theta) @ rz(phi)


def expval_z(state: np.ndarray, wire: int, n_qubits: int) -> float:
    """<Z> on ``wire`` of a normalized state vector of ``n_qubits`` qubits."""
    factors = [Z if w == wire else I2 for w in range(n_qubits)]
    observable = factors[0]
    for factor in factors[1:]:
        observable = np.kron(observable, factor)
    return float(np.real(state.conj() @ observable @ state))


def zero_state(n_qubits: int) -> np.ndarray:
    state = np.zeros(2**n_qubits, dtype=complex)
    state[0] = 1.0
    return state


def run_spec(spec: CircuitSpec, angles, weights) -> np.ndarray:
    """Run ``spec`` exactly on default.qubit; return <Z_i> of shape (n_qubits,) or (batch, n_qubits)."""
    qnode = qml.QNode(spec.circuit, qml.device("default.qubit", wires=spec.n_qubits))
    return np.stack([np.asarray(value) for value in qnode(angles, weights)], axis=-1)


@pytest.mark.parametrize(("embedding", "embed_gate"), [("angle", ry), ("angle_x", rx)])
def test_one_qubit_strongly_entangling(embedding, embed_gate):
    spec = CircuitSpec(n_qubits=1, n_layers=1, embedding=embedding)
    angle, (phi, theta, omega) = 0.7, (0.3, -1.1, 2.0)
    weights = np.array([[[phi, theta, omega]]])

    state = rot(phi, theta, omega) @ embed_gate(angle) @ zero_state(1)

    assert run_spec(spec, np.array([angle]), weights)[0] == pytest.approx(expval_z(state, 0, 1), abs=EXPVAL_ATOL)


def test_one_qubit_closed_form():
    # RY(a) puts the Bloch vector at (sin a, 0, cos a). RZ(phi) turns it about z, RY(theta)
    # about y, and RZ(omega) leaves <Z> alone, so <Z> = cos a cos theta - sin a cos phi sin theta.
    spec = CircuitSpec(n_qubits=1, n_layers=1)
    angle, phi, theta, omega = 0.7, 0.3, -1.1, 2.0
    expected = np.cos(angle) * np.cos(theta) - np.sin(angle) * np.cos(phi) * np.sin(theta)

    value = run_spec(spec, np.array([angle]), np.array([[[phi, theta, omega]]]))[0]

    assert value == pytest.approx(expected, abs=EXPVAL_ATOL)


def test_two_qubit_hardware_efficient():
    spec = CircuitSpec(n_qubits=2, n_layers=2, ansatz="hardware_efficient")
    rng = np.random.default_rng(0)
    angles = rng.uniform(-np.pi, np.pi, size=2)
    weights = rng.uniform(0, 2 * np.pi, size=spec.weight_shape)

    state = np.kron(ry(angles[0]), ry(angles[1])) @ zero_state(2)
    for layer in weights:
        rotations = [rz(layer[i, 1]) @ ry(layer[i, 0]) for i in range(2)]
        state = CNOT_01 @ np.kron(rotations[0], rotations[1]) @ state
    expected = [expval_z(state, wire, 2) for wire in range(2)]

    np.testing.assert_allclose(run_spec(spec, angles, weights), expected, atol=EXPVAL_ATOL, rtol=0)


def test_two_qubit_strongly_entangling():
    # With 2 wires every layer's CNOT ring has range 1: CNOT(0, 1) then CNOT(1, 0).
    spec = CircuitSpec(n_qubits=2, n_layers=1)
    rng = np.random.default_rng(1)
    angles = rng.uniform(-np.pi, np.pi, size=2)
    weights = rng.uniform(0, 2 * np.pi, size=spec.weight_shape)

    state = np.kron(ry(angles[0]), ry(angles[1])) @ zero_state(2)
    state = CNOT_10 @ CNOT_01 @ np.kron(rot(*weights[0, 0]), rot(*weights[0, 1])) @ state
    expected = [expval_z(state, wire, 2) for wire in range(2)]

    np.testing.assert_allclose(run_spec(spec, angles, weights), expected, atol=EXPVAL_ATOL, rtol=0)


def test_batched_angles_match_rows():
    spec = CircuitSpec(n_qubits=2, n_layers=1, ansatz="hardware_efficient")
    rng = np.random.default_rng(2)
    angles = rng.uniform(-np.pi, np.pi, size=(3, 2))
    weights = rng.uniform(0, 2 * np.pi, size=spec.weight_shape)

    batched = run_spec(spec, angles, weights)

    assert batched.shape == (3, 2)
    for row, expected in zip(angles, batched):
        np.testing.assert_allclose(run_spec(spec, row, weights), expected, atol=EXPVAL_ATOL, rtol=0)


@pytest.mark.parametrize(
    ("ansatz", "shape"), [("strongly_entangling", (3, 4, 3)), ("hardware_efficient", (3, 4, 2))]
)
def test_weight_shape(ansatz, shape):
    spec = CircuitSpec(n_qubits=4, n_layers=3, ansatz=ansatz)
    assert spec.weight_shape == shape
    assert spec.n_weights == int(np.prod(shape))


def test_unknown_ansatz_lists_valid_names():
    message = f"Unknown ansatz 'qaoa'; choose one of {sorted(ANSATZE)}"
    with pytest.raises(BackendError, match=re.escape(message)):
        CircuitSpec(n_qubits=2, n_layers=1, ansatz="qaoa")


def test_unknown_embedding_lists_valid_names():
    message = f"Unknown embedding 'amplitude'; choose one of {sorted(EMBEDDINGS)}"
    with pytest.raises(BackendError, match=re.escape(message)):
        CircuitSpec(n_qubits=2, n_layers=1, embedding="amplitude")


@pytest.mark.parametrize(
    ("n_qubits", "n_layers", "message"),
    [
        (0, 1, "n_qubits must be a positive integer, got 0"),
        (2.0, 1, "n_qubits must be a positive integer, got 2.0"),
        (2, 0, "n_layers must be a positive integer, got 0"),
    ],
)
def test_invalid_size_raises_config_error(n_qubits, n_layers, message):
    with pytest.raises(ConfigError, match=message):
        CircuitSpec(n_qubits=n_qubits, n_layers=n_layers)
