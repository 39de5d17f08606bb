"""``BenchConfig``: the grid of a benchmark (heads x devices x datasets x seeds), read from a TOML file.

A bench file reuses the sections of an experiment file (``[encoder]``, ``[train]``,
``[[heads]]``) and adds the grid around them::

    name = "bench_qnlp"                  # results folder OUT/<name>/
    seeds = [0, 1, 2, 3, 4]              # initial weights, shuffling and shot sampling
    devices = ["cpu", "cuda"]            # rows on a missing device are marked skipped
    ibm_target = "fake_brisbane"         # fake IBM backend for circuit depth and QPU time
    hardware_shots = 4096                # shots per circuit assumed on hardware for exact heads

    [[datasets]]
    name = "mc"
    [datasets.data]                      # qhybrid.data.DataConfig
    format = "lambeq"
    train = "lambeq_mc_rp/mc_train_data.txt"
    test = "lambeq_mc_rp/mc_test_data.txt"

    [encoder]                            # qhybrid.features.EncoderConfig, shared by every dataset.
    [train]                              # qhybrid.train.TrainConfig, shared by every head.
    [[heads]]                            # qhybrid.heads.HeadConfig, one table per head.
    [noise_sweep]                        # Optional: accuracy of a trained head under scaled noise.
    [significance]                       # Optional: the two heads that the paired test compares.

Each dataset becomes an :class:`~qhybrid.experiment.ExperimentConfig` named after
the dataset, so its sections, heads and their cross-references are validated
exactly as ``qhybrid run`` validates them.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qhybrid.exceptions import ConfigError
from qhybrid.experiment import ExperimentConfig
from qhybrid.experiment.config import read_toml
from qhybrid.heads import HeadConfig
from qhybrid.mitigation import Mitigation
from qhybrid.noise import NoiseSpec, fake_backend_names

logger = logging.getLogger(__name__)

MIN_SEEDS_FOR_STATISTICS = 5
"""Fewer seeds than this log a warning: the std and the paired test need several runs."""

TOP_LEVEL_KEYS: tuple[str, ...] = (
    "name", "seeds", "devices", "ibm_target", "hardware_shots", "latency_repeats", "latency_warmup",
    "latency_max_seconds", "noisy_training", "datasets", "encoder", "train", "heads", "noise_sweep", "significance",
)
"""Keys allowed at the top level of a bench file."""

_SCALAR_KEYS = TOP_LEVEL_KEYS[:TOP_LEVEL_KEYS.index("datasets")]

DATASET_KEYS: tuple[str, ...] = ("name", "data", "split_seed")
"""Keys allowed in a ``[[datasets]]`` table."""

_DEVICE_PATTERN = re.compile(r"cpu|cuda(:\d+)?")
_NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class NoiseSweepConfig:
    """Accuracy of a trained quantum head evaluated under scaled noise, with and without mitigation.

    The head is trained once per seed as configured (noiseless on ``default.qubit``,
    for example). Its trained weights are then loaded into an ``aer`` head with noise
    ``noise.scaled(s)`` for every scale ``s``, and the test accuracy is measured.
    So the sweep shows what noise at inference does to a head trained without it.
    """

    head: str
    """Name of a quantum head in ``[[heads]]`` whose trained weights are evaluated."""

    noise: NoiseSpec
    """Noise at scale 1, e.g. ``{depolarizing_1q = 0.001, depolarizing_2q = 0.01, readout_flip = 0.01}``."""

    scales: tuple[float, ...] = (0.0, 0.5, 1.0, 2.0, 4.0)
    """Factors applied to every probability of ``noise`` (capped at 1), each >= 0."""

    mitigation: Mitigation | None = None
    """Mitigation of the second curve (a ``[noise_sweep.mitigation]`` table), or None for no such curve."""

    shots: int | None = None
    """Shots per circuit during the sweep; None evaluates exact (density-matrix) expectation values."""

    @classmethod
    def from_dict(cls, table: Mapping[str, Any]) -> NoiseSweepConfig:
        """Build the config from a ``[noise_sweep]`` table, rejecting unknown keys.

        Raises:
            ConfigError: If a key is unknown or missing, or a value is invalid.
        """
        values = dict(_checked_keys(cls, table, "[noise_sweep]"))
        if "head" not in values or "noise" not in values:
            raise ConfigError(
                f"[noise_sweep] needs 'head' and 'noise', got keys {sorted(values)}; add head = \"quantum\" "
                "and a noise table such as {depolarizing_2q = 0.01}."
            )
        values["noise"] = NoiseSpec.from_dict(values["noise"])
        if "mitigation" in values:
            values["mitigation"] = Mitigation.from_dict(values["mitigation"])
        if "scales" in values:
            values["scales"] = _check_scales(values["scales"])
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict, None fields left out."""
        data = {
            "head": self.head,
            "noise": self.noise.to_dict(),
            "scales": list(self.scales),
            "mitigation": None if self.mitigation is None else self.mitigation.to_dict(),
            "shots": self.shots,
        }
        return {key: value for key, value in data.items() if value is not None}


@dataclass(frozen=True)
class SignificanceConfig:
    """The two heads whose test accuracies the paired test over seeds compares on each dataset."""

    quantum: str | None = None
    """A quantum head; None picks the head that ``classical`` matches, else the first quantum head."""

    classical: str | None = None
    """A classical head; None picks the first MLP head whose ``match_parameters`` names ``quantum``."""

    alpha: float = 0.05
    """Significance level of the test, in (0, 1)."""

    @classmethod
    def from_dict(cls, table: Mapping[str, Any]) -> SignificanceConfig:
        """Build the config from a ``[significance]`` table, rejecting unknown keys.

        Raises:
            ConfigError: If a key is unknown or ``alpha`` is not in (0, 1).
        """
        config = cls(**_checked_keys(cls, table, "[significance]"))
        if isinstance(config.alpha, bool) or not isinstance(config.alpha, float | int) or not 0 < config.alpha < 1:
            raise ConfigError(f"[significance] alpha must be a number in (0, 1), got {config.alpha!r}; use 0.05.")
        return config


@dataclass(frozen=True)
class BenchDataset:
    """One dataset of the grid, as the experiment that ``qhybrid run`` would run on it."""

    name: str
    """Dataset name used in result rows."""

    experiment: ExperimentConfig
    """Data, encoder, training and heads; its ``seed`` is the dataset's ``split_seed``."""


@dataclass(frozen=True)
class BenchConfig:
    """A benchmark: every head on every device, dataset and seed, and the extra studies.

    Build it with :func:`load_bench_config` or :meth:`from_dict`.
    """

    name: str
    """Results folder name: letters, digits, ``.``, ``_`` and ``-``, starting with a letter or digit."""

    datasets: tuple[BenchDataset, ...]
    """Datasets, each with its own splits and cached features, at least one."""

    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    """Seeds of initial weights, shuffling and shot sampling; each row trains once per seed.
    The splits stay fixed by each dataset's ``split_seed``."""

    devices: tuple[str, ...] = ("cpu", "cuda")
    """Torch devices: ``"cpu"``, ``"cuda"`` or ``"cuda:N"``. Rows whose device is missing are kept
    with a ``"skipped: ..."`` status."""

    ibm_target: str = "fake_brisbane"
    """Fake IBM backend (``qiskit_ibm_runtime.fake_provider``) that circuits are transpiled to for
    depth, two-qubit gate count and the QPU time estimate."""

    hardware_shots: int = 4096
    """Shots per circuit assumed on hardware for heads trained with exact expectation values."""

    latency_repeats: int = 30
    """Timed forward passes per batch size in the latency measurement."""

    latency_warmup: int = 3
    """Untimed forward passes before the timed ones."""

    latency_max_seconds: float = 10.0
    """Timed seconds per batch size after which the latency measurement stops, provided 3 passes
    ran. Slow heads, such as Aer with ZNE at batch 256, then report fewer than ``latency_repeats``."""

    noisy_training: bool = False
    """Whether quantum heads with ``noise`` or ``mitigation`` also train under them. False trains
    them on the same backend without noise and mitigation, then applies both at test time and in
    the latency measurement, as a head trained on a simulator would be deployed on hardware."""

    noise_sweep: NoiseSweepConfig | None = None
    """The noise study, or None to leave it out."""

    significance: SignificanceConfig = field(default_factory=SignificanceConfig)
    """Heads compared by the paired test."""

    def __post_init__(self) -> None:
        _check_name(self.name)
        object.__setattr__(self, "seeds", _check_seeds(self.seeds))
        object.__setattr__(self, "devices", _check_devices(self.devices))
        _check_ibm_target(self.ibm_target)
        _check_positive_int("hardware_shots", self.hardware_shots)
        _check_latency_settings(self.latency_repeats, self.latency_warmup, self.latency_max_seconds)
        if not isinstance(self.noisy_training, bool):
            raise ConfigError(f"noisy_training must be true or false, got {self.noisy_training!r}.")
        _check_datasets(self.datasets)
        _check_noise_sweep(self.noise_sweep, self.heads)
        self.compared_heads()

    @property
    def heads(self) -> tuple[HeadConfig, ...]:
        """The heads in config order, the same for every dataset."""
        return self.datasets[0].experiment.heads

    def compared_heads(self) -> tuple[str, str] | None:
        """Return the (quantum, classical) head names that the paired test compares.

        Names left out of ``[significance]`` are filled in: the classical head is the first
        MLP whose ``match_parameters`` names the quantum head, and the quantum head is the
        one the classical head matches, else the first quantum head.

        Returns:
            The two names, or None when the bench has no such pair.

        Raises:
            ConfigError: If a name given in ``[significance]`` is not a head of the right kind.
        """
        kinds = {head.name: head.kind for head in self.heads}
        quantum, classical = self.significance.quantum, self.significance.classical
        _check_compared("quantum", quantum, kinds, lambda kind: kind == "quantum")
        _check_compared("classical", classical, kinds, lambda kind: kind != "quantum")

        matches = {
            head.name: head.match_parameters
            for head in self.heads
            if head.match_parameters is not None and kinds.get(head.match_parameters) == "quantum"
        }
        if classical is None:
            candidates = [name for name, target in matches.items() if quantum is None or target == quantum]
            classical = candidates[0] if candidates else None
        if quantum is None:
            quantum = matches.get(classical or "")
        if quantum is None:
            quantum = next((name for name, kind in kinds.items() if kind == "quantum"), None)
        if quantum is None or classical is None:
            return None
        return quantum, classical

    @classmethod
    def from_dict(cls, table: Mapping[str, Any], source: str | None = None) -> BenchConfig:
        """Build a config from a parsed bench file.

        Args:
            table: Top-level keys of :data:`TOP_LEVEL_KEYS`; ``name``, ``seeds``, ``datasets``
                and ``heads`` are required.
            source: File the table was read from; every error message starts with it.

        Raises:
            ConfigError: If a key is unknown (the message lists the valid ones), a required one
                is missing, or a value is invalid.
        """
        prefix = f"{source}: " if source else ""
        try:
            return cls(**_parse_table(table))
        except ConfigError as error:
            raise ConfigError(f"{prefix}{error}") from error

    def to_dict(self) -> dict[str, Any]:
        """Return the resolved config as a JSON-ready dict, for ``results.json``."""
        first = self.datasets[0].experiment.to_dict()
        return {
            "name": self.name,
            "seeds": list(self.seeds),
            "devices": list(self.devices),
            "ibm_target": self.ibm_target,
            "hardware_shots": self.hardware_shots,
            "latency_repeats": self.latency_repeats,
            "latency_warmup": self.latency_warmup,
            "latency_max_seconds": self.latency_max_seconds,
            "noisy_training": self.noisy_training,
            "datasets": [
                {"name": dataset.name, "split_seed": dataset.experiment.seed, "data": dataset.experiment.data.to_dict()}
                for dataset in self.datasets
            ],
            "encoder": first["encoder"],
            "train": first["train"],
            "heads": first["heads"],
            "noise_sweep": None if self.noise_sweep is None else self.noise_sweep.to_dict(),
            "significance": dataclasses.asdict(self.significance),
        }


def load_bench_config(path: str | os.PathLike[str]) -> BenchConfig:
    """Read a bench TOML file.

    Raises:
        DataFileNotFoundError: If ``path`` does not exist or is a directory.
        ConfigError: If the file is not valid UTF-8 TOML or not a valid bench; every
            message starts with the path.
    """
    file = Path(path).expanduser()
    table = read_toml(file, "bench config", "experiments/bench_qnlp.toml")
    return BenchConfig.from_dict(table, source=str(file))


def _parse_table(table: Mapping[str, Any]) -> dict[str, Any]:
    """Turn the top-level table into constructor arguments."""
    if not isinstance(table, Mapping):
        raise ConfigError(f"the bench must be a mapping of keys to values, got {type(table).__name__}.")
    unknown = sorted(str(key) for key in table if key not in TOP_LEVEL_KEYS)
    if unknown:
        raise ConfigError(
            f"unknown top-level key(s) or section(s) {unknown}; valid ones are {list(TOP_LEVEL_KEYS)}. "
            "Fix the spelling or remove them."
        )
    missing = [key for key in ("name", "seeds", "datasets", "heads") if key not in table]
    if missing:
        raise ConfigError(
            f"the bench needs {missing}; add name = \"...\", seeds = [0, 1, 2, 3, 4], at least one "
            "[[datasets]] table and at least one [[heads]] table."
        )

    shared = {key: table[key] for key in ("encoder", "train", "heads") if key in table}
    arguments: dict[str, Any] = {"datasets": _parse_datasets(table["datasets"], shared)}
    for key in _SCALAR_KEYS:
        if key in table:
            arguments[key] = table[key]
    if "noise_sweep" in table:
        arguments["noise_sweep"] = NoiseSweepConfig.from_dict(table["noise_sweep"])
    if "significance" in table:
        arguments["significance"] = SignificanceConfig.from_dict(table["significance"])
    return arguments


def _parse_datasets(value: Any, shared: dict[str, Any]) -> tuple[BenchDataset, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(item, Mapping) for item in value):
        raise ConfigError(
            f"datasets must be a non-empty array of tables, got {value!r}; write each dataset as a "
            "[[datasets]] table with name and a [datasets.data] table."
        )
    datasets = []
    for position, item in enumerate(value, start=1):
        unknown = sorted(str(key) for key in item if key not in DATASET_KEYS)
        if unknown or "name" not in item or "data" not in item:
            raise ConfigError(
                f"[[datasets]] table {position} must have name and data, and may have split_seed; got keys "
                f"{sorted(item)}. Fix or remove {unknown or 'nothing'}."
            )
        experiment_table = {
            "name": item["name"],
            "seed": item.get("split_seed", 0),
            "data": item["data"],
            **shared,
        }
        experiment = ExperimentConfig.from_dict(experiment_table, source=f"[[datasets]] {item['name']!r}")
        datasets.append(BenchDataset(name=experiment.name, experiment=experiment))
    return tuple(datasets)


def _checked_keys(cls: type, table: Any, section: str) -> Mapping[str, Any]:
    if not isinstance(table, Mapping):
        raise ConfigError(f"{section} must be a table of keys and values, got {type(table).__name__} {table!r}.")
    valid = [config_field.name for config_field in dataclasses.fields(cls)]
    unknown = sorted(str(key) for key in table if key not in valid)
    if unknown:
        raise ConfigError(f"unknown {section} key(s) {unknown}; valid keys are {valid}. Fix or remove them.")
    return table


def _check_name(name: Any) -> None:
    if not isinstance(name, str) or len(name) > 100 or _NAME_PATTERN.fullmatch(name) is None:
        raise ConfigError(
            f"name must be a folder name of letters, digits, '.', '_' and '-' that starts with a letter or "
            f"digit and has at most 100 characters, got {name!r}; use for example \"bench_qnlp\"."
        )


def _check_seeds(seeds: Any) -> tuple[int, ...]:
    if isinstance(seeds, str) or not isinstance(seeds, Sequence) or len(seeds) == 0:
        raise ConfigError(
            f"seeds must be a non-empty list of integers >= 0, got {seeds!r}; write for example "
            "seeds = [0, 1, 2, 3, 4] (at least 5 for the mean and std to mean much)."
        )
    for seed in seeds:
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ConfigError(f"seeds must contain integers >= 0, got {list(seeds)} with {seed!r}.")
    if len(set(seeds)) != len(seeds):
        raise ConfigError(f"seeds must be distinct, got {list(seeds)}; a repeated seed repeats the same run.")
    if len(seeds) < MIN_SEEDS_FOR_STATISTICS:
        logger.warning(
            "seeds %s has fewer than %d entries, so the std and the paired test over seeds say little; "
            "list at least %d seeds for results to report",
            list(seeds), MIN_SEEDS_FOR_STATISTICS, MIN_SEEDS_FOR_STATISTICS,
        )
    return tuple(seeds)


def _check_devices(devices: Any) -> tuple[str, ...]:
    if isinstance(devices, str) or not isinstance(devices, Sequence) or len(devices) == 0:
        raise ConfigError(f"devices must be a non-empty list such as [\"cpu\", \"cuda\"], got {devices!r}.")
    for device in devices:
        if not isinstance(device, str) or _DEVICE_PATTERN.fullmatch(device) is None:
            raise ConfigError(
                f"unknown device {device!r} in devices; use 'cpu', 'cuda' or 'cuda:N' with N a GPU index."
            )
    if len(set(devices)) != len(devices):
        raise ConfigError(f"devices must be distinct, got {list(devices)}.")
    return tuple(devices)


def _check_ibm_target(name: Any) -> None:
    valid = fake_backend_names()
    if name not in valid:
        raise ConfigError(
            f"ibm_target must name a fake IBM backend such as 'fake_brisbane', got {name!r}; "
            f"valid names include {list(valid[:8])} ({len(valid)} in all)."
        )


def _check_positive_int(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{name} must be a positive integer, got {value!r}.")


def _check_latency_settings(repeats: Any, warmup: Any, max_seconds: Any) -> None:
    _check_positive_int("latency_repeats", repeats)
    if isinstance(warmup, bool) or not isinstance(warmup, int) or warmup < 0:
        raise ConfigError(f"latency_warmup must be an integer >= 0, got {warmup!r}; use 3.")
    if isinstance(max_seconds, bool) or not isinstance(max_seconds, float | int) or not max_seconds > 0:
        raise ConfigError(f"latency_max_seconds must be a number > 0, got {max_seconds!r}; use 10.")


def _check_scales(scales: Any) -> tuple[float, ...]:
    if isinstance(scales, str) or not isinstance(scales, Sequence) or len(scales) == 0:
        raise ConfigError(f"[noise_sweep] scales must be a non-empty list of numbers >= 0, got {scales!r}.")
    for scale in scales:
        if isinstance(scale, bool) or not isinstance(scale, float | int) or scale < 0:
            raise ConfigError(f"[noise_sweep] scales must contain numbers >= 0, got {list(scales)} with {scale!r}.")
    return tuple(float(scale) for scale in scales)


def _check_datasets(datasets: tuple[BenchDataset, ...]) -> None:
    if not datasets:
        raise ConfigError("the bench has no datasets; add at least one [[datasets]] table.")
    names = [dataset.name for dataset in datasets]
    if len(set(names)) != len(names):
        raise ConfigError(f"dataset names must be unique, got {names}; rename one of them.")


def _check_compared(role: str, name: str | None, kinds: dict[str, str], fits: Any) -> None:
    if name is None:
        return
    if name not in kinds or not fits(kinds[name]):
        candidates = [head for head, kind in kinds.items() if fits(kind)]
        raise ConfigError(
            f"[significance] {role}={name!r} is not a {role} head of this bench; choose one of {candidates}."
        )


def _check_noise_sweep(sweep: NoiseSweepConfig | None, heads: tuple[HeadConfig, ...]) -> None:
    if sweep is None:
        return
    quantum = [head.name for head in heads if head.kind == "quantum"]
    if sweep.head not in quantum:
        raise ConfigError(
            f"[noise_sweep] head={sweep.head!r} is not a quantum head of this bench; choose one of {quantum}."
        )
