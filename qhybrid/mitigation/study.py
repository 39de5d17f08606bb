"""Noise and mitigation study: train a quantum head, then evaluate it ideal, noisy and mitigated.

The head trains as configured (usually exact, on ``default.qubit``) and is saved
as a checkpoint. Every evaluation rebuilds it from that checkpoint with
``load_checkpoint(path, overrides={"backend": "aer", "noise": ..., "mitigation": ...})``,
so the weights are identical and only the execution changes. Each setting runs on
the test split; the figures are accuracy and the mean absolute error of the
circuit's expvals <Z_i> against the exact noiseless values.

Run it with ``python experiments/noise_mc.py`` (see that file for options).
"""

from __future__ import annotations

import logging
import os
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from qhybrid.data import load_splits
from qhybrid.features import extract_features
from qhybrid.heads import build_head, load_checkpoint, save_checkpoint
from qhybrid.io import write_json_atomic
from qhybrid.mitigation.study_config import NoiseStudyConfig
from qhybrid.train import accuracy, train_head

logger = logging.getLogger(__name__)

ACCEPTANCE_RATIO = 0.5
"""The acceptance setting must reach at most this fraction of the unmitigated expvals error."""


@dataclass(frozen=True)
class _Split:
    features: torch.Tensor  # (N, in_features)
    labels: torch.Tensor  # (N,) int64


def run_noise_study(
    config: NoiseStudyConfig,
    output_dir: str | os.PathLike[str],
    data_root: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Train the head, evaluate every setting, and write ``results.json``, ``report.md`` and plots.

    Args:
        config: the study.
        output_dir: folder for ``head.pt``, ``results.json``, ``report.md`` and PNG plots.
        data_root: folder that the data paths are relative to; None reads QHYBRID_DATA_ROOT.
        cache_dir: feature cache folder, or None to encode every time.
        progress: show progress bars while encoding and training.

    Returns:
        The results, as written to ``results.json``.
    """
    from qhybrid.mitigation.study_report import write_report

    start = time.perf_counter()
    output = Path(output_dir)
    train, validation, test, n_classes = _load_data(config, data_root, cache_dir, progress)
    checkpoint = _train(config, train, validation, n_classes, output / "head.pt", progress)

    exact = {"backend": "aer", "shots": None, "noise": None, "mitigation": None}
    ideal = _evaluate(checkpoint, test, None, exact, config.seed)
    device = _device_settings(config, checkpoint, test, ideal)
    sweep = _sweep(config, checkpoint, test, ideal)

    results = {
        "config": config.to_dict(),
        "ideal": _public(ideal),
        "device": [_public(record) for record in device],
        "sweep": [_public(record) for record in sweep],
        "acceptance": _acceptance(config, device),
        "seconds": time.perf_counter() - start,
    }
    write_json_atomic(output / "results.json", results)
    write_report(results, output)
    logger.info("Study %s finished in %.0f s; results in %s", config.name, results["seconds"], output)
    return results


def _load_data(
    config: NoiseStudyConfig, data_root: Any, cache_dir: Any, progress: bool
) -> tuple[_Split, _Split, _Split, int]:
    splits = load_splits(config.data, data_root, seed=config.seed)
    parts = []
    for data in (splits.train, splits.validation, splits.test):
        features = extract_features(list(data.texts), config.encoder, cache_dir=cache_dir, progress=progress)
        labels = torch.tensor(splits.label_map.encode(data.labels), dtype=torch.int64)
        parts.append(_Split(features, labels))
    return parts[0], parts[1], parts[2], len(splits.label_map)


def _train(
    config: NoiseStudyConfig, train: _Split, validation: _Split, n_classes: int, path: Path, progress: bool
) -> Path:
    in_features = train.features.shape[1]
    head = build_head(config.head, in_features, n_classes, seed=config.seed)
    result = train_head(
        head, train.features, train.labels, validation.features, validation.labels,
        config.train, seed=config.seed, progress=progress,
    )
    save_checkpoint(path, head, config.head, in_features, n_classes, extra={"train": result.to_dict()})
    return path


def _evaluate(
    checkpoint: Path,
    test: _Split,
    ideal: dict[str, Any] | None,
    overrides: dict[str, Any],
    seed: int,
    name: str = "ideal",
) -> dict[str, Any]:
    """Rebuild the head with ``overrides`` and measure accuracy and expvals error on the test split."""
    start = time.perf_counter()
    head, _, _ = load_checkpoint(checkpoint, overrides=overrides)
    # load_checkpoint builds the head with seed=None; the engine reads its seed when it
    # first runs, so setting it here makes shot sampling and mitigation reproducible.
    head.engine.seed = seed
    head.eval()
    with warnings.catch_warnings(record=True) as caught, torch.no_grad():
        warnings.simplefilter("always")
        expvals = head.expvals(test.features)  # (N, n_qubits)
        logits = head.post(expvals)  # (N, n_classes)
    record: dict[str, Any] = {
        "name": name,
        "overrides": {key: _plain(value) for key, value in overrides.items()},
        "accuracy": accuracy(test.labels, logits.argmax(dim=1)),
        "n_samples": int(test.labels.shape[0]),
        "seconds": time.perf_counter() - start,
        "engine": head.engine.describe(),
        "warnings": sorted({str(w.message) for w in caught if "qhybrid" in type(w.message).__module__}),
        "_expvals": expvals,
    }
    if ideal is not None:
        record["expvals_mae"] = float((expvals - ideal["_expvals"]).abs().mean())
    logger.info("Evaluated %s: accuracy %.3f, expvals MAE %s (%.1f s)", name, record["accuracy"],
                record.get("expvals_mae"), record["seconds"])
    return record


def _device_settings(config: NoiseStudyConfig, checkpoint: Path, test: _Split, ideal: dict[str, Any]) -> list[dict[str, Any]]:
    study = config.study
    base = {"backend": "aer", "shots": study.shots, "noise": study.noise}
    records = [_evaluate(checkpoint, test, ideal, {**base, "mitigation": None}, config.seed, name="noisy")]
    for name, mitigation in study.mitigations.items():
        overrides = {**base, "mitigation": mitigation.to_dict()}
        records.append(_evaluate(checkpoint, test, ideal, overrides, config.seed, name=name))
    return records


def _sweep(config: NoiseStudyConfig, checkpoint: Path, test: _Split, ideal: dict[str, Any]) -> list[dict[str, Any]]:
    sweep = config.sweep
    records = []
    for strength in sweep.strengths:
        noise = sweep.base.scaled(strength).to_dict()
        base = {"backend": "aer", "shots": config.study.shots, "noise": noise}
        for label, mitigation in (("unmitigated", None), ("mitigated", sweep.mitigation.to_dict())):
            record = _evaluate(checkpoint, test, ideal, {**base, "mitigation": mitigation}, config.seed, name=label)
            record["strength"] = strength
            records.append(record)
    return records


def _acceptance(config: NoiseStudyConfig, device: list[dict[str, Any]]) -> dict[str, Any] | None:
    name = config.study.acceptance
    if name is None:
        return None
    noisy = next(record for record in device if record["name"] == "noisy")
    mitigated = next(record for record in device if record["name"] == name)
    ratio = mitigated["expvals_mae"] / noisy["expvals_mae"] if noisy["expvals_mae"] > 0 else float("nan")
    return {"setting": name, "ratio": ratio, "threshold": ACCEPTANCE_RATIO, "passed": bool(ratio <= ACCEPTANCE_RATIO)}


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if not key.startswith("_")}


def _plain(value: Any) -> Any:
    return value.to_dict() if hasattr(value, "to_dict") else value
