"""Readout mitigation: the known answer of a flip probability 0.1 on |0>."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from qhybrid.circuits import CircuitSpec
from qhybrid.engines.aer import AerEngine
from qhybrid.exceptions import BackendError, ConfigError
from qhybrid.mitigation import Mitigation
from qhybrid.mitigation.readout import ReadoutCalibration
from qhybrid.noise import NoiseSpec, apply_readout_errors

SHOTS = 8192
FLIP = 0.1
RAW_EXPECTED = 1 - 2 * FLIP
"""<Z> that a flip probability 0.1 reports for |0>."""

SHOT_SIGMA = math.sqrt(1 - RAW_EXPECTED**2) / math.sqrt(SHOTS)
"""Standard deviation of a measured <Z> = 0.8 from SHOTS shots (about 0.0066)."""

MITIGATED_TOLERANCE = 5 / math.sqrt(SHOTS)
"""Bound on |mitigated - 1|: shot noise of the run and of the calibration, amplified by 1 / 0.8."""

SPEC = CircuitSpec(n_qubits=2, n_layers=1)


def _zero_state_inputs() -> tuple[torch.Tensor, torch.Tensor]:
    # All rotations 0: every gate is the identity on |00>, so the ideal <Z_i> is 1.
    return torch.zeros(4, SPEC.n_qubits, dtype=torch.float64), torch.zeros(SPEC.weight_shape, dtype=torch.float64)


@pytest.mark.parametrize("method", ["matrix", "mthree"])
def test_readout_known_answer_with_shots(method):
    angles, weights = _zero_state_inputs()
    noise = NoiseSpec(readout_flip=FLIP)
    raw = AerEngine(SPEC, shots=SHOTS, seed=0, noise=noise).expvals(angles, weights)
    mitigated = AerEngine(SPEC, shots=SHOTS, seed=0, noise=noise, mitigation=Mitigation(readout=method))
    values = mitigated.expvals(angles, weights)

    assert float((raw - RAW_EXPECTED).abs().max()) < 5 * SHOT_SIGMA
    assert float((values - 1.0).abs().max()) < MITIGATED_TOLERANCE


def test_readout_known_answer_exact():
    angles, weights = _zero_state_inputs()
    engine = AerEngine(SPEC, noise=NoiseSpec(readout_flip=FLIP), mitigation=Mitigation(readout="matrix"))
    raw = AerEngine(SPEC, noise=NoiseSpec(readout_flip=FLIP)).expvals(angles, weights)
    torch.testing.assert_close(raw, torch.full_like(raw, RAW_EXPECTED))
    # Only the calibration, with readout_shots shots, is random here.
    assert float((engine.expvals(angles, weights) - 1.0).abs().max()) < MITIGATED_TOLERANCE


def test_calibration_inverts_readout_errors():
    rates = np.array([[0.1, 0.2], [0.05, 0.0]])
    ideal = np.array([[1.0, 0.3], [-1.0, -0.4]])
    measured = apply_readout_errors(ideal, rates)
    np.testing.assert_allclose(ReadoutCalibration(rates).correct(measured), ideal, atol=1e-12)


def test_calibration_rejects_uninvertible_readout():
    with pytest.raises(BackendError, match=r"contrast of 0\.020 < 0\.05, too little to invert"):
        ReadoutCalibration(np.array([[0.49, 0.49]]))


def test_mthree_needs_shots():
    with pytest.raises(ConfigError, match="readout='mthree' corrects measured counts and needs shots"):
        AerEngine(SPEC, noise=NoiseSpec(readout_flip=FLIP), mitigation=Mitigation(readout="mthree")).executor
