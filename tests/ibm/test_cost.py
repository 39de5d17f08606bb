"""The QPU-time estimate: its formula on known numbers, and circuit durations from the target."""

from __future__ import annotations

import pytest

from qhybrid.circuits import CircuitSpec
from qhybrid.engines.conversion import convert
from qhybrid.ibm.cost import JOB_OVERHEAD_SECONDS, circuit_duration_seconds, estimate_qpu_seconds, rep_delay_seconds
from qhybrid.ibm.isa import build_isa_program

pytest.importorskip("qiskit_ibm_runtime")
from qiskit_aer import AerSimulator  # noqa: E402
from qiskit_ibm_runtime.fake_provider import FakeManilaV2  # noqa: E402

RELATIVE_TOLERANCE = 1e-12


def test_estimate_formula() -> None:
    estimate = estimate_qpu_seconds(n_jobs=2, n_bindings=10, shots=1000, circuit_seconds=[1e-5], rep_delay=2.5e-4)
    expected = 2 * JOB_OVERHEAD_SECONDS + 10 * 1000 * (2.5e-4 + 1e-5)
    assert estimate.seconds == pytest.approx(expected, rel=RELATIVE_TOLERANCE)
    assert estimate.to_dict()["kind"] == "estimate"


def test_estimate_scales_duration_by_noise_factor() -> None:
    estimate = estimate_qpu_seconds(1, 1, 100, circuit_seconds=[1e-5], rep_delay=0.0, noise_factors=(1.0, 3.0))
    assert estimate.seconds == pytest.approx(JOB_OVERHEAD_SECONDS + 100 * 4e-5, rel=RELATIVE_TOLERANCE)


def test_missing_duration_counts_as_zero() -> None:
    estimate = estimate_qpu_seconds(1, 4, 100, circuit_seconds=[None, 1e-5], rep_delay=1e-4)
    assert estimate.circuit_seconds is None
    assert estimate.seconds == pytest.approx(JOB_OVERHEAD_SECONDS + 4 * 100 * (2e-4 + 1e-5), rel=RELATIVE_TOLERANCE)


def test_manila_duration_includes_measurement() -> None:
    backend = FakeManilaV2()
    program = build_isa_program(convert(CircuitSpec(4, 1)), backend)
    duration = circuit_duration_seconds(program.circuit, backend.target, program.physical_qubits)
    measure = backend.target["measure"][(program.physical_qubits[0],)].duration
    assert duration > measure
    assert rep_delay_seconds(backend) == pytest.approx(250e-6)


def test_target_without_durations_gives_none() -> None:
    program = build_isa_program(convert(CircuitSpec(2, 1)), AerSimulator())
    assert circuit_duration_seconds(program.circuit, AerSimulator().target, program.physical_qubits) is None
