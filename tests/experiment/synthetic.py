"""A tiny synthetic experiment: a TSV of food and IT sentences, and an encoder that needs no weights."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from qhybrid.features import EncoderConfig, encoder_identity

FAKE_DIM = 8
"""Width of the fake features."""

ROWS_PER_CLASS = 20
"""Rows of each class in the synthetic TSV."""


class FakeEncoder:
    """Stands in for FrozenEncoder: deterministic features whose first column carries the label.

    Column 0 is +1 for texts that contain "tasty" (label 1) and -1 otherwise. The other
    columns are noise seeded by the text's SHA-256, so equal texts get equal rows.
    """

    def __init__(self, config: EncoderConfig) -> None:
        self.config = config

    def identity(self) -> dict[str, Any]:
        return encoder_identity(self.config)

    def encode(self, texts: Sequence[str], progress: bool = True) -> torch.Tensor:
        rows = [self._row(text) for text in texts]
        return torch.stack(rows).to(torch.float32)  # (N, FAKE_DIM)

    def _row(self, text: str) -> torch.Tensor:
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
        row = 0.3 * torch.randn(FAKE_DIM, generator=torch.Generator().manual_seed(seed))
        row[0] = 1.0 if "tasty" in text else -1.0
        return row


def refuse_encoder(config: EncoderConfig) -> FakeEncoder:
    """An encoder factory for runs that must take every feature from the cache."""
    raise AssertionError(f"the encoder was built for {config}, but the features should come from the cache")


def write_synthetic_tsv(path: Path) -> Path:
    """Write ROWS_PER_CLASS food sentences (label 1) and as many IT sentences (label 0) as a TSV."""
    lines = []
    for index in range(ROWS_PER_CLASS):
        lines.append(f"cook {index} prepares tasty meal .\t1")
        lines.append(f"programmer {index} debugs useful software .\t0")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


SYNTHETIC_TOML = """\
# Synthetic food-vs-IT sentences, written by the tests.
name = "synthetic"
seed = 0

[data]
path = "synthetic/sentences.tsv"
format = "tsv"
split = [0.6, 0.2, 0.2]

[train]
epochs = 4
batch_size = 8
learning_rate = 0.05
patience = 0

[[heads]]
name = "quantum"
kind = "quantum"
n_qubits = 2
n_layers = 1

[[heads]]
name = "linear"
kind = "linear"

[[heads]]
name = "mlp_matched"
kind = "mlp"
match_parameters = "quantum"
"""
"""A small experiment over the synthetic TSV, with the data path relative to the data root."""


def write_synthetic_experiment(root: Path) -> tuple[Path, Path]:
    """Write the TSV under ``root/data`` and the experiment file; return ``(data_root, config_path)``."""
    data_root = root / "data"
    write_synthetic_tsv(data_root / "synthetic" / "sentences.tsv")
    config_path = root / "synthetic.toml"
    config_path.write_text(SYNTHETIC_TOML, encoding="utf-8")
    return data_root, config_path
