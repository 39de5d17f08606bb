"""Records of a bench run: one row per (dataset, head, device), noise-sweep points, and the whole run."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from qhybrid.bench.circuit_cost import CircuitCost
from qhybrid.bench.latency import LATENCY_BATCH_SIZES, THROUGHPUT_BATCH_SIZE, LatencyStats
from qhybrid.bench.significance import PairedComparison

STATUS_OK = "ok"
"""Status of a row that ran at every seed."""

SKIPPED_PREFIX = "skipped: "
"""Start of the status of a row that did not run, followed by the reason."""

FAILED_PREFIX = "failed: "
"""Start of the status of a row whose run raised an error, followed by the error."""


@dataclass(frozen=True)
class SeedOutcome:
    """Test metrics and training time of one head trained at one seed."""

    seed: int
    """Seed of initial weights, shuffling and shot sampling."""

    accuracy: float
    """Test accuracy, in [0, 1]."""

    macro_f1: float
    """Test macro-F1, in [0, 1]."""

    train_seconds: float
    """Wall time of training, per-epoch validation included."""

    best_epoch: int
    """1-based epoch whose weights the head kept."""

    val_accuracy: float
    """Validation accuracy of the best epoch, the figure to tune hyperparameters on."""


@dataclass(frozen=True)
class BenchRow:
    """One head on one device and dataset, aggregated over seeds; an entry of ``results.json``'s ``rows``.

    Means and standard deviations are over seeds; the standard deviation is the sample
    one (ddof = 1), 0 for a single seed. Metric fields are None when the row did not run.
    """

    dataset: str
    """Dataset name."""

    head: str
    """Head name."""

    kind: str
    """``"quantum"``, ``"linear"`` or ``"mlp"``."""

    backend: str
    """Backend of a quantum head's circuit, ``"torch"`` for classical heads."""

    device: str
    """Torch device of the head's parameters and inputs."""

    status: str
    """``"ok"``, ``"skipped: <reason>"`` or ``"failed: <error>"``."""

    n_seeds: int
    """Seeds the head ran at."""

    n_parameters: int | None = None
    """Trainable parameters."""

    trained_without_noise: bool = False
    """Whether the head trained without its noise and mitigation, which then applied only at
    test time and in the latency measurement (see ``BenchConfig.noisy_training``)."""

    seeds: tuple[SeedOutcome, ...] = ()
    """Per-seed outcomes, in seed order."""

    latency: tuple[LatencyStats, ...] = ()
    """Latency at each batch size, measured on the first seed's trained head."""

    circuit: CircuitCost | None = None
    """Transpiled circuit and QPU estimate of a quantum head; None for classical heads."""

    def to_dict(self) -> dict[str, Any]:
        """Return the row as a flat JSON-ready dict with the summary columns first.

        Keys: dataset, head, kind, backend, device, status, n_seeds, accuracy_mean,
        accuracy_std, macro_f1_mean, macro_f1_std, train_seconds (mean), train_seconds_std,
        latency_ms_b<B>_p50 and _p95 for each batch size B, throughput_per_s,
        n_parameters, trained_without_noise, circuit_depth, two_qubit_gates, ibm_target, shots_per_prediction,
        qpu_seconds_estimate, then the details: per_seed, latency, circuit.
        """
        accuracies = [outcome.accuracy for outcome in self.seeds]
        f1_scores = [outcome.macro_f1 for outcome in self.seeds]
        seconds = [outcome.train_seconds for outcome in self.seeds]
        return {
            "dataset": self.dataset,
            "head": self.head,
            "kind": self.kind,
            "backend": self.backend,
            "device": self.device,
            "status": self.status,
            "n_seeds": self.n_seeds,
            "accuracy_mean": _mean(accuracies),
            "accuracy_std": _std(accuracies),
            "macro_f1_mean": _mean(f1_scores),
            "macro_f1_std": _std(f1_scores),
            "train_seconds": _mean(seconds),
            "train_seconds_std": _std(seconds),
            **self._latency_columns(),
            "n_parameters": self.n_parameters,
            "trained_without_noise": self.trained_without_noise,
            **self._circuit_columns(),
            "per_seed": [dataclasses.asdict(outcome) for outcome in self.seeds],
            "latency": [stats.to_dict() for stats in self.latency],
            "circuit": None if self.circuit is None else self.circuit.to_dict(),
        }

    def _latency_columns(self) -> dict[str, float | None]:
        measured = {stats.batch_size: stats for stats in self.latency}
        columns: dict[str, float | None] = {}
        for batch_size in LATENCY_BATCH_SIZES:
            stats = measured.get(batch_size)
            columns[f"latency_ms_b{batch_size}_p50"] = None if stats is None else stats.p50_ms
            columns[f"latency_ms_b{batch_size}_p95"] = None if stats is None else stats.p95_ms
        throughput = measured.get(THROUGHPUT_BATCH_SIZE)
        columns["throughput_per_s"] = None if throughput is None else throughput.throughput_per_s
        return columns

    def _circuit_columns(self) -> dict[str, Any]:
        if self.circuit is None:
            return {
                "circuit_depth": None,
                "two_qubit_gates": None,
                "ibm_target": None,
                "shots_per_prediction": None,
                "qpu_seconds_estimate": None,
            }
        return {
            "circuit_depth": self.circuit.depth,
            "two_qubit_gates": self.circuit.two_qubit_gates,
            "ibm_target": self.circuit.target,
            "shots_per_prediction": self.circuit.shots_per_prediction,
            "qpu_seconds_estimate": self.circuit.qpu.seconds,
        }


@dataclass(frozen=True)
class NoisePoint:
    """Test accuracy of a trained quantum head evaluated under one noise scale, over seeds."""

    dataset: str
    """Dataset name."""

    head: str
    """Name of the evaluated head."""

    scale: float
    """Factor applied to the sweep's noise at scale 1."""

    noise: dict[str, float]
    """The scaled noise spec."""

    mitigated: bool
    """Whether the sweep's mitigation was applied."""

    status: str
    """``"ok"``, ``"skipped: <reason>"`` or ``"failed: <error>"``."""

    accuracies: tuple[float, ...] = ()
    """Test accuracy per seed, in seed order."""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict with ``accuracy_mean`` and ``accuracy_std`` added."""
        return {
            **dataclasses.asdict(self),
            "accuracies": list(self.accuracies),
            "accuracy_mean": _mean(self.accuracies),
            "accuracy_std": _std(self.accuracies),
        }


@dataclass(frozen=True)
class BenchResult:
    """Everything a bench run produced, as written to ``results.json``."""

    name: str
    """Bench name."""

    config: dict[str, Any]
    """The resolved bench config."""

    machine: dict[str, Any]
    """Platform, CPU count, torch threads and CUDA devices the bench ran on."""

    environment: dict[str, str | None]
    """Versions of Python and of the packages that change results."""

    datasets: dict[str, Any]
    """Per dataset: split sizes, class count and feature width."""

    rows: tuple[BenchRow, ...] = ()
    """One row per (dataset, head, device), in grid order."""

    comparisons: tuple[PairedComparison, ...] = ()
    """The paired test on each dataset."""

    noise_sweep: tuple[NoisePoint, ...] = ()
    """Noise-sweep points, per dataset, curve and scale."""

    wall_seconds: float | None = None
    """Wall time of the whole run, None while it runs."""

    def to_dict(self) -> dict[str, Any]:
        """Return the contents of ``results.json``."""
        return {
            "name": self.name,
            "wall_seconds": self.wall_seconds,
            "machine": self.machine,
            "environment": self.environment,
            "config": self.config,
            "datasets": self.datasets,
            "rows": [row.to_dict() for row in self.rows],
            "significance": [comparison.to_dict() for comparison in self.comparisons],
            "noise_sweep": [point.to_dict() for point in self.noise_sweep],
        }


def _mean(values: Sequence[float]) -> float | None:
    return float(np.mean(values)) if len(values) else None


def _std(values: Sequence[float]) -> float | None:
    if not len(values):
        return None
    return float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
