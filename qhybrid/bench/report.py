"""The markdown report of a bench, rendered from the contents of ``results.json``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from qhybrid.bench.plots import PLOTS
from qhybrid.bench.results import STATUS_OK
from qhybrid.report import markdown_table

_ROW_HEADERS = [
    "head", "backend", "device", "status", "seeds", "accuracy", "macro-F1", "train s",
    "b1 p50/p95 ms", "b256 p50/p95 ms", "samples/s", "params", "depth", "2q gates", "shots/pred", "QPU s (est.)",
]

_METHOD_NOTES = """\
How the numbers are measured:

- Accuracy and macro-F1 are on the test split, mean ± sample standard deviation (ddof 1) over seeds.
  Every row of a dataset uses the same split and the same cached features. The seed changes only the
  initial weights, the shuffling and the shot sampling.
- Training time is the wall time of `train_head` (early stopping on the validation split), mean over seeds.
- Latency is the wall time of one forward pass in eval mode under `torch.no_grad()`, on the first
  seed's trained head, after untimed warm-up passes; test rows are repeated to fill a batch of 256.
  CUDA passes are bracketed by `torch.cuda.synchronize`. Throughput is 256 / mean latency at batch 256.
- Circuit depth and two-qubit gates are those of the ISA circuit after transpiling to the IBM target
  (preset pass manager, optimization level 1, seed_transpiler 0), measurements excluded.
- Shots per prediction: one circuit per prediction (one per ZNE scale factor) times the head's shots,
  or times `hardware_shots` for heads trained on exact expectation values.
- QPU seconds are an estimate for the whole test split, not IBM's billing:
  n_jobs x job overhead + n_test x shots x sum over scale factors f of (rep_delay + f x circuit duration),
  with the circuit duration scheduled from the target's gate durations.
"""


def render_report(results: Mapping[str, Any]) -> str:
    """Return the markdown of ``report.md`` for the contents of ``results.json``, ending with a newline."""
    lines = [f"# Bench {results['name']}", "", *_header(results), ""]
    for dataset, summary in results["datasets"].items():
        lines += [f"## {dataset}", "", _dataset_line(summary), "", _rows_table(results["rows"], dataset), ""]

    lines += ["## Quantum against parameter-matched classical head", ""]
    comparisons = results["significance"]
    lines += [f"- {comparison['verdict']}" for comparison in comparisons] or ["No pair of heads was compared."]
    lines += ["", *_noise_section(results), "## Method", "", _METHOD_NOTES, "## Plots", ""]
    lines += [f"![{caption}]({name})" for name, (caption, _) in PLOTS.items()]
    return "\n".join(lines) + "\n"


def _header(results: Mapping[str, Any]) -> list[str]:
    config = results["config"]
    machine = results["machine"]
    wall = results.get("wall_seconds")
    cuda = ", ".join(machine["cuda_devices"]) or "none"
    return [
        f"Seeds {config['seeds']}, devices {config['devices']}, IBM target {config['ibm_target']}, "
        f"encoder {config['encoder']['model']} ({config['encoder']['pooling']} pooling).",
        "",
        f"Machine: {machine['platform']}, {machine['cpu_count']} CPU cores, {machine['torch_threads']} torch threads, "
        f"CUDA devices: {cuda}. Wall time of the bench: "
        + (f"{wall:.0f} s." if wall is not None else "still running."),
    ]


def _dataset_line(summary: Mapping[str, Any]) -> str:
    sizes = summary["sizes"]
    return (
        f"{summary['n_classes']} classes, {summary['dim']} features; train {sizes['train']}, "
        f"validation {sizes['validation']}, test {sizes['test']} rows (split seed {summary['split_seed']})."
    )


def _rows_table(rows: Sequence[Mapping[str, Any]], dataset: str) -> str:
    selected = [row for row in rows if row["dataset"] == dataset]
    right = [False] * 4 + [True] * (len(_ROW_HEADERS) - 4)
    table = markdown_table(_ROW_HEADERS, [_row_cells(row) for row in selected], right_aligned=right)
    if any(row["trained_without_noise"] for row in selected):
        table += (
            "\n\n\\* trained without its noise and mitigation, which then apply at test time and in the "
            "latency measurement (`noisy_training = false`)."
        )
    return table


def _row_cells(row: Mapping[str, Any]) -> list[str]:
    return [
        row["head"] + ("\\*" if row["trained_without_noise"] else ""),
        row["backend"],
        row["device"],
        row["status"],
        str(row["n_seeds"]),
        _mean_std(row["accuracy_mean"], row["accuracy_std"]),
        _mean_std(row["macro_f1_mean"], row["macro_f1_std"]),
        _number(row["train_seconds"], ".1f"),
        _pair(row["latency_ms_b1_p50"], row["latency_ms_b1_p95"]),
        _pair(row["latency_ms_b256_p50"], row["latency_ms_b256_p95"]),
        _number(row["throughput_per_s"], ",.0f"),
        _number(row["n_parameters"], "d"),
        _number(row["circuit_depth"], "d"),
        _number(row["two_qubit_gates"], "d"),
        _number(row["shots_per_prediction"], "d"),
        _number(row["qpu_seconds_estimate"], ".1f"),
    ]


def _noise_section(results: Mapping[str, Any]) -> list[str]:
    points = results["noise_sweep"]
    if not points:
        return []
    sweep = results["config"]["noise_sweep"]
    lines = [
        "## Accuracy under noise",
        "",
        f"Head {sweep['head']} trained as configured, then evaluated on backend aer with the noise "
        f"{sweep['noise']} multiplied by each scale factor"
        + (f", and with mitigation {sweep['mitigation']}." if sweep.get("mitigation") else "."),
        "",
    ]
    headers = ["dataset", "scale", "unmitigated", "mitigated"]
    table = {}
    for point in points:
        key = (point["dataset"], point["scale"])
        cell = (
            _mean_std(point["accuracy_mean"], point["accuracy_std"]) if point["status"] == STATUS_OK else point["status"]
        )
        table.setdefault(key, ["-", "-"])[1 if point["mitigated"] else 0] = cell
    rows = [[dataset, f"{scale:g}", *cells] for (dataset, scale), cells in table.items()]
    lines += [markdown_table(headers, rows, right_aligned=[False, True, True, True]), ""]
    return lines


def _mean_std(mean: float | None, std: float | None) -> str:
    return "-" if mean is None else f"{mean:.3f} ± {std:.3f}"


def _pair(first: float | None, second: float | None) -> str:
    return "-" if first is None else f"{first:.2f} / {second:.2f}"


def _number(value: float | int | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)
