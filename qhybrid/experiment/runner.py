"""``run_experiment``: load the data, extract features once, then train, test and save every head.

The command line runs it as::

    qhybrid run experiments/lambeq_mc.toml --data-root /path/to/datasets --out runs
"""

from __future__ import annotations

import dataclasses
import logging
import os
import platform
import shlex
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from torch import nn

from qhybrid.data import DATA_ROOT_ENV, DataSplits, load_splits
from qhybrid.exceptions import ConfigError
from qhybrid.experiment.config import ExperimentConfig
from qhybrid.experiment.features import EncodedSplits, encode_splits, resolve_cache_dir
from qhybrid.experiment.results import ExperimentResult, HeadResult
from qhybrid.experiment.run_folder import CHECKPOINT, HEADS_DIR, RunFolder
from qhybrid.features import FrozenEncoder, encoder_identity
from qhybrid.features.extract import EncoderFactory
from qhybrid.heads import HeadConfig, build_heads, count_parameters
from qhybrid.train import evaluate, train_head

logger = logging.getLogger(__name__)

RECORDED_PACKAGES = ("qhybrid", "torch", "pennylane", "qiskit", "qiskit-aer", "transformers")
"""Packages whose versions ``metrics.json`` records under ``environment``."""


def run_experiment(
    config: ExperimentConfig,
    data_root: str | os.PathLike[str] | None,
    out_dir: str | os.PathLike[str],
    progress: bool = True,
    config_path: str | os.PathLike[str] | None = None,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    heads: Sequence[str] | None = None,
    encoder_factory: EncoderFactory = FrozenEncoder,
) -> ExperimentResult:
    """Train and test every head of an experiment and write the results into ``out_dir/<name>/``.

    The splits are loaded with ``config.seed``, and the features of all splits are
    extracted in one cached pass. The heads are built in config order, so an MLP with
    ``match_parameters`` gets the parameter count of the head it names. Each head is then
    trained with early stopping on the validation split and evaluated on the test split.
    ``metrics.json`` and ``report.md`` are written before the first head and rewritten after
    every head, so an interrupted run keeps the results of the heads that finished.
    :mod:`qhybrid.experiment.run_folder` lists the files.

    Args:
        config: The experiment.
        data_root: Folder that relative data paths are resolved against. None reads the
            environment variable ``QHYBRID_DATA_ROOT``.
        out_dir: Parent folder of the run folder, which is named after ``config.name``.
        progress: Show progress bars over encoder batches and training epochs.
        config_path: The TOML file ``config`` was read from. It is copied into the run folder
            and named in the reproduce command. None writes the resolved config instead.
        cache_dir: Feature cache folder. None reads the environment variable
            ``QHYBRID_CACHE_DIR``, else uses ``~/.cache/qhybrid/features``.
        heads: Names of the heads to train, in config order whatever the order given. None
            trains all. A head named by a selected head's ``match_parameters`` is built to
            count its parameters, but not trained.
        encoder_factory: Builds the encoder on a feature cache miss; tests pass one that
            counts calls.

    Returns:
        The results, the trained heads and the run folder.

    Raises:
        ConfigError: If an argument is invalid, a head name in ``heads`` is unknown, the
            validation split is empty, or a head cannot be built.
        DataFileNotFoundError: If a data file, the data root or ``config_path`` does not exist.
        DataError: If a data file is malformed or empty.
        BackendError: If a quantum head's backend is unknown or misconfigured.

    Example:
        >>> config = load_experiment_config("experiments/lambeq_mc.toml")
        >>> result = run_experiment(config, "/data", "runs")  # doctest: +SKIP
        >>> result.result("quantum").test_accuracy  # doctest: +SKIP
        1.0
    """
    _check_arguments(config, out_dir, progress, config_path)
    selected = select_heads(config, heads)

    splits = load_splits(config.data, data_root, seed=config.seed)
    _check_validation_split(splits)
    encoded = encode_splits(splits, config.encoder, resolve_cache_dir(cache_dir), progress, encoder_factory)

    # Every head is built before the run folder is touched, so a bad head setting
    # fails the run before it writes anything.
    modules = _build_selected_heads(config, selected, encoded.dim, len(splits.label_map))
    folder = RunFolder(Path(out_dir) / config.name)
    folder.write_config(config, config_path)
    folder.write_data(splits)
    folder.write_test_features(encoded.test)

    result = ExperimentResult(
        config=config,
        run_dir=folder.path,
        encoder={**encoder_identity(config.encoder), "dim": encoded.dim},
        data_summary=splits.summary(),
        label_map=splits.label_map.to_dict(),
        heads=(),
        trained_heads={},
        command=reproduce_command(config_path, folder, data_root, out_dir, heads),
        environment=package_versions(),
    )
    folder.write_metrics(result.metrics())
    folder.write_report(result.metrics(), result.data_summary, result.command)
    for position, head_config in enumerate(selected, start=1):
        logger.info("Head %d/%d: %s (%s)", position, len(selected), head_config.name, head_config.kind)
        module = modules[head_config.name]
        head_result = _train_and_test(head_config, module, encoded, config, folder, result.label_map, progress)
        result = _with_head(result, head_result, module)
        folder.write_metrics(result.metrics())
        folder.write_report(result.metrics(), result.data_summary, result.command)

    logger.info("Results of experiment %s are in %s", config.name, folder.path)
    return result


def select_heads(config: ExperimentConfig, names: Sequence[str] | None) -> list[HeadConfig]:
    """Return the head configs to train: all of them, or those named, in config order.

    Raises:
        ConfigError: If ``names`` is empty or a string, or names a head the config lacks.
            The message lists the head names.
    """
    if names is None:
        return list(config.heads)
    valid = [head.name for head in config.heads]
    if isinstance(names, str) or not names:
        raise ConfigError(
            f"heads must be a non-empty list of head names, but got {names!r}; pass some of {valid}, "
            "or None to train all heads."
        )
    unknown = [name for name in names if name not in valid]
    if unknown:
        raise ConfigError(
            f"experiment {config.name!r} has no head named {unknown}; its heads are {valid}. "
            "Pass some of them."
        )
    return [head for head in config.heads if head.name in names]


def reproduce_command(
    config_path: str | os.PathLike[str] | None,
    folder: RunFolder,
    data_root: str | os.PathLike[str] | None,
    out_dir: str | os.PathLike[str],
    heads: Sequence[str] | None,
) -> str:
    """Return the ``qhybrid run`` command that repeats a run, with absolute paths.

    Without ``config_path``, the command reads the ``config.toml`` written into the run folder.
    """
    config_file = Path(config_path) if config_path is not None else folder.path / "config.toml"
    arguments = ["qhybrid", "run", str(config_file.resolve())]
    root = data_root if data_root is not None else os.environ.get(DATA_ROOT_ENV)
    if root:
        arguments += ["--data-root", str(Path(root).expanduser().resolve())]
    arguments += ["--out", str(Path(out_dir).resolve())]
    if heads is not None:
        arguments += ["--heads", *heads]
    return shlex.join(arguments)


def package_versions() -> dict[str, str | None]:
    """Return the Python version and the versions of :data:`RECORDED_PACKAGES`, None if missing."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for package in RECORDED_PACKAGES:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    return versions


def _check_arguments(config: Any, out_dir: Any, progress: Any, config_path: Any) -> None:
    if not isinstance(config, ExperimentConfig):
        raise ConfigError(
            f"config must be an ExperimentConfig, but got {type(config).__name__}; read it with "
            "load_experiment_config(path) or build it with ExperimentConfig.from_dict(table)."
        )
    if not isinstance(out_dir, str | os.PathLike) or not str(out_dir):
        raise ConfigError(f"out_dir must be a non-empty path, but got {out_dir!r}; pass for example 'runs'.")
    if not isinstance(progress, bool):
        raise ConfigError(f"progress must be True or False, but got {progress!r}.")
    if config_path is not None and not Path(config_path).is_file():
        raise ConfigError(
            f"config_path {str(config_path)!r} is not an existing file; pass the TOML file the config "
            "was read from, or None."
        )


def _check_validation_split(splits: DataSplits) -> None:
    # train_head picks the best epoch on the validation split, so it cannot be empty.
    if len(splits.validation) == 0:
        raise ConfigError(
            f"the validation split is empty (train has {len(splits.train)} rows), but training needs "
            "it to pick the best epoch; raise validation_fraction in [data], or give a validation file."
        )


def _build_selected_heads(
    config: ExperimentConfig, selected: list[HeadConfig], in_features: int, n_classes: int
) -> dict[str, nn.Module]:
    """Build the selected heads and the heads their ``match_parameters`` name, as ``build_heads`` does."""
    needed = {head.name for head in selected}
    needed |= {head.match_parameters for head in selected if head.match_parameters is not None}
    configs = [head for head in config.heads if head.name in needed]
    return build_heads(configs, in_features, n_classes, seed=config.seed)


def _train_and_test(
    head_config: HeadConfig,
    module: nn.Module,
    encoded: EncodedSplits,
    config: ExperimentConfig,
    folder: RunFolder,
    label_map: dict[str, int],
    progress: bool,
) -> HeadResult:
    history: list[dict[str, float]] = []

    def record_epoch(record: dict[str, float]) -> None:
        # Rewriting the whole file keeps it complete at every moment; it has one line per epoch.
        history.append(record)
        folder.write_history(head_config.name, history)

    trained = train_head(
        module,
        encoded.train.x,
        encoded.train.y,
        encoded.validation.x,
        encoded.validation.y,
        config.train,
        seed=config.seed,
        progress=progress,
        epoch_callback=record_epoch,
    )
    test = evaluate(module, encoded.test.x, encoded.test.y)

    extra = {"label_map": label_map, "experiment": config.name}
    folder.write_checkpoint(module, head_config, len(label_map), extra)
    logger.info(
        "Head %s: test accuracy %.3f, macro-F1 %.3f, best epoch %d of %d, %.1f s",
        head_config.name, test["accuracy"], test["macro_f1"], trained.best_epoch, len(trained.history),
        trained.train_seconds,
    )
    return HeadResult(
        head=head_config.name,
        kind=head_config.kind,
        backend=_backend_name(head_config, module),
        shots=head_config.shots if head_config.kind == "quantum" else None,
        n_parameters=count_parameters(module),
        test_accuracy=test["accuracy"],
        test_macro_f1=test["macro_f1"],
        test_loss=test["loss"],
        test_confusion_matrix=test["confusion_matrix"],
        val_accuracy=trained.best["val_accuracy"],
        val_loss=trained.best["val_loss"],
        best_epoch=trained.best_epoch,
        epochs_run=len(trained.history),
        stopped_early=trained.stopped_early,
        train_seconds=trained.train_seconds,
        checkpoint=f"{HEADS_DIR}/{head_config.name}/{CHECKPOINT}",
    )


def _backend_name(head_config: HeadConfig, module: nn.Module) -> str:
    if head_config.kind != "quantum":
        return "torch"
    return str(getattr(module, "backend", head_config.backend))


def _with_head(result: ExperimentResult, head_result: HeadResult, module: nn.Module) -> ExperimentResult:
    return dataclasses.replace(
        result,
        heads=(*result.heads, head_result),
        trained_heads={**result.trained_heads, head_result.head: module},
    )
