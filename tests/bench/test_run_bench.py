"""A small bench end to end: the synthetic TSV and fake encoder of the experiment tests, two seeds, CPU and CUDA rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch

from qhybrid.bench import BenchConfig, device_skip_reason, run_bench
from qhybrid.heads import HeadConfig, hidden_width_for
from tests.experiment.synthetic import FAKE_DIM, FakeEncoder, write_synthetic_tsv

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

ROW_KEYS = (
    "dataset", "head", "backend", "device", "status", "n_seeds", "accuracy_mean", "accuracy_std",
    "macro_f1_mean", "macro_f1_std", "train_seconds", "latency_ms_b1_p50", "latency_ms_b1_p95",
    "latency_ms_b256_p50", "latency_ms_b256_p95", "throughput_per_s", "n_parameters",
    "circuit_depth", "two_qubit_gates", "shots_per_prediction", "qpu_seconds_estimate",
)

NOISE = {"depolarizing_1q": 0.001, "depolarizing_2q": 0.01, "readout_flip": 0.02}
MITIGATION = {"readout": "matrix", "zne": {"scale_factors": [1, 3], "extrapolation": "linear"}}


def bench_table(data_path: Path) -> dict[str, Any]:
    return {
        "name": "toy_bench",
        "seeds": [0, 1],
        "devices": ["cpu", "cuda"],
        "ibm_target": "fake_manila",
        "hardware_shots": 1000,
        "latency_repeats": 3,
        "latency_warmup": 1,
        "datasets": [{"name": "toy", "data": {"path": str(data_path), "format": "tsv", "split": [0.6, 0.2, 0.2]}}],
        "train": {"epochs": 3, "batch_size": 16, "learning_rate": 0.05},
        "heads": [
            {"name": "quantum", "kind": "quantum", "n_qubits": 2, "n_layers": 1},
            {
                "name": "quantum_noisy", "kind": "quantum", "n_qubits": 2, "n_layers": 1, "backend": "aer",
                "noise": NOISE, "mitigation": MITIGATION,
            },
            {"name": "linear", "kind": "linear"},
            {"name": "mlp_matched", "kind": "mlp", "match_parameters": "quantum"},
        ],
        "noise_sweep": {"head": "quantum", "noise": NOISE, "scales": [0, 4], "mitigation": MITIGATION},
    }


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """Run the toy bench once for every test of this module; return results.json and the folder."""
    root = tmp_path_factory.mktemp("bench")
    config = BenchConfig.from_dict(bench_table(write_synthetic_tsv(root / "toy.tsv")))
    run_bench(config, None, root / "out", progress=False, cache_dir=root / "cache", encoder_factory=FakeEncoder)
    folder = root / "out" / "toy_bench"
    return json.loads((folder / "results.json").read_text(encoding="utf-8")), folder


@pytest.mark.slow
def test_rows_have_every_key(bench_run) -> None:
    results, _ = bench_run

    assert len(results["rows"]) == 4 * 2
    for row in results["rows"]:
        missing = [key for key in ROW_KEYS if key not in row]
        assert not missing, f"row {row['head']}/{row['device']} lacks {missing}"


@pytest.mark.slow
def test_cpu_rows_ran_every_seed(bench_run) -> None:
    results, _ = bench_run

    for row in (row for row in results["rows"] if row["device"] == "cpu"):
        assert row["status"] == "ok", row["status"]
        assert row["n_seeds"] == 2
        assert 0.0 <= row["accuracy_mean"] <= 1.0
        assert row["throughput_per_s"] > 0
        assert [seed["seed"] for seed in row["per_seed"]] == [0, 1]


@pytest.mark.slow
@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the rows of a machine without CUDA")
def test_cuda_rows_skipped_without_cuda(bench_run) -> None:
    results, _ = bench_run

    for row in (row for row in results["rows"] if row["device"] == "cuda"):
        assert row["status"] == "skipped: no CUDA device"
        assert row["n_seeds"] == 0
        assert row["accuracy_mean"] is None


@pytest.mark.slow
def test_quantum_rows_have_circuit_costs(bench_run) -> None:
    results, _ = bench_run
    rows = {row["head"]: row for row in results["rows"] if row["device"] == "cpu"}

    assert rows["quantum"]["shots_per_prediction"] == 1000
    assert rows["quantum_noisy"]["shots_per_prediction"] == 2000  # two ZNE scale factors
    assert rows["quantum_noisy"]["trained_without_noise"] is True
    assert rows["quantum"]["qpu_seconds_estimate"] > 0
    assert rows["quantum"]["ibm_target"] == "fake_manila"
    assert rows["linear"]["circuit_depth"] is None
    hidden = hidden_width_for(rows["quantum"]["n_parameters"], FAKE_DIM, 2)
    assert rows["mlp_matched"]["n_parameters"] == hidden * (FAKE_DIM + 1 + 2) + 2


@pytest.mark.slow
def test_significance_and_noise_sweep(bench_run) -> None:
    results, folder = bench_run

    [comparison] = results["significance"]
    assert (comparison["quantum"], comparison["classical"]) == ("quantum", "mlp_matched")
    assert comparison["n_pairs"] == 2
    assert len(results["noise_sweep"]) == 2 * 2
    for point in results["noise_sweep"]:
        assert point["status"] == "ok", point
    assert comparison["verdict"] in (folder / "report.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_noise_free_point_matches_trained_row(bench_run) -> None:
    # At scale 0 the Aer head runs the same circuit and weights as default.qubit, so the
    # test accuracies per seed must agree (the predictions could differ only at a tie).
    results, _ = bench_run
    [row] = [row for row in results["rows"] if row["head"] == "quantum" and row["device"] == "cpu"]
    expected = [seed["accuracy"] for seed in row["per_seed"]]

    for point in results["noise_sweep"]:
        if point["scale"] == 0:
            assert point["accuracies"] == expected, point


@pytest.mark.slow
def test_plots_are_png(bench_run) -> None:
    _, folder = bench_run

    for name in ("accuracy_vs_parameters.png", "throughput.png", "noise_sweep.png"):
        assert (folder / name).read_bytes().startswith(PNG_SIGNATURE), name


def test_skip_reasons_with_fake_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    aer = HeadConfig(name="quantum_aer", kind="quantum", backend="aer")
    default_qubit = HeadConfig(name="quantum", kind="quantum")

    assert device_skip_reason(default_qubit, "cuda") is None
    assert device_skip_reason(default_qubit, "cpu") is None
    assert device_skip_reason(aer, "cuda").startswith("skipped: backend 'aer' computes on the CPU")
    assert device_skip_reason(default_qubit, "cuda:1") == "skipped: no CUDA device cuda:1 (1 found)"
