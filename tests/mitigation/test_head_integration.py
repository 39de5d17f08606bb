"""Noise and mitigation on quantum heads: config round trips, checkpoints, noise-aware training."""

from __future__ import annotations

import torch

from qhybrid.heads import HeadConfig, QuantumHead, build_head, load_checkpoint, save_checkpoint
from qhybrid.mitigation import ZNE, Mitigation
from qhybrid.noise import NoiseSpec
from qhybrid.train import TrainConfig, train_head

IN_FEATURES = 3
N_CLASSES = 2
NOISE_TABLE = {"depolarizing_1q": 0.002, "depolarizing_2q": 0.02, "readout_flip": 0.03}
MITIGATION_TABLE = {"readout": "matrix", "zne": {"scale_factors": [1, 3], "extrapolation": "linear"}}
EXACT_TOLERANCE = 1e-10


def _config(**fields) -> HeadConfig:
    return HeadConfig.from_dict(
        {"name": "quantum", "kind": "quantum", "n_qubits": 2, "n_layers": 1, "backend": "aer", **fields}
    )


def test_head_config_converts_tables():
    config = _config(noise=NOISE_TABLE, mitigation=MITIGATION_TABLE)
    assert config.noise == NoiseSpec(**NOISE_TABLE)
    assert config.mitigation == Mitigation(readout="matrix", zne=ZNE(scale_factors=(1.0, 3.0), extrapolation="linear"))


def test_head_config_dict_round_trip():
    config = _config(noise=NOISE_TABLE, mitigation=MITIGATION_TABLE)
    data = config.to_dict()
    assert data["noise"] == NOISE_TABLE
    assert data["mitigation"]["zne"]["scale_factors"] == [1.0, 3.0]
    assert HeadConfig.from_dict(data) == config


def test_head_config_keeps_backend_name():
    config = _config(noise="fake_manila")
    assert HeadConfig.from_dict(config.to_dict()).noise == "fake_manila"


def test_build_head_passes_noise_to_engine():
    head = build_head(_config(noise=NOISE_TABLE, mitigation=MITIGATION_TABLE), IN_FEATURES, N_CLASSES, seed=0)
    assert head.engine.describe()["noise"].startswith("NoiseSpec(")
    assert head.engine.describe()["circuits_per_binding"] == 2


def _data(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    features = torch.randn(n, IN_FEATURES, generator=generator, dtype=torch.float64)
    return features, (features[:, 0] > 0).long()


def test_noise_aware_training_then_three_evaluations(tmp_path):
    config = _config(noise=NOISE_TABLE, mitigation=MITIGATION_TABLE)
    head = build_head(config, IN_FEATURES, N_CLASSES, seed=0).double()
    train_x, train_y = _data(12, seed=0)
    val_x, val_y = _data(6, seed=1)
    before = head.weights.detach().clone()
    result = train_head(head, train_x, train_y, val_x, val_y, TrainConfig(epochs=2, batch_size=6), seed=0,
                        progress=False)
    assert all(torch.isfinite(torch.tensor(record["train_loss"])) for record in result.history)
    assert not torch.equal(head.weights.detach(), before)

    path = tmp_path / "head.pt"
    save_checkpoint(path, head, config, IN_FEATURES, N_CLASSES)
    ideal, ideal_config, _ = load_checkpoint(path, overrides={"noise": None, "mitigation": None})
    noisy, _, _ = load_checkpoint(path, overrides={"mitigation": None})
    mitigated, mitigated_config, _ = load_checkpoint(path)

    assert ideal_config.noise is None
    assert mitigated_config == config
    features = val_x.float()
    with torch.no_grad():
        outputs = [model.expvals(features) for model in (ideal, noisy, mitigated)]
    noisy_error = float((outputs[1] - outputs[0]).abs().mean())
    mitigated_error = float((outputs[2] - outputs[0]).abs().mean())
    assert mitigated_error < noisy_error


def test_quantum_head_noise_keywords():
    head = QuantumHead(IN_FEATURES, N_CLASSES, n_qubits=2, n_layers=1, backend="aer", seed=0,
                       noise=NoiseSpec(depolarizing_2q=0.02), mitigation=Mitigation(zne=ZNE()))
    ideal = QuantumHead(IN_FEATURES, N_CLASSES, n_qubits=2, n_layers=1, backend="aer", seed=0)
    features = _data(4, seed=2)[0].float()
    with torch.no_grad():
        assert not torch.allclose(head(features), ideal(features), atol=EXACT_TOLERANCE)
