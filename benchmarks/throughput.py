"""Training and inference throughput of quantum heads on every backend, in one run.

Compares qhybrid's batched ``aer`` engine (exact and 1024 shots), PennyLane's
``default.qubit`` (backprop) and ``lightning.qubit`` (adjoint) with a baseline.
The baseline is the usual PennyLane setup: a ``qml.qnn.TorchLayer`` on
pennylane-qiskit's ``qiskit.aer`` device with the parameter-shift rule. There,
every shifted circuit is its own Aer job, and batches are expanded one sample
at a time.

A training step is forward, cross-entropy, backward and an AdamW step on a
dressed head (Linear 384 -> n_qubits, circuit, Linear n_qubits -> 2).
Inference is the forward pass under ``torch.no_grad()``. Rates are samples per
second of wall time. Ratios divide by the baseline's rate at the same batch size
and circuit size, measured in the same run.

Usage:
    python benchmarks/throughput.py [--out benchmarks/results/throughput.json] [--min-seconds 3]
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pennylane as qml
import torch
from torch import nn

from qhybrid.circuits import CircuitSpec
from qhybrid.engines import parameter_shift
from qhybrid.engines.aer import AerExecutor
from qhybrid.engines.conversion import convert
from qhybrid.heads import QuantumHead
from qhybrid.io import write_json_atomic

IN_FEATURES = 384
N_CLASSES = 2
SIZES = ((4, 2), (8, 4))
BATCH_SIZES = (16, 256)
BASELINE_SIZE = (4, 2)
BASELINE_BATCH_SIZES = (16,)


@dataclass
class Row:
    """One measured configuration."""

    backend: str
    n_qubits: int
    n_layers: int
    batch_size: int
    train_samples_per_s: float | None
    inference_samples_per_s: float | None
    train_steps: int
    note: str = ""


class TorchLayerBaseline(nn.Module):
    """The dressed head built as PennyLane users build it: a TorchLayer on ``qiskit.aer``.

    PennyLane 0.45 cannot differentiate broadcast inputs with the parameter-shift
    rule, so the batch is expanded into one QNode call per sample.
    """

    def __init__(self, n_qubits: int, n_layers: int) -> None:
        super().__init__()
        spec = CircuitSpec(n_qubits, n_layers)
        device = qml.device("qiskit.aer", wires=n_qubits, method="statevector")

        def circuit(inputs, weights):
            return spec.circuit(inputs, weights)

        qnode = qml.QNode(circuit, device, interface="torch", diff_method="parameter-shift")
        self.pre = nn.Linear(IN_FEATURES, n_qubits)
        self.layer = qml.qnn.TorchLayer(qnode, {"weights": spec.weight_shape})
        self.post = nn.Linear(n_qubits, N_CLASSES)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        angles = math.pi * torch.tanh(self.pre(features))
        expvals = torch.stack([self.layer(row) for row in angles])
        return self.post(expvals.to(features.dtype))


def make_model(backend: str, n_qubits: int, n_layers: int) -> nn.Module:
    """Build the head measured for ``backend``."""
    if backend == "torchlayer qiskit.aer (baseline)":
        return TorchLayerBaseline(n_qubits, n_layers)
    if backend == "aer shots=1024":
        return QuantumHead(IN_FEATURES, N_CLASSES, n_qubits, n_layers, backend="aer", shots=1024, seed=0)
    return QuantumHead(IN_FEATURES, N_CLASSES, n_qubits, n_layers, backend=backend.split()[0], seed=0)


def time_steps(step: Callable[[], None], min_seconds: float, max_steps: int) -> tuple[float, int]:
    """Run one warm-up step, then steps until ``min_seconds`` pass; return (seconds per step, steps)."""
    step()
    steps = 0
    start = time.perf_counter()
    while steps < max_steps and (steps == 0 or time.perf_counter() - start < min_seconds):
        step()
        steps += 1
    return (time.perf_counter() - start) / steps, steps


def measure(backend: str, n_qubits: int, n_layers: int, batch_size: int, min_seconds: float) -> Row:
    """Measure training and inference samples/s of one configuration."""
    model = make_model(backend, n_qubits, n_layers)
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.01)
    generator = torch.Generator().manual_seed(0)
    features = torch.randn(batch_size, IN_FEATURES, generator=generator)
    labels = torch.randint(0, N_CLASSES, (batch_size,), generator=generator)

    def train_step() -> None:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(features), labels).backward()
        optimizer.step()

    def inference_step() -> None:
        with torch.no_grad():
            model(features)

    is_baseline = "baseline" in backend
    max_steps = 1 if is_baseline else 1000
    train_seconds, steps = time_steps(train_step, min_seconds, max_steps)
    inference_seconds, _ = time_steps(inference_step, min_seconds, max_steps)
    return Row(backend, n_qubits, n_layers, batch_size, batch_size / train_seconds, batch_size / inference_seconds, steps)


def profile_aer(n_qubits: int, n_layers: int, batch_size: int, repeats: int = 3) -> dict[str, float]:
    """Split one exact ``aer`` training call into conversion, transpilation, binding, Aer and post-processing."""
    spec = CircuitSpec(n_qubits, n_layers)
    timings: dict[str, float] = {}

    start = time.perf_counter()
    converted = convert.__wrapped__(spec)
    timings["conversion_s"] = time.perf_counter() - start

    start = time.perf_counter()
    executor = AerExecutor(spec, converted)
    timings["transpile_and_setup_s"] = time.perf_counter() - start

    rng = np.random.default_rng(0)
    leaves = rng.uniform(-np.pi, np.pi, (batch_size, converted.n_leaves))
    binding_s = aer_s = post_s = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        bindings = parameter_shift.shift_bindings(parameter_shift.slot_values(leaves, converted.slot_leaf), True)
        binds = executor.transpiled.parameter_binds(bindings)
        binding_s += time.perf_counter() - start

        start = time.perf_counter()
        result = executor.simulator.run(executor.transpiled.circuit, parameter_binds=[binds]).result()
        aer_s += time.perf_counter() - start

        start = time.perf_counter()
        probabilities = np.array([experiment.data.probs for experiment in result.results])
        results = probabilities @ _z_signs(n_qubits)
        _, slot_jacobian = parameter_shift.split_results(results, batch_size, converted.n_slots, True)
        parameter_shift.leaf_jacobian(slot_jacobian, converted.slot_leaf, converted.n_leaves)
        post_s += time.perf_counter() - start

    timings.update(
        binding_s=binding_s / repeats,
        aer_run_s=aer_s / repeats,
        postprocessing_s=post_s / repeats,
        n_bindings=float(len(bindings)),
    )
    return timings


def compare_entry_points(n_qubits: int, n_layers: int, batch_size: int) -> dict[str, float]:
    """Time one training call's bindings through each Aer entry point; return the best of 3 calls, in seconds.

    Every variant computes the same exact <Z_i> for all B * (1 + 2 S) bindings.
    """
    from qiskit_aer import AerSimulator
    from qiskit_aer.primitives import EstimatorV2

    converted = convert(CircuitSpec(n_qubits, n_layers))
    parameters = list(converted.circuit.parameters)
    rng = np.random.default_rng(0)
    values = rng.uniform(-np.pi, np.pi, (batch_size * (1 + 2 * converted.n_slots), len(parameters)))
    binds = [{parameter: values[:, j] for j, parameter in enumerate(parameters)}]
    observables = converted.observables()
    fast_options = {"runtime_parameter_bind_enable": True, "fusion_enable": False}

    with_expvals = converted.circuit.copy()
    for i, observable in enumerate(observables):
        with_expvals.save_expectation_value(observable, range(n_qubits), label=f"z{i}")
    with_probabilities = converted.circuit.copy()
    with_probabilities.save_probabilities(label="probs")

    def estimator(options: dict) -> None:
        pub = (converted.circuit, [[observable] for observable in observables], values)
        EstimatorV2(options={"backend_options": options}).run([pub], precision=0.0).result()

    def run(circuit, options: dict) -> None:
        result = AerSimulator(method="statevector", **options).run(circuit, parameter_binds=binds).result()
        [experiment.data for experiment in result.results]

    variants = {
        "EstimatorV2 (parameter array)": lambda: estimator({}),
        "EstimatorV2 + runtime binding": lambda: estimator(fast_options),
        "run + save_expectation_value": lambda: run(with_expvals, {}),
        "run + save_expectation_value + runtime binding": lambda: run(with_expvals, fast_options),
        "run + save_probabilities + runtime binding (used)": lambda: run(with_probabilities, fast_options),
    }
    timings = {}
    for name, call in variants.items():
        seconds = []
        for _ in range(3):
            start = time.perf_counter()
            call()
            seconds.append(time.perf_counter() - start)
        timings[name] = min(seconds)
    return timings


def _z_signs(n_qubits: int) -> np.ndarray:
    from qhybrid.engines.readout import z_signs

    return z_signs(n_qubits)


def configurations() -> list[tuple[str, int, int, int]]:
    """Return every (backend, n_qubits, n_layers, batch_size) to measure, baseline first."""
    rows = [("torchlayer qiskit.aer (baseline)", *BASELINE_SIZE, b) for b in BASELINE_BATCH_SIZES]
    for n_qubits, n_layers in SIZES:
        for batch_size in BATCH_SIZES:
            for backend in ("aer", "aer shots=1024", "default.qubit", "lightning.qubit"):
                rows.append((backend, n_qubits, n_layers, batch_size))
    return rows


def ratio_to_baseline(row: Row, rows: list[Row], field: str) -> float | None:
    """Return the row's rate divided by the baseline's at the same size and batch, if measured."""
    for baseline in rows:
        same = (baseline.n_qubits, baseline.n_layers, baseline.batch_size) == (row.n_qubits, row.n_layers, row.batch_size)
        if "baseline" in baseline.backend and same:
            return getattr(row, field) / getattr(baseline, field)
    return None


def format_table(rows: list[Row]) -> str:
    """Return a markdown table of rates and ratios to the baseline."""
    lines = [
        "| backend | qubits | layers | batch | train samples/s | x baseline | inference samples/s | x baseline |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        train_ratio = ratio_to_baseline(row, rows, "train_samples_per_s")
        inference_ratio = ratio_to_baseline(row, rows, "inference_samples_per_s")
        lines.append(
            f"| {row.backend} | {row.n_qubits} | {row.n_layers} | {row.batch_size} | "
            f"{row.train_samples_per_s:.3g} | {_ratio(train_ratio)} | "
            f"{row.inference_samples_per_s:.3g} | {_ratio(inference_ratio)} |"
        )
    return "\n".join(lines)


def _ratio(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 10:
        return f"{value:.0f}x"
    return f"{value:.2g}x"


def machine() -> dict[str, str | int]:
    """Describe the machine the numbers come from."""
    import qiskit
    import qiskit_aer

    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": len(__import__("os").sched_getaffinity(0)),
        "torch_threads": torch.get_num_threads(),
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "pennylane": qml.__version__,
        "qiskit": qiskit.__version__,
        "qiskit_aer": qiskit_aer.__version__,
    }


def main(argv: list[str] | None = None) -> int:
    """Measure every configuration, print the table and write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/throughput.json"), help="JSON output file")
    parser.add_argument("--min-seconds", type=float, default=3.0, help="minimum timed wall seconds per measurement")
    args = parser.parse_args(argv)

    rows: list[Row] = []
    for backend, n_qubits, n_layers, batch_size in configurations():
        print(f"measuring {backend}, {n_qubits} qubits, {n_layers} layers, batch {batch_size} ...", flush=True)
        rows.append(measure(backend, n_qubits, n_layers, batch_size, args.min_seconds))

    profiles = {f"{n}q{l}l_batch{b}": profile_aer(n, l, b) for n, l in SIZES for b in BATCH_SIZES}
    entry_points = {f"{n}q{l}l_batch{b}": compare_entry_points(n, l, b) for n, l in [BASELINE_SIZE] for b in BATCH_SIZES}
    table = format_table(rows)
    print(table)
    print(json.dumps({"aer_profile": profiles, "aer_entry_points_s": entry_points}, indent=2))

    write_json_atomic(
        args.out,
        {
            "machine": machine(),
            "rows": [asdict(row) for row in rows],
            "aer_profile": profiles,
            "aer_entry_points_s": entry_points,
            "table": table,
        },
    )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
