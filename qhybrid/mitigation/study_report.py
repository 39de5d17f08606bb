"""Plots and the Markdown report of a noise and mitigation study."""

from __future__ import annotations

import io
import platform
from pathlib import Path
from typing import Any

from qhybrid.io import write_text_atomic


def write_report(results: dict[str, Any], output: Path) -> None:
    """Write ``sweep_error.png``, ``sweep_accuracy.png`` and ``report.md`` into ``output``, atomically."""
    _plot_sweep(results["sweep"], "expvals_mae", "mean |expvals - ideal|", output / "sweep_error.png")
    _plot_sweep(results["sweep"], "accuracy", "test accuracy", output / "sweep_accuracy.png")
    write_text_atomic(output / "report.md", _markdown(results))


def _plot_sweep(sweep: list[dict[str, Any]], metric: str, label: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(figsize=(5, 3.5))
    for name, marker in (("unmitigated", "o"), ("mitigated", "s")):
        points = [(record["strength"], record[metric]) for record in sweep if record["name"] == name]
        axes.plot([p[0] for p in points], [p[1] for p in points], marker=marker, label=name)
    axes.set_xlabel("noise strength (multiple of the base NoiseSpec)")
    axes.set_ylabel(label)
    axes.grid(alpha=0.3)
    axes.legend()
    figure.tight_layout()

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=120)
    plt.close(figure)
    _write_bytes_atomic(path, buffer.getvalue())


def _write_bytes_atomic(path: Path, data: bytes) -> None:
    from qhybrid.io import _atomic_write

    _atomic_write(path, lambda stream: stream.write(data), "wb")


def _markdown(results: dict[str, Any]) -> str:
    config = results["config"]
    study = config["study"]
    lines = [
        f"# Noise and mitigation study: {config['name']}",
        "",
        f"Head: {config['head']['n_qubits']} qubits, {config['head']['n_layers']} layers, "
        f"{config['head']['ansatz']}, trained on {config['head']['backend']}. Test split: "
        f"{_test_size(results)} samples. Seed {config['seed']}.",
        f"Machine: {platform.machine()}, {_cpu_count()} CPU cores; total run time {results['seconds']:.0f} s.",
        "",
        f"## Device noise: {study['noise']}, {study['shots']} shots per circuit",
        "",
        "Mean absolute error (MAE) of the expvals <Z_i> against exact noiseless values, over all test samples "
        "and qubits, and test accuracy. Ideal accuracy: " + f"{results['ideal']['accuracy']:.3f}.",
        "",
        "| setting | mitigation | expvals MAE | MAE / noisy | accuracy | circuits per binding | seconds |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    noisy_mae = results["device"][0]["expvals_mae"]
    for record in results["device"]:
        mitigation = describe_mitigation(record["overrides"].get("mitigation"))
        lines.append(
            f"| {record['name']} | {mitigation} | {record['expvals_mae']:.4f} | "
            f"{record['expvals_mae'] / noisy_mae:.2f} | {record['accuracy']:.3f} | "
            f"{record['engine'].get('circuits_per_binding', 1)} | {record['seconds']:.1f} |"
        )
    lines += [
        "",
        "Aer noise models built by `NoiseModel.from_backend` contain depolarizing and thermal-relaxation gate "
        "errors and readout errors, but no coherent errors. Twirling therefore has no coherent error to turn into "
        "Pauli noise, and dynamical decoupling has no coherent idle error to cancel: circuits without DD contain no "
        "delays, so their idle qubits stay noise-free, while DD adds X pulses and relaxation during the delays it keeps.",
    ]
    lines += _acceptance_lines(results.get("acceptance"))
    lines += _sweep_lines(results)
    lines += _warning_lines(results)
    return "\n".join(lines) + "\n"


def describe_mitigation(mitigation: dict[str, Any] | None) -> str:
    """Return a short description of a mitigation dict, e.g. ``readout=mthree, ZNE richardson global [1, 3, 5]``."""
    if not mitigation:
        return "none"
    parts = []
    if mitigation.get("readout"):
        parts.append(f"readout={mitigation['readout']}")
    zne = mitigation.get("zne")
    if zne:
        scales = ", ".join(f"{scale:g}" for scale in zne["scale_factors"])
        parts.append(f"ZNE {zne['extrapolation']} {zne['folding']} [{scales}]")
    if mitigation.get("twirling"):
        parts.append(f"twirling x{mitigation['twirling_randomizations']}")
    if mitigation.get("dynamical_decoupling"):
        parts.append(f"DD {mitigation['dynamical_decoupling']}")
    return ", ".join(parts)


def _acceptance_lines(acceptance: dict[str, Any] | None) -> list[str]:
    if acceptance is None:
        return []
    verdict = "passed" if acceptance["passed"] else "FAILED"
    return [
        "",
        f"Acceptance ({verdict}): setting `{acceptance['setting']}` reaches {acceptance['ratio']:.2f} times the "
        f"unmitigated expvals MAE; the threshold is {acceptance['threshold']}.",
    ]


def _sweep_lines(results: dict[str, Any]) -> list[str]:
    sweep_config = results["config"]["sweep"]
    lines = [
        "",
        f"## Noise-strength sweep: NoiseSpec {sweep_config['base']} times s",
        "",
        f"Mitigated runs use {describe_mitigation(sweep_config['mitigation'])}; every run uses "
        f"{results['config']['study']['shots']} shots per circuit.",
        "",
        "![expvals error against noise strength](sweep_error.png)",
        "![accuracy against noise strength](sweep_accuracy.png)",
        "",
        "| strength | MAE unmitigated | MAE mitigated | accuracy unmitigated | accuracy mitigated |",
        "| --- | --- | --- | --- | --- |",
    ]
    by_strength: dict[float, dict[str, dict[str, Any]]] = {}
    for record in results["sweep"]:
        by_strength.setdefault(record["strength"], {})[record["name"]] = record
    for strength, pair in by_strength.items():
        raw, mitigated = pair["unmitigated"], pair["mitigated"]
        lines.append(
            f"| {strength:g} | {raw['expvals_mae']:.4f} | {mitigated['expvals_mae']:.4f} | "
            f"{raw['accuracy']:.3f} | {mitigated['accuracy']:.3f} |"
        )
    return lines


def _warning_lines(results: dict[str, Any]) -> list[str]:
    lines = []
    for record in results["device"] + results["sweep"]:
        for message in record["warnings"]:
            lines.append(f"- {record['name']}{_strength(record)}: {message}")
    if not lines:
        return []
    return ["", "## Warnings raised during evaluation", ""] + lines


def _strength(record: dict[str, Any]) -> str:
    return f" (strength {record['strength']:g})" if "strength" in record else ""


def _test_size(results: dict[str, Any]) -> str:
    return str(results["ideal"].get("n_samples", "all"))


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
