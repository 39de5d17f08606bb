"""The results folder of one experiment run, ``OUT/<name>/``, and the files in it.

Layout::

    config.toml                 the experiment file as given (a copy), or the resolved config
    config.json                 the resolved config, every field with its default
    label_map.json              {label: class index}
    data_summary.json           sizes and class counts of each split
    metrics.json                one entry per trained head, rewritten after every head
    report.md                   results and data tables, and the command that reproduces the run
    features/test.pt            test features, class indices and texts
    heads/<head>/history.jsonl  one JSON object per epoch
    heads/<head>/checkpoint.pt  weights and config, for qhybrid.heads.load_checkpoint

Every file is written atomically, so an interrupted run leaves complete files of the
heads that finished.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import tomli_w
import torch
from torch import nn

from qhybrid.data import DataSplits
from qhybrid.experiment.config import ExperimentConfig
from qhybrid.experiment.features import SplitTensors
from qhybrid.heads import HeadConfig, save_checkpoint
from qhybrid.exceptions import ConfigError, DataFileNotFoundError
from qhybrid.io import save_torch_atomic, write_bytes_atomic, write_json_atomic, write_text_atomic
from qhybrid.report import data_summary_table, results_table

logger = logging.getLogger(__name__)

CONFIG_TOML = "config.toml"
CONFIG_JSON = "config.json"
LABEL_MAP_JSON = "label_map.json"
DATA_SUMMARY_JSON = "data_summary.json"
METRICS_JSON = "metrics.json"
REPORT_MD = "report.md"
TEST_FEATURES = "features/test.pt"
HEADS_DIR = "heads"
HISTORY_JSONL = "history.jsonl"
CHECKPOINT = "checkpoint.pt"


def _archive(path: Path) -> Path:
    """Rename an existing run folder to ``<name>.previous-<UTC time>`` so no earlier result is lost."""
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    archived = path.with_name(f"{path.name}.previous-{stamp}")
    path.rename(archived)
    logger.warning("Run folder %s already existed; its earlier results were moved to %s", path, archived)
    return archived


class RunFolder:
    """Writer of the files of one run folder. The module docstring shows the layout.

    An existing, non-empty folder of the same name is first renamed to
    ``<name>.previous-<UTC time>``, so a rerun never mixes with or overwrites
    the results of an earlier run.
    """

    archived: Path | None = None
    """New path of an earlier run's folder, if one was moved aside."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        """Use ``path`` as the run folder, creating it and its parents if needed.

        Raises:
            ConfigError: If ``path`` or one of its parents exists and is not a directory.
        """
        self.path = Path(path)
        if self.path.is_dir() and any(self.path.iterdir()):
            self.archived = _archive(self.path)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError) as error:
            raise ConfigError(
                f"cannot create the run folder {str(self.path)!r}, because it or a parent is a file "
                f"({error.strerror}); pass another output folder."
            ) from error

    def head_dir(self, head: str) -> Path:
        """Return the folder of one head's history and checkpoint."""
        return self.path / HEADS_DIR / head

    def write_config(self, config: ExperimentConfig, config_path: str | os.PathLike[str] | None) -> None:
        """Write ``config.toml`` and ``config.json``.

        Args:
            config: The resolved config, written to ``config.json`` with every default.
            config_path: The file ``config`` was read from, copied byte for byte to
                ``config.toml``. None writes the resolved config there instead.
        """
        target = self.path / CONFIG_TOML
        if config_path is not None:
            write_bytes_atomic(target, Path(config_path).read_bytes())
        else:
            write_text_atomic(target, tomli_w.dumps(config.to_toml_dict()))
        write_json_atomic(self.path / CONFIG_JSON, config.to_dict())

    def write_data(self, splits: DataSplits) -> None:
        """Write ``label_map.json`` and ``data_summary.json``."""
        write_json_atomic(self.path / LABEL_MAP_JSON, splits.label_map.to_dict())
        write_json_atomic(self.path / DATA_SUMMARY_JSON, splits.summary())

    def write_test_features(self, test: SplitTensors) -> None:
        """Write ``features/test.pt``: ``{"features": (N, D) float32, "labels": (N,) int64, "texts": [str]}``."""
        payload = {"features": test.x.contiguous().clone(), "labels": test.y.clone(), "texts": list(test.texts)}
        save_torch_atomic(self.path / TEST_FEATURES, payload)

    def write_history(self, head: str, history: Sequence[Mapping[str, Any]]) -> None:
        """Write ``heads/<head>/history.jsonl`` with one JSON object per epoch."""
        lines = "".join(json.dumps(dict(record)) + "\n" for record in history)
        write_text_atomic(self.head_dir(head) / HISTORY_JSONL, lines)

    def write_checkpoint(
        self,
        head: nn.Module,
        config: HeadConfig,
        n_classes: int,
        extra: dict[str, Any],
    ) -> Path:
        """Write ``heads/<head>/checkpoint.pt`` with :func:`qhybrid.heads.save_checkpoint`; return its path."""
        path = self.head_dir(config.name) / CHECKPOINT
        save_checkpoint(path, head, config, head.in_features, n_classes, extra=extra)
        return path

    def write_metrics(self, metrics: Mapping[str, Any]) -> None:
        """Write ``metrics.json``."""
        write_json_atomic(self.path / METRICS_JSON, dict(metrics))

    def write_report(self, metrics: Mapping[str, Any], data_summary: Mapping[str, Any], command: str) -> None:
        """Write ``report.md`` from the contents of ``metrics.json`` and ``data_summary.json``."""
        write_text_atomic(self.path / REPORT_MD, render_report(metrics, data_summary, command))


def render_report(metrics: Mapping[str, Any], data_summary: Mapping[str, Any], command: str) -> str:
    """Return the markdown of ``report.md``.

    Args:
        metrics: The contents of ``metrics.json``.
        data_summary: The contents of ``data_summary.json``.
        command: Shell command that reproduces the run.

    Returns:
        The report, ending with a newline.
    """
    encoder = metrics["encoder"]
    lines = [
        f"# Experiment {metrics['experiment']}",
        "",
        f"Seed {metrics['seed']}. Encoder {encoder['model']} ({encoder['pooling']} pooling, "
        f"max_length {encoder['max_length']}, {encoder['dim']} features).",
        "",
        "## Results on the test split",
        "",
        results_table(metrics["results"]) if metrics["results"] else "No head has finished yet.",
        "",
        "## Data",
        "",
        data_summary_table(data_summary),
        "",
        "## Reproduce",
        "",
        "```sh",
        command,
        "```",
        "",
    ]
    return "\n".join(lines)


def load_test_features(run_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """Read ``features/test.pt`` of a run folder.

    Args:
        run_dir: The run folder, ``OUT/<name>/``.

    Returns:
        ``{"features": (N, D) float32, "labels": (N,) int64, "texts": [str]}``.

    Raises:
        DataFileNotFoundError: If the run folder has no ``features/test.pt``.
    """
    path = Path(run_dir) / TEST_FEATURES
    if not path.is_file():
        raise DataFileNotFoundError(
            f"test features not found: {str(path)!r}; pass a run folder written by 'qhybrid run'."
        )
    return torch.load(path, map_location="cpu", weights_only=True)
