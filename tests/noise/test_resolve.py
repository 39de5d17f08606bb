"""Resolving the noise option, readout errors, and noise really reaching the Aer engine."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from qiskit_aer.noise import NoiseModel, depolarizing_error

from qhybrid.engines import make_engine
from qhybrid.engines.aer import AerEngine
from qhybrid.engines.transpiled import transpile_count
from qhybrid.exceptions import BackendError, ConfigError
from qhybrid.heads import HeadConfig, QuantumHead
from qhybrid.noise import NoiseSpec, apply_readout_errors, readout_error_rates, resolve_noise

from .conftest import SPEC

NOISE_EFFECT_MIN = 1e-3
"""Smallest mean |noisy - ideal| that counts as noise having been applied; the specs below give about 0.05."""

EXACT_TOLERANCE = 1e-10
"""Density-matrix results and affine maps agree to floating-point precision."""


def test_resolve_none_is_none():
    assert resolve_noise(None) is None


def test_resolve_fake_backend_uses_its_target():
    resolved = resolve_noise("fake_manila")
    assert resolved.target_backend.name == "fake_manila"
    assert {"cx", "sx", "x"} <= resolved.noisy_gates
    assert "rz" in resolved.basis_gates
    assert "if_else" not in resolved.basis_gates  # control flow is no gate to transpile to


def test_resolve_spec_dict():
    resolved = resolve_noise({"depolarizing_2q": 0.01})
    assert resolved.target_backend is None
    assert resolved.noisy_gates == {"cx"}


def test_resolve_rejects_other_types():
    with pytest.raises(ConfigError, match="noise must be a fake backend name .* got int: 3"):
        resolve_noise(3)


def test_readout_rates_of_spec():
    model = NoiseSpec(readout_flip=0.1).to_noise_model()
    np.testing.assert_allclose(readout_error_rates(model, [0, 3]), [[0.1, 0.1], [0.1, 0.1]])


def test_readout_rates_of_fake_backend_per_qubit():
    rates = readout_error_rates(resolve_noise("fake_manila").noise_model, [0, 1, 2])
    assert rates.shape == (3, 2)
    assert (rates > 0).all()
    assert len(set(rates[:, 0])) > 1  # calibrated per qubit, not one shared value


def test_apply_readout_errors_known_answer():
    rates = np.array([[0.1, 0.1], [0.0, 0.2]])
    values = apply_readout_errors(np.array([[1.0, 1.0], [-1.0, -1.0]]), rates)
    # <Z> = 1 reads 1 - 2 P(1|0); <Z> = -1 reads -(1 - 2 P(0|1)).
    np.testing.assert_allclose(values, [[0.8, 1.0], [-0.8, -0.6]], atol=EXACT_TOLERANCE)


@pytest.mark.parametrize("noise", [NoiseSpec(depolarizing_1q=0.01, depolarizing_2q=0.05), "fake_manila"])
def test_noisy_differs_from_ideal(noise, angles, weights):
    ideal = AerEngine(SPEC).expvals(angles, weights)
    noisy = AerEngine(SPEC, noise=noise).expvals(angles, weights)
    assert float((noisy - ideal).abs().mean()) > NOISE_EFFECT_MIN


def test_gate_noise_alone_changes_results(angles, weights):
    # Readout-free spec: only depolarizing gate errors act, so they must reach the transpiled gates.
    ideal = AerEngine(SPEC).expvals(angles, weights)
    noisy = AerEngine(SPEC, noise=NoiseSpec(depolarizing_2q=0.05)).expvals(angles, weights)
    assert float((noisy - ideal).abs().mean()) > NOISE_EFFECT_MIN


def test_exact_readout_noise_is_applied(angles, weights):
    ideal = AerEngine(SPEC).expvals(angles, weights)
    noisy = AerEngine(SPEC, noise=NoiseSpec(readout_flip=0.1)).expvals(angles, weights)
    torch.testing.assert_close(noisy, 0.8 * ideal, atol=EXACT_TOLERANCE, rtol=0)


def test_custom_noise_model_is_transpiled_to_its_basis(angles, weights):
    model = NoiseModel(basis_gates=["rz", "sx", "cx"])
    model.add_all_qubit_quantum_error(depolarizing_error(0.05, 1), ["sx"])
    engine = AerEngine(SPEC, noise=model)
    gates = set(engine.executor.transpiled.circuit.count_ops()) - {"save_probabilities"}
    assert gates <= {"rz", "sx", "cx"}
    ideal = AerEngine(SPEC).expvals(angles, weights)
    assert float((engine.expvals(angles, weights) - ideal).abs().mean()) > NOISE_EFFECT_MIN


def test_transpile_cache_key_includes_noise_basis():
    # A structure no other test uses, so the cache state of earlier tests does not matter.
    from qhybrid.circuits import CircuitSpec

    spec = CircuitSpec(n_qubits=3, n_layers=1, ansatz="hardware_efficient")
    before = transpile_count()
    AerEngine(spec).executor
    AerEngine(spec, noise=NoiseSpec(depolarizing_2q=0.01)).executor
    AerEngine(spec, noise=NoiseSpec(depolarizing_2q=0.02)).executor  # same basis: cached
    assert transpile_count() - before == 2


def test_noise_and_noise_model_together_rejected():
    with pytest.raises(ConfigError, match="pass either noise or noise_model, not both"):
        AerEngine(SPEC, noise="fake_manila", noise_model=NoiseModel())


def test_unknown_backend_fails_when_head_is_built():
    with pytest.raises(BackendError, match="Unknown fake backend 'fake_nowhere'"):
        QuantumHead(3, 2, n_qubits=2, n_layers=1, backend="aer", noise="fake_nowhere")


def test_pennylane_backend_rejects_noise():
    with pytest.raises(BackendError, match="noise and mitigation need backend='aer'"):
        make_engine(SPEC, "default.qubit", options={"noise": "fake_manila"})


def test_pennylane_backend_accepts_noise_none():
    assert make_engine(SPEC, "default.qubit", options={"noise": None, "mitigation": None}).name == "default.qubit"


def test_head_config_rejects_noise_model_object():
    with pytest.raises(ConfigError, match="noise must be a fake backend name .* got NoiseModel"):
        HeadConfig(name="quantum", kind="quantum", backend="aer", noise=NoiseModel())


def test_head_config_rejects_noise_on_classical_head():
    with pytest.raises(ConfigError, match="only quantum heads take noise or mitigation"):
        HeadConfig(name="linear", kind="linear", noise="fake_manila")
