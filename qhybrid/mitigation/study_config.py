"""``NoiseStudyConfig``: the noise and mitigation study of a trained quantum head, as written in TOML.

A study file has the sections of an experiment with one head, plus ``[study]`` and ``[sweep]``::

    name = "noise_mc"
    seed = 0
    [data]      # qhybrid.data.DataConfig
    [encoder]   # qhybrid.features.EncoderConfig
    [train]     # qhybrid.train.TrainConfig
    [head]      # qhybrid.heads.HeadConfig of the quantum head, trained as configured
    [study]     # noise, shots, acceptance, and one [study.mitigations.NAME] table per setting
    [sweep]     # base NoiseSpec, strengths, and the mitigation compared against none
"""

from __future__ import annotations

import dataclasses
import math
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qhybrid.data import DataConfig
from qhybrid.exceptions import ConfigError, DataFileNotFoundError
from qhybrid.features import EncoderConfig
from qhybrid.heads import HeadConfig
from qhybrid.mitigation.config import Mitigation
from qhybrid.noise import NoiseSpec
from qhybrid.train import TrainConfig

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


@dataclass(frozen=True)
class StudyConfig:
    """The ``[study]`` table: the device noise and the mitigation settings compared under it."""

    noise: str = "fake_manila"
    """Fake IBM backend whose noise model, coupling map and basis gates the noisy runs use."""

    shots: int = 8192
    """Shots per circuit of every noisy run; the ideal reference is exact."""

    mitigations: dict[str, Mitigation] = field(default_factory=dict)
    """Mitigation settings by name, each evaluated under ``noise`` (``[study.mitigations.NAME]`` tables)."""

    acceptance: str | None = None
    """Name of the setting whose mean absolute expvals error must be at most half the unmitigated one."""

    def __post_init__(self) -> None:
        if isinstance(self.shots, bool) or not isinstance(self.shots, int) or self.shots < 1:
            raise ConfigError(f"study.shots must be a positive integer, got {self.shots!r}.")
        mitigations = {str(name): _as_mitigation(name, value) for name, value in dict(self.mitigations).items()}
        object.__setattr__(self, "mitigations", mitigations)
        if self.acceptance is not None and self.acceptance not in mitigations:
            raise ConfigError(
                f"study.acceptance={self.acceptance!r} names no [study.mitigations] table; "
                f"choose one of {sorted(mitigations)}."
            )


@dataclass(frozen=True)
class SweepConfig:
    """The ``[sweep]`` table: a depolarizing and readout spec scaled over noise strengths."""

    base: NoiseSpec = field(default_factory=lambda: NoiseSpec(0.001, 0.01, 0.02))
    """Noise at strength 1; strength s multiplies every probability by s."""

    strengths: tuple[float, ...] = (0.0, 0.5, 1.0, 2.0, 4.0)
    """Noise strengths to evaluate, each >= 0."""

    mitigation: Mitigation = field(default_factory=lambda: Mitigation(readout="matrix"))
    """Mitigation evaluated at every strength beside the unmitigated run."""

    def __post_init__(self) -> None:
        if isinstance(self.base, Mapping):
            object.__setattr__(self, "base", NoiseSpec.from_dict(self.base))
        object.__setattr__(self, "mitigation", _as_mitigation("sweep", self.mitigation))
        strengths = tuple(self.strengths)
        if not strengths or any(isinstance(s, bool) or not isinstance(s, (int, float)) or not math.isfinite(s) or s < 0
                                for s in strengths):
            raise ConfigError(f"sweep.strengths must be a non-empty list of numbers >= 0, got {list(strengths)}.")
        object.__setattr__(self, "strengths", tuple(float(s) for s in strengths))


@dataclass(frozen=True)
class NoiseStudyConfig:
    """Everything :func:`qhybrid.mitigation.study.run_noise_study` needs."""

    name: str
    """Study name, used in the report title."""

    data: DataConfig
    """Dataset and splits (the ``[data]`` section)."""

    head: HeadConfig
    """The quantum head to train (the ``[head]`` section); it trains on its own ``backend``."""

    seed: int = 0
    """Seed of the splits, the initial weights, shuffling, shot sampling and mitigation randomness."""

    encoder: EncoderConfig = field(default_factory=EncoderConfig)
    """Frozen encoder of the features (the ``[encoder]`` section)."""

    train: TrainConfig = field(default_factory=TrainConfig)
    """Training settings (the ``[train]`` section)."""

    study: StudyConfig = field(default_factory=StudyConfig)
    """Device noise and mitigation settings (the ``[study]`` section)."""

    sweep: SweepConfig = field(default_factory=SweepConfig)
    """Noise-strength sweep (the ``[sweep]`` section)."""

    def __post_init__(self) -> None:
        if self.head.kind != "quantum":
            raise ConfigError(f"[head] must be a quantum head, got kind={self.head.kind!r}.")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ConfigError(f"seed must be an integer >= 0, got {self.seed!r}.")

    @classmethod
    def from_dict(cls, table: Mapping[str, Any]) -> NoiseStudyConfig:
        """Build the config from a parsed TOML file, rejecting unknown keys at every level.

        Raises:
            ConfigError: if a key is unknown (the message lists the valid keys), a
                required section is missing, or a value is invalid.
        """
        _check_keys("study file", table, [f.name for f in dataclasses.fields(cls)])
        for required in ("name", "data", "head"):
            if required not in table:
                raise ConfigError(f"the study file needs a {required!r} entry; add it (see experiments/noise_mc.toml).")
        study = dict(table.get("study", {}))
        _check_keys("[study]", study, [f.name for f in dataclasses.fields(StudyConfig)])
        sweep = dict(table.get("sweep", {}))
        _check_keys("[sweep]", sweep, [f.name for f in dataclasses.fields(SweepConfig)])
        return cls(
            name=table["name"],
            seed=table.get("seed", 0),
            data=DataConfig.from_dict(table["data"]),
            head=HeadConfig.from_dict(table["head"]),
            encoder=EncoderConfig.from_dict(table.get("encoder", {})),
            train=TrainConfig.from_dict(table.get("train", {})),
            study=StudyConfig(**study),
            sweep=SweepConfig(**sweep),
        )

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict of the whole configuration."""
        return {
            "name": self.name,
            "seed": self.seed,
            "data": _json_ready(self.data.to_dict()),
            "encoder": self.encoder.to_dict(),
            "train": self.train.to_dict(),
            "head": self.head.to_dict(),
            "study": {
                "noise": self.study.noise,
                "shots": self.study.shots,
                "acceptance": self.study.acceptance,
                "mitigations": {name: m.to_dict() for name, m in self.study.mitigations.items()},
            },
            "sweep": {
                "base": self.sweep.base.to_dict(),
                "strengths": list(self.sweep.strengths),
                "mitigation": self.sweep.mitigation.to_dict(),
            },
        }


def load_noise_study_config(path: str | os.PathLike[str]) -> NoiseStudyConfig:
    """Read a study TOML file such as ``experiments/noise_mc.toml``.

    Raises:
        DataFileNotFoundError: if the file does not exist.
        ConfigError: if it is not valid TOML or not a valid study.
    """
    file = Path(path)
    if not file.is_file():
        raise DataFileNotFoundError(f"study file not found: {file}; pass for example experiments/noise_mc.toml.")
    try:
        table = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{file}: invalid TOML: {error}") from error
    return NoiseStudyConfig.from_dict(table)


def _as_mitigation(name: Any, value: Any) -> Mitigation:
    if isinstance(value, Mitigation):
        return value
    if isinstance(value, Mapping):
        return Mitigation.from_dict(value)
    raise ConfigError(f"mitigation {name!r} must be a table of Mitigation fields, got {value!r}.")


def _check_keys(where: str, table: Any, valid: list[str]) -> None:
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where} must be a table, got {table!r}.")
    unknown = sorted(str(key) for key in table if key not in valid)
    if unknown:
        raise ConfigError(f"unknown key(s) {unknown} in {where}; valid keys are {valid}.")


def _json_ready(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _json_ready(item) for key, item in value.items() if item is not None}
    if isinstance(value, (list, tuple)):
        return [_json_ready(item) for item in value]
    return value
