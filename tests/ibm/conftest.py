"""Fixtures for the IBM tests: isolated credentials and a small trained run folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from qhybrid.data import LabelMap
from qhybrid.heads import HeadConfig, QuantumHead, save_checkpoint
from qhybrid.train import TrainConfig, evaluate, train_head

IBM_ENV = ("QISKIT_IBM_TOKEN", "QISKIT_IBM_INSTANCE", "QISKIT_IBM_CHANNEL", "QISKIT_IBM_URL")
IN_FEATURES = 8
N_TEST = 40
HEAD_NAME = "quantum_small"


@pytest.fixture(autouse=True)
def isolated_ibm_account(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the IBM credentials at an empty temporary folder, so no real account is ever read."""
    for name in IBM_ENV:
        monkeypatch.delenv(name, raising=False)
    account_file = tmp_path_factory.mktemp("qiskit") / "qiskit-ibm.json"
    management = pytest.importorskip("qiskit_ibm_runtime.accounts.management")
    monkeypatch.setattr(management, "_DEFAULT_ACCOUNT_CONFIG_JSON_FILE", str(account_file))
    return account_file


def make_dataset(n_samples: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Two Gaussian clusters in IN_FEATURES dimensions, separated along every axis."""
    generator = torch.Generator().manual_seed(seed)
    labels = torch.arange(n_samples) % 2
    centers = (2.0 * labels.float() - 1.0)[:, None] * torch.ones(1, IN_FEATURES)  # (N, D)
    features = centers + 1.2 * torch.randn(n_samples, IN_FEATURES, generator=generator)
    return features, labels.long()


def write_run_folder(path: Path, head: QuantumHead, config: HeadConfig, test_accuracy: float | None) -> Path:
    """Write the files of a `qhybrid run` folder that `qhybrid submit` reads."""
    save_checkpoint(path / "heads" / config.name / "checkpoint.pt", head, config, IN_FEATURES, 2)
    label_map = LabelMap(labels=("negative", "positive"))
    (path / "label_map.json").write_text(json.dumps(label_map.to_dict()))
    heads = [config.to_dict(), {"name": "linear", "kind": "linear"}]
    (path / "config.json").write_text(json.dumps({"name": "synthetic", "seed": 0, "heads": heads}))
    results = [{"head": config.name, "kind": "quantum", "backend": config.backend, "test_accuracy": test_accuracy}]
    (path / "metrics.json").write_text(json.dumps({"experiment": "synthetic", "results": results}))
    features, labels = make_dataset(N_TEST, seed=2)
    (path / "features").mkdir(parents=True, exist_ok=True)
    texts = [f"text {index}" for index in range(N_TEST)]
    torch.save({"features": features, "labels": labels, "texts": texts}, path / "features" / "test.pt")
    return path


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run folder with a 4-qubit, 1-layer quantum head trained on two Gaussian clusters.

    Tests copy it before writing into it.
    """
    config = HeadConfig(name=HEAD_NAME, kind="quantum", n_qubits=4, n_layers=1)
    head = QuantumHead(IN_FEATURES, 2, n_qubits=4, n_layers=1, seed=0)
    train_x, train_y = make_dataset(64, seed=0)
    val_x, val_y = make_dataset(32, seed=1)
    train_head(head, train_x, train_y, val_x, val_y, TrainConfig(epochs=8, batch_size=16, learning_rate=0.05), seed=0, progress=False)
    test_x, test_y = make_dataset(N_TEST, seed=2)
    accuracy = evaluate(head, test_x, test_y)["accuracy"]
    return write_run_folder(tmp_path_factory.mktemp("run") / "synthetic", head, config, accuracy)
