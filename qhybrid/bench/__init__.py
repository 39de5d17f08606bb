"""Benchmarks that compare quantum heads with classical heads on equal footing.

``qhybrid bench experiments/bench_qnlp.toml`` calls::

    config = load_bench_config("experiments/bench_qnlp.toml")
    result = run_bench(config, data_root="/path/to/datasets", out_dir="runs")
    [comparison.verdict() for comparison in result.comparisons]
"""

from qhybrid.bench.circuit_cost import CircuitCost, estimate_circuit_cost
from qhybrid.bench.config import BenchConfig, BenchDataset, NoiseSweepConfig, SignificanceConfig, load_bench_config
from qhybrid.bench.latency import LatencyStats, measure_latency, summarize_latencies
from qhybrid.bench.results import BenchResult, BenchRow, NoisePoint, SeedOutcome
from qhybrid.bench.runner import device_skip_reason, run_bench
from qhybrid.bench.significance import PairedComparison, compare_paired, paired_t_test, sign_flip_test

__all__ = [
    "BenchConfig",
    "BenchDataset",
    "BenchResult",
    "BenchRow",
    "CircuitCost",
    "LatencyStats",
    "NoisePoint",
    "NoiseSweepConfig",
    "PairedComparison",
    "SeedOutcome",
    "SignificanceConfig",
    "compare_paired",
    "device_skip_reason",
    "estimate_circuit_cost",
    "load_bench_config",
    "measure_latency",
    "paired_t_test",
    "run_bench",
    "sign_flip_test",
    "summarize_latencies",
]
