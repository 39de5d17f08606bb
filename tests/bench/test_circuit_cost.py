"""Transpiled circuit size and the QPU time estimate against hand computations on fake_manila."""

from __future__ import annotations

import pytest

from qhybrid.bench import estimate_circuit_cost
from qhybrid.circuits import CircuitSpec
from qhybrid.engines.conversion import convert
from qhybrid.exceptions import ConfigError
from qhybrid.ibm.cost import JOB_OVERHEAD_SECONDS
from qhybrid.ibm.isa import build_isa_program
from qhybrid.noise import fake_backend

SECONDS_TOLERANCE = 1e-12
"""The estimate is a sum of a few products of target durations, exact up to rounding."""

ONE_QUBIT = CircuitSpec(n_qubits=1, n_layers=1, ansatz="hardware_efficient")
"""RY(angle), RY(w0), RZ(w1) on one qubit: no two-qubit gate, every gate in sequence."""


@pytest.fixture(scope="module")
def manila():
    return fake_backend("fake_manila")


def hand_duration(backend, spec: CircuitSpec) -> float:
    """Sum the target durations of the ISA gates of a one-qubit circuit, then add the measurement."""
    program = build_isa_program(convert(spec), backend)
    (qubit,) = program.physical_qubits
    gates = sum(backend.target[instruction.operation.name][(qubit,)].duration for instruction in program.circuit.data)
    return gates + backend.target["measure"][(qubit,)].duration


def test_qpu_seconds_one_qubit(manila) -> None:
    duration = hand_duration(manila, ONE_QUBIT)
    rep_delay = manila.configuration().default_rep_delay

    cost = estimate_circuit_cost(ONE_QUBIT, manila, shots=1000, n_predictions=10)

    expected = 1 * JOB_OVERHEAD_SECONDS + 10 * 1000 * (rep_delay + duration)
    assert cost.qpu.seconds == pytest.approx(expected, abs=SECONDS_TOLERANCE)
    assert cost.qpu.circuit_seconds == pytest.approx(duration, abs=SECONDS_TOLERANCE)
    assert cost.two_qubit_gates == 0
    assert cost.shots_per_prediction == 1000


def test_qpu_seconds_with_zne_and_two_jobs(manila) -> None:
    duration = hand_duration(manila, ONE_QUBIT)
    rep_delay = manila.configuration().default_rep_delay

    # fake_manila allows 300 circuits per job; 3 circuits per prediction fit 100 predictions.
    cost = estimate_circuit_cost(ONE_QUBIT, manila, shots=100, n_predictions=101, scale_factors=(1.0, 3.0, 5.0))

    per_shot = sum(rep_delay + factor * duration for factor in (1.0, 3.0, 5.0))
    assert cost.qpu.n_jobs == 2
    assert cost.qpu.seconds == pytest.approx(2 * JOB_OVERHEAD_SECONDS + 101 * 100 * per_shot, abs=SECONDS_TOLERANCE)
    assert cost.circuits_per_prediction == 3
    assert cost.shots_per_prediction == 300


def test_two_qubit_gate_count(manila) -> None:
    # One CNOT between neighbouring qubits needs no routing, so one two-qubit gate remains.
    cost = estimate_circuit_cost(CircuitSpec(2, 1, ansatz="hardware_efficient"), manila, shots=10, n_predictions=1)

    assert cost.two_qubit_gates == 1
    assert cost.depth >= 4


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"shots": 0}, "shots must be a positive integer, got 0"),
        ({"n_predictions": 0}, "n_predictions must be a positive integer, got 0"),
        ({"scale_factors": ()}, "scale_factors must contain at least one factor"),
    ],
)
def test_estimate_rejects(manila, kwargs, message) -> None:
    arguments = {"shots": 10, "n_predictions": 1, **kwargs}
    with pytest.raises(ConfigError, match=message):
        estimate_circuit_cost(ONE_QUBIT, manila, **arguments)
