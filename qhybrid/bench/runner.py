"""``run_bench``: train every head on every device, dataset and seed, and write the results folder.

The command line runs it as::

    qhybrid bench experiments/bench_qnlp.toml --data-root /path/to/datasets --out runs

Per dataset the splits are loaded once (seeded by the dataset's ``split_seed``) and
the features are extracted once through the feature cache, so every row of a
dataset trains and tests on the same features and splits. Seeds change only the initial weights,
the shuffling and the shot sampling.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch import nn
from tqdm.auto import tqdm

from qhybrid.bench.circuit_cost import CircuitCost, estimate_circuit_cost
from qhybrid.bench.config import BenchConfig, BenchDataset
from qhybrid.bench.dataset import PreparedDataset, prepare_dataset
from qhybrid.bench.latency import LATENCY_BATCH_SIZES, LatencyStats, measure_latency
from qhybrid.bench.noise_sweep import run_noise_sweep
from qhybrid.bench.output import write_outputs
from qhybrid.bench.results import FAILED_PREFIX, STATUS_OK, BenchResult, BenchRow, SeedOutcome
from qhybrid.bench.significance import PairedComparison, compare_paired
from qhybrid.exceptions import ConfigError
from qhybrid.experiment import EncodedSplits
from qhybrid.experiment.runner import package_versions
from qhybrid.features import FrozenEncoder
from qhybrid.features.extract import EncoderFactory
from qhybrid.heads import HeadConfig, build_head
from qhybrid.noise import fake_backend
from qhybrid.train import evaluate, train_head

logger = logging.getLogger(__name__)

TrainedStates = dict[int, dict[str, torch.Tensor]]
"""CPU copies of a head's trained ``state_dict`` by seed."""


def run_bench(
    config: BenchConfig,
    data_root: str | os.PathLike[str] | None,
    out_dir: str | os.PathLike[str],
    progress: bool = True,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    encoder_factory: EncoderFactory = FrozenEncoder,
) -> BenchResult:
    """Run the grid of ``config`` and write ``results.json``, ``report.md`` and plots to ``out_dir/<name>/``.

    Each row trains one head on one device at every seed, with early stopping on the
    validation split, and evaluates it on the test split. A row whose device is missing,
    or whose backend cannot use it, is kept with a ``"skipped: <reason>"`` status. A row
    that raises is logged and kept with a ``"failed: <error>"`` status, so one broken
    row does not lose the others. The results are rewritten after every dataset.

    Args:
        config: The bench.
        data_root: Folder that relative data paths are resolved against; None reads
            ``QHYBRID_DATA_ROOT``.
        out_dir: Parent folder of the results folder, which is named after ``config.name``.
        progress: Show progress bars over the grid and over encoder batches.
        cache_dir: Feature cache folder; None reads ``QHYBRID_CACHE_DIR``, else uses
            ``~/.cache/qhybrid/features``.
        encoder_factory: Builds the encoder on a feature cache miss; tests pass a stub.

    Returns:
        Every row, the paired tests and the noise sweep.

    Raises:
        ConfigError: If an argument is invalid or a dataset has no validation split.
        DataFileNotFoundError: If a data file or the data root does not exist.
        DataError: If a data file is malformed.
        BackendError: If ``config.ibm_target`` cannot be loaded.

    Example:
        >>> config = load_bench_config("experiments/bench_qnlp.toml")
        >>> result = run_bench(config, "/data", "runs")  # doctest: +SKIP
    """
    _check_arguments(config, out_dir, progress)
    start = time.perf_counter()
    folder = Path(out_dir) / config.name
    target = fake_backend(config.ibm_target)
    result = BenchResult(
        name=config.name,
        config=config.to_dict(),
        machine=machine_description(),
        environment=package_versions(),
        datasets={},
    )

    n_runs = len(config.datasets) * len(config.heads) * len(config.devices) * len(config.seeds)
    bar = tqdm(total=n_runs, desc="bench", unit="run", disable=not progress)
    for dataset in config.datasets:
        prepared = prepare_dataset(dataset, data_root, cache_dir, progress, encoder_factory)
        result = _run_dataset(config, dataset, prepared, target, bar, result)
        write_outputs(folder, result, plots=False)
    bar.close()

    result = dataclasses.replace(result, wall_seconds=time.perf_counter() - start)
    write_outputs(folder, result, plots=True)
    logger.info("Bench %s finished in %.0f s; results are in %s", config.name, result.wall_seconds, folder)
    return result


def device_skip_reason(head: HeadConfig, device: str) -> str | None:
    """Return why ``head`` cannot run on ``device`` as a ``"skipped: ..."`` status, or None if it can.

    Only ``default.qubit`` computes with torch tensors, so it is the only quantum
    backend that can keep a head on a CUDA device. The other engines copy the
    angles to the CPU and return CPU tensors.

    NOTE: no test has run a quantum head on a CUDA device yet, because the test
    machines have no GPU; a failure there ends up as a ``"failed: ..."`` row.
    """
    if not device.startswith("cuda"):
        return None
    if not torch.cuda.is_available():
        return "skipped: no CUDA device"
    index = torch.device(device).index
    if index is not None and index >= torch.cuda.device_count():
        return f"skipped: no CUDA device {device} ({torch.cuda.device_count()} found)"
    if head.kind == "quantum" and head.backend != "default.qubit":
        return (
            f"skipped: backend {head.backend!r} computes on the CPU and returns CPU tensors; "
            "only default.qubit keeps a quantum head on a CUDA device"
        )
    return None


def machine_description() -> dict[str, Any]:
    """Return the platform, CPU count, torch threads and CUDA devices, for ``results.json``."""
    cuda_devices = [torch.cuda.get_device_name(index) for index in range(torch.cuda.device_count())]
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "cuda_devices": cuda_devices,
    }


def _run_dataset(
    config: BenchConfig,
    dataset: BenchDataset,
    prepared: PreparedDataset,
    target: Any,
    bar: Any,
    result: BenchResult,
) -> BenchResult:
    rows: list[BenchRow] = []
    sweep_states: TrainedStates = {}
    sweep_head = config.noise_sweep.head if config.noise_sweep is not None else None
    for head in dataset.experiment.heads:
        for device in config.devices:
            bar.set_description(f"{dataset.name} {head.name} {device}")
            row, states = _run_row(config, prepared, head, device, target, bar.update)
            rows.append(row)
            if head.name == sweep_head and row.status == STATUS_OK and not sweep_states:
                sweep_states = states

    comparison = compare_rows(config, dataset.name, rows)
    points = ()
    if config.noise_sweep is not None:
        bar.set_description(f"{dataset.name} noise sweep")
        sweep = config.noise_sweep
        points = tuple(run_noise_sweep(sweep, dataset.experiment.head(sweep.head), prepared, sweep_states))
    return dataclasses.replace(
        result,
        datasets={**result.datasets, dataset.name: prepared.summary},
        rows=(*result.rows, *rows),
        comparisons=(*result.comparisons, *([comparison] if comparison is not None else [])),
        noise_sweep=(*result.noise_sweep, *points),
    )


def _run_row(
    config: BenchConfig,
    prepared: PreparedDataset,
    head: HeadConfig,
    device: str,
    target: Any,
    advance: Callable[[int], Any],
) -> tuple[BenchRow, TrainedStates]:
    """Train ``head`` on ``device`` at every seed, then time it and cost its circuit."""
    identity = {
        "dataset": prepared.name,
        "head": head.name,
        "kind": head.kind,
        "backend": head.backend if head.kind == "quantum" else "torch",
        "device": device,
        "n_parameters": prepared.parameter_counts[head.name],
    }
    reason = device_skip_reason(head, device)
    if reason is not None:
        advance(len(config.seeds))
        return BenchRow(status=reason, n_seeds=0, **identity), {}

    outcomes: list[SeedOutcome] = []
    states: TrainedStates = {}
    try:
        splits = prepared.on_device(device)
        first_head: nn.Module | None = None
        for seed in config.seeds:
            module, outcome = _train_and_test(head, prepared, splits, device, seed, config.noisy_training)
            outcomes.append(outcome)
            states[seed] = {key: value.detach().cpu().clone() for key, value in module.state_dict().items()}
            if first_head is None:
                first_head = module
            advance(1)
        latency = _measure_latencies(first_head, splits.test.x, config)
        circuit = _circuit_cost(head, prepared, config, target)
    except Exception as error:  # noqa: BLE001 - one failing row must not end a bench of many rows
        logger.error("Row %s/%s/%s failed", prepared.name, head.name, device, exc_info=True)
        advance(len(config.seeds) - len(outcomes))
        status = f"{FAILED_PREFIX}{type(error).__name__}: {error}"
        return BenchRow(status=status, n_seeds=len(outcomes), seeds=tuple(outcomes), **identity), {}

    row = BenchRow(
        status=STATUS_OK,
        n_seeds=len(outcomes),
        trained_without_noise=without_noise(head, config.noisy_training) is not head,
        seeds=tuple(outcomes),
        latency=latency,
        circuit=circuit,
        **identity,
    )
    return row, states


def without_noise(head: HeadConfig, noisy_training: bool) -> HeadConfig:
    """Return the config that ``head`` trains with: ``head`` itself, or a copy without noise and mitigation.

    The copy is returned when ``noisy_training`` is false and ``head`` has noise or mitigation.
    """
    if noisy_training or (head.noise is None and head.mitigation is None):
        return head
    return dataclasses.replace(head, noise=None, mitigation=None)


def _train_and_test(
    head: HeadConfig,
    prepared: PreparedDataset,
    splits: EncodedSplits,
    device: str,
    seed: int,
    noisy_training: bool,
) -> tuple[nn.Module, SeedOutcome]:
    matched = prepared.parameter_counts.get(head.match_parameters or "")
    training_config = without_noise(head, noisy_training)
    module = build_head(training_config, prepared.dim, prepared.n_classes, seed, matched).to(device)
    trained = train_head(
        module,
        splits.train.x,
        splits.train.y,
        splits.validation.x,
        splits.validation.y,
        prepared.train_config,
        seed=seed,
        progress=False,
    )
    if training_config is not head:
        noisy = build_head(head, prepared.dim, prepared.n_classes, seed, matched).to(device)
        noisy.load_state_dict(module.state_dict())
        module = noisy
    test = evaluate(module, splits.test.x, splits.test.y)
    logger.info(
        "%s %s on %s, seed %d: test accuracy %.3f in %.1f s",
        prepared.name, head.name, device, seed, test["accuracy"], trained.train_seconds,
    )
    outcome = SeedOutcome(
        seed=seed,
        accuracy=test["accuracy"],
        macro_f1=test["macro_f1"],
        train_seconds=trained.train_seconds,
        best_epoch=trained.best_epoch,
        val_accuracy=trained.best["val_accuracy"],
    )
    return module, outcome


def _measure_latencies(module: nn.Module | None, test_x: torch.Tensor, config: BenchConfig) -> tuple[LatencyStats, ...]:
    if module is None:
        return ()
    return tuple(
        measure_latency(
            module, test_x, batch_size, config.latency_repeats, config.latency_warmup, config.latency_max_seconds
        )
        for batch_size in LATENCY_BATCH_SIZES
    )


def _circuit_cost(head: HeadConfig, prepared: PreparedDataset, config: BenchConfig, target: Any) -> CircuitCost | None:
    if head.kind != "quantum":
        return None
    spec = prepared.circuit_specs[head.name]
    zne = head.mitigation.zne if head.mitigation is not None else None
    return estimate_circuit_cost(
        spec,
        target,
        shots=head.shots or config.hardware_shots,
        n_predictions=prepared.n_test,
        scale_factors=zne.scale_factors if zne is not None else (1.0,),
    )


def compare_rows(config: BenchConfig, dataset: str, rows: list[BenchRow]) -> PairedComparison | None:
    """Run the paired test between the compared heads on the first device where both ran.

    Returns:
        The comparison, or None when the bench has no such pair or they share fewer than 2 seeds.
    """
    pair = config.compared_heads()
    if pair is None:
        return None
    quantum, classical = pair
    for device in config.devices:
        scores = {
            row.head: {outcome.seed: outcome.accuracy for outcome in row.seeds}
            for row in rows
            if row.device == device and row.status == STATUS_OK and row.head in pair
        }
        if len(scores) < 2:
            continue
        shared = [seed for seed in config.seeds if seed in scores[quantum] and seed in scores[classical]]
        if len(shared) >= 2:
            return compare_paired(
                dataset,
                quantum,
                classical,
                [scores[quantum][seed] for seed in shared],
                [scores[classical][seed] for seed in shared],
                config.significance.alpha,
            )
    logger.warning("No device ran both %s and %s on %s at 2 or more seeds; no paired test", quantum, classical, dataset)
    return None


def _check_arguments(config: Any, out_dir: Any, progress: Any) -> None:
    if not isinstance(config, BenchConfig):
        raise ConfigError(
            f"config must be a BenchConfig, got {type(config).__name__}; read it with load_bench_config(path)."
        )
    if not isinstance(out_dir, str | os.PathLike) or not str(out_dir):
        raise ConfigError(f"out_dir must be a non-empty path, got {out_dir!r}; pass for example 'runs'.")
    if not isinstance(progress, bool):
        raise ConfigError(f"progress must be True or False, got {progress!r}.")
