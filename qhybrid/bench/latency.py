"""Inference latency of a head: timed forward passes, their percentiles and the throughput."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from qhybrid.exceptions import ConfigError

LATENCY_BATCH_SIZES: tuple[int, ...] = (1, 256)
"""Batch sizes whose latency every bench row reports."""

THROUGHPUT_BATCH_SIZE = 256
"""Batch size of the reported throughput."""

MIN_REPEATS = 3
"""Timed forward passes that run even when ``max_seconds`` is exceeded earlier."""


@dataclass(frozen=True)
class LatencyStats:
    """Wall time of repeated forward passes at one batch size."""

    batch_size: int
    """Samples per forward pass."""

    repeats: int
    """Number of timed forward passes."""

    p50_ms: float
    """Median wall time of one forward pass, in milliseconds."""

    p95_ms: float
    """95th percentile (linear interpolation, numpy's default) of the wall time, in milliseconds."""

    mean_ms: float
    """Mean wall time of one forward pass, in milliseconds."""

    @property
    def throughput_per_s(self) -> float:
        """Samples per second at this batch size: ``batch_size / mean``."""
        return self.batch_size / (self.mean_ms / 1000.0)

    def to_dict(self) -> dict[str, Any]:
        """Return the statistics and the throughput as a JSON-ready dict."""
        return {**asdict(self), "throughput_per_s": self.throughput_per_s}


def summarize_latencies(seconds: Sequence[float], batch_size: int) -> LatencyStats:
    """Turn the wall times of timed forward passes into latency statistics.

    Args:
        seconds: Wall time of each forward pass, in seconds, at least one.
        batch_size: Samples per forward pass.

    Returns:
        Median, 95th percentile and mean, in milliseconds.

    Raises:
        ConfigError: If ``seconds`` is empty or contains a negative or non-finite value,
            or ``batch_size`` is not a positive integer.
    """
    values = np.asarray(seconds, dtype=np.float64)
    if values.ndim != 1 or values.size == 0 or not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ConfigError(
            f"seconds must be a non-empty list of finite wall times >= 0, got {list(seconds)[:10]}; "
            "time at least one forward pass."
        )
    _check_positive("batch_size", batch_size)
    milliseconds = 1000.0 * values
    return LatencyStats(
        batch_size=batch_size,
        repeats=int(values.size),
        p50_ms=float(np.percentile(milliseconds, 50)),
        p95_ms=float(np.percentile(milliseconds, 95)),
        mean_ms=float(milliseconds.mean()),
    )


def measure_latency(
    head: nn.Module,
    features: torch.Tensor,
    batch_size: int,
    repeats: int,
    warmup: int,
    max_seconds: float | None = None,
) -> LatencyStats:
    """Time forward passes of ``head`` in eval mode under ``torch.no_grad()``.

    Rows of ``features`` are repeated cyclically to fill a batch larger than the
    tensor. On a CUDA device every pass is bracketed by ``torch.cuda.synchronize``,
    so the time covers the kernels and not only their launch. The head's train or
    eval mode is restored afterwards.

    Args:
        head: The head, on the device of ``features``.
        features: Input rows, shape (N, in_features), N >= 1.
        batch_size: Samples per forward pass.
        repeats: Timed forward passes, at most.
        warmup: Untimed forward passes before the timed ones (first-call setup, caches).
        max_seconds: Stop once the timed passes took this long in total and at least
            :data:`MIN_REPEATS` ran; None runs all ``repeats``.

    Returns:
        The latency statistics.

    Raises:
        ConfigError: If ``features`` has no rows, or ``batch_size``, ``repeats`` or ``warmup`` is invalid.
    """
    if features.dim() != 2 or features.shape[0] == 0:
        raise ConfigError(f"features must have shape (N, in_features) with N >= 1, got {tuple(features.shape)}.")
    _check_positive("batch_size", batch_size)
    _check_positive("repeats", repeats)
    if isinstance(warmup, bool) or not isinstance(warmup, int) or warmup < 0:
        raise ConfigError(f"warmup must be an integer >= 0, got {warmup!r}.")

    batch = tile_rows(features, batch_size)  # (batch_size, in_features)
    was_training = head.training
    head.eval()
    try:
        with torch.no_grad():
            for _ in range(warmup):
                head(batch)
            seconds: list[float] = []
            while len(seconds) < repeats and not _budget_spent(seconds, max_seconds):
                seconds.append(_timed_forward(head, batch))
    finally:
        head.train(was_training)
    return summarize_latencies(seconds, batch_size)


def tile_rows(features: torch.Tensor, n_rows: int) -> torch.Tensor:
    """Return ``n_rows`` rows of ``features`` (N, D), repeating them cyclically, shape (n_rows, D)."""
    repeats = -(-n_rows // features.shape[0])
    return features.repeat(repeats, 1)[:n_rows]


def _budget_spent(seconds: list[float], max_seconds: float | None) -> bool:
    return max_seconds is not None and len(seconds) >= MIN_REPEATS and sum(seconds) >= max_seconds


def _timed_forward(head: nn.Module, batch: torch.Tensor) -> float:
    _synchronize(batch.device)
    start = time.perf_counter()
    head(batch)
    _synchronize(batch.device)
    return time.perf_counter() - start


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _check_positive(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{name} must be a positive integer, got {value!r}.")
