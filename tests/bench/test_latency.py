"""Latency statistics on known sequences, and the timing loop on a small head."""

from __future__ import annotations

import pytest
import torch

from qhybrid.bench import measure_latency, summarize_latencies
from qhybrid.bench.latency import MIN_REPEATS, tile_rows
from qhybrid.exceptions import ConfigError
from qhybrid.heads import LinearHead

MS_TOLERANCE = 1e-9
"""Percentiles of exact millisecond values agree to rounding."""


def test_percentiles_of_known_sequence() -> None:
    # 1, 2, ..., 100 ms: numpy's linear interpolation puts p50 at 50.5 and p95 at 95.05.
    stats = summarize_latencies([k / 1000 for k in range(100, 0, -1)], batch_size=256)

    assert stats.repeats == 100
    assert stats.p50_ms == pytest.approx(50.5, abs=MS_TOLERANCE)
    assert stats.p95_ms == pytest.approx(95.05, abs=MS_TOLERANCE)
    assert stats.mean_ms == pytest.approx(50.5, abs=MS_TOLERANCE)
    assert stats.throughput_per_s == pytest.approx(256 / 0.0505)


def test_percentiles_of_single_value() -> None:
    stats = summarize_latencies([0.004], batch_size=1)

    assert stats.p50_ms == pytest.approx(4.0, abs=MS_TOLERANCE)
    assert stats.p95_ms == pytest.approx(4.0, abs=MS_TOLERANCE)


@pytest.mark.parametrize(
    ("seconds", "batch_size", "message"),
    [
        ([], 1, "non-empty list of finite wall times"),
        ([0.1, -0.1], 1, "non-empty list of finite wall times"),
        ([0.1, float("inf")], 1, "non-empty list of finite wall times"),
        ([0.1], 0, "batch_size must be a positive integer, got 0"),
    ],
)
def test_summarize_rejects(seconds, batch_size, message) -> None:
    with pytest.raises(ConfigError, match=message):
        summarize_latencies(seconds, batch_size)


def test_measure_latency_runs_repeats_and_restores_mode() -> None:
    head = LinearHead(4, 2, seed=0)
    head.train()

    stats = measure_latency(head, torch.randn(3, 4), batch_size=5, repeats=7, warmup=2)

    assert stats.repeats == 7
    assert stats.batch_size == 5
    assert head.training


def test_measure_latency_stops_at_time_budget() -> None:
    stats = measure_latency(LinearHead(4, 2, seed=0), torch.randn(3, 4), batch_size=1, repeats=50, warmup=0, max_seconds=1e-12)

    assert stats.repeats == MIN_REPEATS


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"repeats": 0}, "repeats must be a positive integer, got 0"),
        ({"warmup": -1}, "warmup must be an integer >= 0, got -1"),
        ({"batch_size": 0}, "batch_size must be a positive integer, got 0"),
    ],
)
def test_measure_latency_rejects(kwargs, message) -> None:
    arguments = {"batch_size": 1, "repeats": 1, "warmup": 0, **kwargs}
    with pytest.raises(ConfigError, match=message):
        measure_latency(LinearHead(4, 2, seed=0), torch.randn(3, 4), **arguments)


def test_measure_latency_rejects_empty_features() -> None:
    with pytest.raises(ConfigError, match=r"features must have shape \(N, in_features\) with N >= 1, got \(0, 4\)"):
        measure_latency(LinearHead(4, 2, seed=0), torch.empty(0, 4), batch_size=1, repeats=1, warmup=0)


def test_tile_rows_repeats_cyclically() -> None:
    features = torch.arange(6.0).reshape(3, 2)

    tiled = tile_rows(features, 7)

    assert tiled.shape == (7, 2)
    assert torch.equal(tiled[3:6], features)
    assert torch.equal(tiled[6], features[0])
