"""Records of what an experiment run produced: one per head, and one for the whole run."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from torch import nn

from qhybrid.experiment.config import ExperimentConfig


@dataclass(frozen=True)
class HeadResult:
    """Training outcome and test metrics of one head; an entry of ``metrics.json``'s ``results``."""

    head: str
    """Head name from the config."""

    kind: str
    """``"quantum"``, ``"linear"`` or ``"mlp"``."""

    backend: str
    """Backend that ran the circuit (quantum heads), or ``"torch"`` for classical heads."""

    shots: int | None
    """Shots per circuit evaluation. None for exact expectation values and for classical heads."""

    n_parameters: int
    """Number of trainable parameters."""

    test_accuracy: float
    """Accuracy on the test split, in [0, 1]."""

    test_macro_f1: float
    """Macro-averaged F1 score on the test split, in [0, 1]."""

    test_loss: float
    """Mean cross-entropy on the test split."""

    test_confusion_matrix: list[list[int]]
    """Counts of shape (n_classes, n_classes); rows are true classes, columns predicted ones."""

    val_accuracy: float
    """Validation accuracy of the best epoch, whose weights the head keeps."""

    val_loss: float
    """Validation loss of the best epoch."""

    best_epoch: int
    """1-based epoch selected by the training config's ``monitor``."""

    epochs_run: int
    """Epochs trained before the epoch limit or early stopping ended training."""

    stopped_early: bool
    """Whether early stopping ended training before the epoch limit."""

    train_seconds: float
    """Wall time of training in seconds, per-epoch validation included, test evaluation excluded."""

    checkpoint: str
    """Path of the checkpoint relative to the run folder, such as ``heads/quantum/checkpoint.pt``."""

    def to_dict(self) -> dict[str, Any]:
        """Return the record as a JSON-ready dict."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class ExperimentResult:
    """Everything :func:`~qhybrid.experiment.run_experiment` produced, in memory."""

    config: ExperimentConfig
    """The config that was run."""

    run_dir: Path
    """The results folder, ``OUT/<name>/``."""

    encoder: dict[str, Any]
    """Encoder identity (model, fingerprint, pooling, max_length) and feature width ``dim``."""

    data_summary: dict[str, Any]
    """Sizes and class counts of the splits, as in :meth:`qhybrid.data.DataSplits.summary`."""

    label_map: dict[str, int]
    """``{label: class index}``."""

    heads: tuple[HeadResult, ...]
    """Results of the trained heads, in config order."""

    trained_heads: dict[str, nn.Module]
    """The trained heads by name, with the weights of their best epochs."""

    command: str
    """Shell command that reproduces the run."""

    environment: dict[str, str | None]
    """Versions of Python and of the packages that change results; None for a missing package."""

    def metrics(self) -> dict[str, Any]:
        """Return the contents of ``metrics.json``.

        Returns:
            ``{"experiment", "seed", "encoder", "command", "environment", "results": [...]}``,
            with one :meth:`HeadResult.to_dict` per trained head.
        """
        return {
            "experiment": self.config.name,
            "seed": self.config.seed,
            "encoder": self.encoder,
            "command": self.command,
            "environment": self.environment,
            "results": [head.to_dict() for head in self.heads],
        }

    def result(self, head: str) -> HeadResult:
        """Return the result of the head called ``head``.

        Raises:
            KeyError: If no head of this run has that name.
        """
        for entry in self.heads:
            if entry.head == head:
                return entry
        raise KeyError(f"no result for head {head!r}; trained heads are {[entry.head for entry in self.heads]}")
