"""PNG plots of a bench: accuracy against parameters, throughput, and accuracy against noise.

Every function takes the contents of ``results.json`` and returns PNG bytes. The
figures are drawn with matplotlib's object API on an Agg canvas, so no pyplot
state or global backend setting is touched.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from qhybrid.bench.results import STATUS_OK

KIND_MARKERS = {"quantum": "o", "linear": "s", "mlp": "^"}
"""Marker of each head kind in the accuracy plot."""

_SAME_X_SPREAD = 0.06
"""Relative x offset between heads with equal parameter counts in the accuracy plot."""

_PANEL_WIDTH = 5.0
_PANEL_HEIGHT = 4.0
_DPI = 120


def plot_accuracy_vs_parameters(results: Mapping[str, Any]) -> bytes:
    """Plot mean test accuracy (error bar: std over seeds) against trainable parameters, log x, one panel per dataset.

    Each head appears once per dataset, from the first device it ran on. Heads with the
    same parameter count (a quantum head on several backends) are spread by a few
    percent along x so that their error bars stay apart.
    """
    datasets = list(results["datasets"])
    figure, axes = _panels(len(datasets))
    for axis, dataset in zip(axes, datasets):
        seen: dict[int, int] = {}
        for index, row in enumerate(_first_ok_rows(results["rows"], dataset)):
            repeat = seen.get(row["n_parameters"], 0)
            seen[row["n_parameters"]] = repeat + 1
            axis.errorbar(
                row["n_parameters"] * (1 + _SAME_X_SPREAD * repeat), row["accuracy_mean"], yerr=row["accuracy_std"],
                marker=KIND_MARKERS.get(row["kind"], "o"), color=f"C{index}", linestyle="none", capsize=3,
                label=row["head"],
            )
        axis.set_xscale("log")
        axis.set_xlabel("trainable parameters")
        axis.set_ylabel("test accuracy (mean ± std over seeds)")
        axis.set_title(dataset)
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=7)
    return _png(figure)


def plot_throughput(results: Mapping[str, Any]) -> bytes:
    """Plot inference throughput at batch 256 per head, one bar per device, log y, one panel per dataset.

    Rows that did not run have no bar; devices on which no row ran are named in the panel title.
    """
    datasets = list(results["datasets"])
    devices = list(results["config"]["devices"])
    figure, axes = _panels(len(datasets))
    width = 0.8 / max(1, len(devices))
    for axis, dataset in zip(axes, datasets):
        rows = [row for row in results["rows"] if row["dataset"] == dataset]
        heads = list(dict.fromkeys(row["head"] for row in rows))
        idle = []
        for offset, device in enumerate(devices):
            values = {row["head"]: row["throughput_per_s"] for row in rows if row["device"] == device}
            positions = [index + offset * width for index, head in enumerate(heads) if values.get(head)]
            heights = [values[head] for head in heads if values.get(head)]
            if heights:
                axis.bar(positions, heights, width=width, color=f"C{offset}", label=device)
            else:
                idle.append(device)
        axis.set_xticks([index + width * (len(devices) - 1) / 2 for index in range(len(heads))])
        axis.set_xticklabels(heads, rotation=45, ha="right", fontsize=8)
        axis.set_yscale("log")
        axis.set_ylabel("samples / s at batch 256")
        axis.set_title(f"{dataset} (no row ran on {', '.join(idle)})" if idle else dataset)
        axis.legend(fontsize=8)
        axis.grid(True, axis="y", which="both", alpha=0.3)
    return _png(figure)


def plot_noise_sweep(results: Mapping[str, Any]) -> bytes:
    """Plot mean test accuracy against the noise scale factor, unmitigated and mitigated, one panel per dataset.

    A dataset without sweep points gets an empty panel titled accordingly.
    """
    datasets = list(results["datasets"])
    figure, axes = _panels(len(datasets))
    figure.suptitle(_noise_title(results), fontsize=9)
    for axis, dataset in zip(axes, datasets):
        points = [point for point in results["noise_sweep"] if point["dataset"] == dataset and point["status"] == STATUS_OK]
        for mitigated in (False, True):
            curve = sorted((point for point in points if point["mitigated"] == mitigated), key=lambda p: p["scale"])
            if curve:
                axis.errorbar(
                    [point["scale"] for point in curve],
                    [point["accuracy_mean"] for point in curve],
                    yerr=[point["accuracy_std"] for point in curve],
                    marker="o", capsize=3, label="mitigated" if mitigated else "unmitigated",
                )
        if points:
            axis.legend(fontsize=8)
            axis.set_title(f"{dataset}: {points[0]['head']}")
        else:
            axis.set_title(f"{dataset}: no noise sweep points")
        axis.set_xlabel("noise scale factor")
        axis.set_ylabel("test accuracy (mean ± std over seeds)")
        axis.grid(True, alpha=0.3)
    return _png(figure)


PLOTS = {
    "accuracy_vs_parameters.png": ("Test accuracy against trainable parameters", plot_accuracy_vs_parameters),
    "throughput.png": ("Inference throughput at batch 256 per head and device", plot_throughput),
    "noise_sweep.png": ("Test accuracy under scaled noise, with and without mitigation", plot_noise_sweep),
}
"""Plot file names in the results folder, with their captions and the functions that draw them."""


def _noise_title(results: Mapping[str, Any]) -> str:
    sweep = results["config"].get("noise_sweep")
    if not sweep:
        return "no noise sweep configured"
    base = ", ".join(f"{key}={value:g}" for key, value in sweep["noise"].items() if value)
    return f"noise at scale 1: {base or 'none'}"


def _first_ok_rows(rows: Sequence[Mapping[str, Any]], dataset: str) -> list[Mapping[str, Any]]:
    chosen: dict[str, Mapping[str, Any]] = {}
    for row in rows:
        if row["dataset"] == dataset and row["status"] == STATUS_OK and row["head"] not in chosen:
            chosen[row["head"]] = row
    return list(chosen.values())


def _panels(count: int) -> tuple[Figure, list[Any]]:
    figure = Figure(figsize=(_PANEL_WIDTH * max(1, count), _PANEL_HEIGHT), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, max(1, count), squeeze=False)[0]
    return figure, list(axes)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
