"""The mitigation pipeline: circuit variants, one Aer call per mini-batch, twirling and decoupling."""

from __future__ import annotations

import pytest
import torch
from qiskit.quantum_info import Operator

from qhybrid.circuits import CircuitSpec
from qhybrid.engines.aer import AerEngine
from qhybrid.exceptions import ConfigError
from qhybrid.mitigation import ZNE, Mitigation
from qhybrid.noise import NoiseSpec

from .conftest import SPEC

NOISE = NoiseSpec(depolarizing_1q=0.002, depolarizing_2q=0.02, readout_flip=0.02)
EXACT_TOLERANCE = 1e-10


def _count_runs(engine: AerEngine) -> list[int]:
    """Wrap the simulator's run method; the returned list gets the circuit count of each call."""
    simulator = engine.executor.simulator
    calls: list[int] = []
    run = simulator.run

    def counting_run(circuits, **options):
        calls.append(len(circuits))
        return run(circuits, **options)

    simulator.run = counting_run
    return calls


def _gates_only(circuit):
    """Return a copy without delays and save instructions, so Operator can build its matrix."""
    gates = circuit.copy_empty_like()
    for instruction in circuit.data:
        if instruction.operation.name not in ("delay", "save_probabilities"):
            gates.append(instruction)
    return gates


@pytest.mark.filterwarnings("ignore::qhybrid.exceptions.IllConditionedExtrapolationWarning")
def test_one_aer_call_per_training_batch(angles, weights):
    mitigation = Mitigation(readout="matrix", zne=ZNE(), twirling=True, twirling_randomizations=4)
    engine = AerEngine(SPEC, shots=128, seed=0, noise=NOISE, mitigation=mitigation)
    calls = _count_runs(engine)
    angles = angles.clone().requires_grad_(True)
    engine.expvals(angles, weights.clone().requires_grad_(True)).sum().backward()

    assert len(calls) == 1
    assert calls[0] == 3 * 4  # scale factors x randomizations, each circuit with all B * (1 + 2 S) bindings
    assert engine.executor.pipeline.shots_per_circuit == 32  # twirling keeps the shot budget


def test_twirled_copies_differ_but_agree_exactly_without_noise(angles, weights):
    engine = AerEngine(SPEC, seed=0, mitigation=Mitigation(twirling=True, twirling_randomizations=3))
    circuits = engine.executor.pipeline.circuits
    assert len({str(circuit) for circuit in circuits}) == 3
    torch.testing.assert_close(engine.expvals(angles, weights), AerEngine(SPEC).expvals(angles, weights),
                               atol=EXACT_TOLERANCE, rtol=0)


def test_twirling_is_seeded():
    first = AerEngine(SPEC, seed=3, noise=NOISE, mitigation=Mitigation(twirling=True, twirling_randomizations=2))
    second = AerEngine(SPEC, seed=3, noise=NOISE, mitigation=Mitigation(twirling=True, twirling_randomizations=2))
    assert [str(c) for c in first.executor.pipeline.circuits] == [str(c) for c in second.executor.pipeline.circuits]


@pytest.mark.parametrize("sequence", ["XX", "XY4"])
def test_dynamical_decoupling_pads_idle_windows(sequence):
    # 4 qubits on fake_manila's line need SWAPs, which leave qubits idle long enough for a sequence.
    spec = CircuitSpec(n_qubits=4, n_layers=1)
    engine = AerEngine(spec, seed=0, noise="fake_manila", mitigation=Mitigation(dynamical_decoupling=sequence))
    [circuit] = engine.executor.pipeline.circuits
    plain = engine.executor.transpiled.circuit
    values = torch.linspace(0.1, 2.0, circuit.num_parameters).numpy()
    assert circuit.count_ops().get("x", 0) > plain.count_ops().get("x", 0)
    assert "y" not in circuit.count_ops()  # Y pulses are written in the device basis
    unitary, reference = _gates_only(circuit), _gates_only(plain)
    assert Operator(unitary.assign_parameters(values)).equiv(Operator(reference.assign_parameters(values)))


def test_dynamical_decoupling_skips_unused_qubits():
    engine = AerEngine(SPEC, seed=0, noise="fake_brisbane", mitigation=Mitigation(dynamical_decoupling="XX"))
    assert engine.executor.simulated_qubits <= 4


def test_dynamical_decoupling_needs_durations():
    with pytest.raises(ConfigError, match="dynamical_decoupling='XX' needs gate durations"):
        AerEngine(SPEC, noise=NOISE, mitigation=Mitigation(dynamical_decoupling="XX")).executor


def test_describe_reports_mitigation():
    engine = AerEngine(SPEC, seed=0, noise=NOISE, mitigation={"zne": {"scale_factors": [1, 3]}})
    description = engine.describe()
    assert description["circuits_per_binding"] == 2
    assert description["realized_scale_factors"] == [1.0, 3.0]
    assert description["extrapolation_amplification"] == pytest.approx(2.0)


def test_inactive_mitigation_runs_plain_circuit():
    engine = AerEngine(SPEC, noise=NOISE, mitigation=Mitigation())
    assert engine.executor.pipeline is None


def test_bad_mitigation_type_rejected():
    with pytest.raises(ConfigError, match="mitigation must be a Mitigation, its dict, or None; got 'zne'"):
        AerEngine(SPEC, mitigation="zne")
