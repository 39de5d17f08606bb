"""ISA transpilation: qubit-count check, observables that follow the layout, client-side variants."""

from __future__ import annotations

import numpy as np
import pennylane as qml
import pytest

from qhybrid.circuits import CircuitSpec
from qhybrid.engines import parameter_shift
from qhybrid.engines.conversion import convert
from qhybrid.engines.ibm import IBMExecutor
from qhybrid.exceptions import BackendError
from qhybrid.ibm.isa import ClientSteps, build_isa_program, noisy_gate_names
from qhybrid.mitigation import ZNE

pytest.importorskip("qiskit_ibm_runtime")
from qiskit_aer import AerSimulator  # noqa: E402
from qiskit_ibm_runtime.fake_provider import FakeManilaV2  # noqa: E402

SHOTS = 2048
EXACT_TOLERANCE = 1e-9
"""Basis states give <Z_i> = +-1 with every shot agreeing, so a noiseless simulation is exact."""

NOISY_READOUT_TOLERANCE = 0.1
"""fake_manila's readout errors reach p(0|1) = 0.12 on one of the chosen qubits; after
readout mitigation the remaining gate noise and shot noise stay well below this."""

# RY(pi) flips the wires where an angle is pi; with zero ansatz weights the CNOT ring of a
# strongly entangling layer permutes basis states, so each row gives <Z_i> = +-1 with a
# different sign pattern, e.g. |1000> -> |0111>, <Z> = (+1, -1, -1, -1).
BASIS_ANGLES = np.array([[np.pi, 0.0, 0.0, 0.0], [np.pi, 0.0, np.pi, 0.0], [0.0, np.pi, 0.0, 0.0]])


def exact_expvals(spec: CircuitSpec, angles: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """<Z_i> from PennyLane's default.qubit for each row of angles (B, n_qubits), shape (B, n_qubits)."""
    qnode = qml.QNode(spec.circuit, qml.device("default.qubit", wires=spec.n_qubits))
    return np.array([np.array(qnode(row, weights), dtype=np.float64) for row in np.atleast_2d(angles)])


def bindings_for(spec: CircuitSpec, angles: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Slot bindings (B, n_slots) for angle rows (B, n_qubits) and shared weights."""
    angles = np.atleast_2d(angles)
    leaves = np.concatenate([angles, np.repeat(weights.reshape(1, -1), len(angles), axis=0)], axis=1)
    return parameter_shift.slot_values(leaves, convert(spec).slot_leaf)


def noiseless_manila() -> AerSimulator:
    """An ideal simulator with fake_manila's coupling map and basis gates."""
    return AerSimulator.from_backend(FakeManilaV2(), noise_model=None)


def test_circuit_wider_than_backend_rejected() -> None:
    converted = convert(CircuitSpec(n_qubits=6, n_layers=1))
    with pytest.raises(BackendError, match="needs 6 qubits but backend 'fake_manila' has 5"):
        build_isa_program(converted, FakeManilaV2())


def test_layout_is_not_trivial() -> None:
    program = build_isa_program(convert(CircuitSpec(4, 1)), FakeManilaV2(), seed_transpiler=0)
    assert program.physical_qubits != (0, 1, 2, 3)
    assert len(set(program.physical_qubits)) == 4


def test_observables_follow_layout_exactly() -> None:
    spec = CircuitSpec(n_qubits=4, n_layers=1)
    weights = np.zeros(spec.weight_shape)
    expected = exact_expvals(spec, BASIS_ANGLES, weights)
    np.testing.assert_array_equal(np.abs(expected), 1.0)
    assert len({tuple(row) for row in expected}) == len(BASIS_ANGLES)

    executor = IBMExecutor(convert(spec), noiseless_manila(), shots=SHOTS, seed=0)
    values = executor.run(bindings_for(spec, BASIS_ANGLES, weights))

    np.testing.assert_allclose(values, expected, atol=EXACT_TOLERANCE)


def test_random_circuit_matches_exact_within_shot_noise() -> None:
    spec = CircuitSpec(n_qubits=4, n_layers=2)
    rng = np.random.default_rng(3)
    angles, weights = rng.uniform(-np.pi, np.pi, 4), rng.uniform(0, 2 * np.pi, spec.weight_shape)
    expected = exact_expvals(spec, angles, weights)

    executor = IBMExecutor(convert(spec), noiseless_manila(), shots=SHOTS, seed=1)
    values = executor.run(bindings_for(spec, angles, weights))

    np.testing.assert_allclose(values, expected, atol=5 / np.sqrt(SHOTS))


def test_fake_manila_readout_mitigation_recovers_basis_state() -> None:
    spec = CircuitSpec(n_qubits=4, n_layers=1)
    weights = np.zeros(spec.weight_shape)
    expected = exact_expvals(spec, BASIS_ANGLES, weights)
    bindings = bindings_for(spec, BASIS_ANGLES, weights)

    raw = IBMExecutor(convert(spec), "fake_manila", shots=8192, seed=0).run(bindings)
    mitigated_executor = IBMExecutor(convert(spec), "fake_manila", shots=8192, seed=0, mitigation={"readout": "matrix"})
    mitigated = mitigated_executor.run(bindings)

    assert np.abs(mitigated - expected).max() < NOISY_READOUT_TOLERANCE
    assert np.abs(mitigated - expected).mean() < np.abs(raw - expected).mean() / 2
    assert mitigated_executor.describe()["readout_error_rates"] is not None


def test_client_variants_are_scale_factor_major() -> None:
    steps = ClientSteps(zne=ZNE(scale_factors=(1.0, 3.0)), twirling_randomizations=2, seed=0)
    program = build_isa_program(convert(CircuitSpec(4, 1)), FakeManilaV2(), client=steps)

    assert program.circuits_per_binding == 4
    assert program.randomizations == 2
    assert program.scale_factors == pytest.approx((1.0, 3.0))
    two_qubit = [sum(1 for op in circuit.data if op.operation.num_qubits == 2) for circuit in program.circuits]
    assert two_qubit[2] == 3 * two_qubit[0]
    assert two_qubit[3] == 3 * two_qubit[1]


def test_client_variants_keep_exact_values() -> None:
    spec = CircuitSpec(n_qubits=4, n_layers=1)
    weights = np.zeros(spec.weight_shape)
    mitigation = {"zne": {"scale_factors": [1, 3], "extrapolation": "linear"}, "twirling": True,
                  "twirling_randomizations": 2, "dynamical_decoupling": "XX"}
    executor = IBMExecutor(convert(spec), noiseless_manila(), shots=SHOTS, seed=0, mitigation=mitigation)

    values = executor.run(bindings_for(spec, BASIS_ANGLES, weights))

    np.testing.assert_allclose(values, exact_expvals(spec, BASIS_ANGLES, weights), atol=EXACT_TOLERANCE)
    assert executor.program.circuits_per_binding == 4
    assert "delay" in executor.program.circuit.count_ops()


def test_noisy_gates_exclude_virtual_rz() -> None:
    noisy = noisy_gate_names(FakeManilaV2())
    assert {"sx", "x", "cx"} <= noisy
    assert "rz" not in noisy
    assert "measure" not in noisy
