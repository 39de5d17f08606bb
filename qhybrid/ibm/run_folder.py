"""Read what ``qhybrid submit`` needs from a ``qhybrid run`` results folder.

A run folder ``OUT/<experiment>/`` contains ``config.json`` (the resolved
experiment config, with ``encoder`` and ``heads`` tables), ``label_map.json``
(``{label: class index}``), ``metrics.json`` (``results``: one dict per head
with ``head`` and ``test_accuracy``), ``heads/<head>/checkpoint.pt`` and
``features/test.pt`` (``{"features": (N, D) float, "labels": (N,) int64, "texts": [str]}``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from qhybrid.data import LabelMap
from qhybrid.exceptions import ConfigError, DataError, DataFileNotFoundError
from qhybrid.features import EncoderConfig


@dataclass(frozen=True)
class TestSplit:
    """Features of the samples to evaluate, with their labels when known."""

    features: torch.Tensor
    """Float features, shape (N, D)."""

    labels: torch.Tensor | None
    """Class indices, int64 of shape (N,), or None for unlabeled texts."""

    texts: list[str]
    """The N texts, for the per-sample predictions."""


@dataclass(frozen=True)
class RunFolder:
    """The parts of a run folder that a submission reads."""

    path: Path
    """The run folder, ``OUT/<experiment>/``."""

    config: dict[str, Any]
    """Parsed ``config.json``."""

    metrics: dict[str, Any]
    """Parsed ``metrics.json``, or an empty dict if the file is absent."""

    label_map: LabelMap | None
    """Parsed ``label_map.json``, or None if absent."""

    def quantum_heads(self) -> list[str]:
        """Return the names of the quantum heads, in the order of the experiment config."""
        heads = self.config.get("heads")
        if isinstance(heads, list) and heads:
            return [head["name"] for head in heads if isinstance(head, dict) and head.get("kind") == "quantum"]
        return [entry["head"] for entry in self.metrics.get("results", []) if entry.get("kind") == "quantum"]

    def choose_head(self, head: str | None) -> str:
        """Return ``head``, or the first quantum head when it is None.

        Raises:
            ConfigError: if the folder has no quantum head, or ``head`` has no checkpoint.
        """
        if head is None:
            quantum = self.quantum_heads()
            if not quantum:
                raise ConfigError(f"{self.path} has no quantum head in config.json or metrics.json; pass --head NAME.")
            head = quantum[0]
        if not self.checkpoint_path(head).is_file():
            available = sorted(path.parent.name for path in (self.path / "heads").glob("*/checkpoint.pt"))
            raise ConfigError(
                f"head {head!r} has no checkpoint at {self.checkpoint_path(head)}; heads with checkpoints: {available}."
            )
        return head

    def checkpoint_path(self, head: str) -> Path:
        """Return ``heads/<head>/checkpoint.pt``."""
        return self.path / "heads" / head / "checkpoint.pt"

    def reference_accuracy(self, head: str) -> float | None:
        """Return the head's test accuracy recorded by ``qhybrid run`` (its training backend), if any."""
        for entry in self.metrics.get("results", []):
            if entry.get("head") == head and entry.get("test_accuracy") is not None:
                return float(entry["test_accuracy"])
        return None

    def encoder_config(self) -> EncoderConfig:
        """Return the run's encoder configuration, for extracting features of new texts.

        Raises:
            ConfigError: if ``config.json`` has no ``encoder`` table.
        """
        encoder = self.config.get("encoder")
        if not isinstance(encoder, dict):
            raise ConfigError(f"{self.path / 'config.json'} has no 'encoder' table; --texts needs the run's encoder config.")
        return EncoderConfig.from_dict(encoder)

    def test_split(self) -> TestSplit:
        """Load ``features/test.pt``.

        Raises:
            DataFileNotFoundError: if the file is missing.
            DataError: if its contents do not have the documented keys, types and shapes.
        """
        path = self.path / "features" / "test.pt"
        if not path.is_file():
            raise DataFileNotFoundError(f"{path} not found; rerun `qhybrid run` or pass --texts FILE.")
        data = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(data, dict):
            raise DataError(f"{path}: expected a dict with 'features', 'labels' and 'texts', got {type(data).__name__}.")
        features, labels = data.get("features"), data.get("labels")
        if not isinstance(features, torch.Tensor) or features.ndim != 2 or not features.is_floating_point():
            raise DataError(f"{path}: 'features' must be a float tensor of shape (N, D).")
        if not isinstance(labels, torch.Tensor) or labels.shape != (features.shape[0],) or labels.dtype != torch.int64:
            raise DataError(f"{path}: 'labels' must be an int64 tensor of shape ({features.shape[0]},).")
        texts = list(data.get("texts") or [""] * features.shape[0])
        return TestSplit(features=features, labels=labels, texts=texts)


def open_run_folder(path: str | os.PathLike[str]) -> RunFolder:
    """Read ``config.json``, ``metrics.json`` and ``label_map.json`` of a run folder.

    Raises:
        DataFileNotFoundError: if the folder or its ``config.json`` is missing.
        DataError: if a JSON file is invalid.
    """
    path = Path(path)
    if not (path / "config.json").is_file():
        raise DataFileNotFoundError(
            f"{path / 'config.json'} not found; pass a folder written by `qhybrid run`, e.g. runs/<experiment>."
        )
    config = _read_json(path / "config.json")
    metrics = _read_json(path / "metrics.json") if (path / "metrics.json").is_file() else {}
    label_map = None
    if (path / "label_map.json").is_file():
        label_map = LabelMap.from_dict(_read_json(path / "label_map.json"))
    return RunFolder(path=path, config=config, metrics=metrics, label_map=label_map)


def read_texts(path: str | os.PathLike[str]) -> list[str]:
    """Read one text per line, skipping blank lines.

    Raises:
        DataFileNotFoundError: if the file is missing.
        DataError: if it has no non-blank line.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileNotFoundError(f"texts file {path} not found; pass a UTF-8 file with one text per line.")
    texts = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not texts:
        raise DataError(f"texts file {path} has no non-blank line; put one text per line.")
    return texts


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise DataError(f"{path}: invalid JSON ({error}).") from error
