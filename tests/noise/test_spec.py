"""NoiseSpec: validation, dict round trips, scaling and the noise model it builds."""

from __future__ import annotations

import pytest

from qhybrid.exceptions import ConfigError
from qhybrid.noise import NoiseSpec


def test_spec_round_trip():
    spec = NoiseSpec(depolarizing_1q=0.001, depolarizing_2q=0.01, readout_flip=0.02)
    assert NoiseSpec.from_dict(spec.to_dict()) == spec


@pytest.mark.parametrize("field", ["depolarizing_1q", "depolarizing_2q", "readout_flip"])
@pytest.mark.parametrize("value", [-0.1, 1.5, "0.1", True])
def test_spec_rejects_bad_probability(field, value):
    with pytest.raises(ConfigError, match=rf"NoiseSpec\.{field} must be a probability in \[0, 1\]"):
        NoiseSpec(**{field: value})


def test_spec_rejects_unknown_key():
    with pytest.raises(ConfigError, match=r"unknown noise spec key\(s\) \['depolarising_2q'\]; valid keys"):
        NoiseSpec.from_dict({"depolarising_2q": 0.01})


def test_spec_scaled_caps_at_one():
    spec = NoiseSpec(0.1, 0.3, 0.2).scaled(4.0)
    assert spec == NoiseSpec(0.4, 1.0, 0.8)


def test_spec_scaled_rejects_negative_factor():
    with pytest.raises(ConfigError, match="factor must be a finite number >= 0, got -1"):
        NoiseSpec(0.1).scaled(-1)


def test_noise_model_has_gate_and_readout_errors():
    model = NoiseSpec(depolarizing_1q=0.01, depolarizing_2q=0.02, readout_flip=0.1).to_noise_model()
    assert {"sx", "x", "cx", "measure"} <= set(model.noise_instructions)
    assert "rz" not in model.noise_instructions


def test_noiseless_spec_builds_empty_model():
    assert NoiseSpec().to_noise_model().is_ideal()
