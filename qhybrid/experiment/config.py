"""``ExperimentConfig``: one experiment as written in a TOML file, and the loader of that file.

An experiment file has two top-level keys and four sections::

    name = "sentiment_yelp"        # name of the results folder OUT/<name>/
    seed = 0                       # fixes splits, initial weights, shuffling and shot sampling

    [data]                         # qhybrid.data.DataConfig
    path = "uci_sentiment_labelled/yelp_labelled.txt"

    [encoder]                      # qhybrid.features.EncoderConfig (optional)
    [train]                        # qhybrid.train.TrainConfig (optional)

    [[heads]]                      # qhybrid.heads.HeadConfig, one table per head
    name = "quantum"
    kind = "quantum"
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qhybrid.data import DataConfig
from qhybrid.exceptions import ConfigError, DataFileNotFoundError
from qhybrid.features import EncoderConfig
from qhybrid.heads import HeadConfig
from qhybrid.train import TrainConfig

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

TOP_LEVEL_KEYS: tuple[str, ...] = ("name", "seed", "data", "encoder", "train", "heads")
"""Keys allowed at the top level of an experiment file, in the order they are documented."""

MAX_NAME_LENGTH = 100
"""Maximum length of :attr:`ExperimentConfig.name` in characters, well below file system limits."""

_NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class ExperimentConfig:
    """A dataset, a frozen encoder, training settings and the heads to compare on them.

    Build it with :func:`load_experiment_config` from a TOML file, or with :meth:`from_dict`.
    The constructor validates the fields and their cross-references.

    Example:
        >>> config = ExperimentConfig.from_dict({
        ...     "name": "mc", "data": {"format": "lambeq", "train": "mc_train.txt", "test": "mc_test.txt"},
        ...     "heads": [{"name": "linear", "kind": "linear"}],
        ... })
        >>> config.train.epochs
        30
    """

    name: str
    """Experiment name and results folder name: letters, digits, ``.``, ``_`` and ``-``, starting
    with a letter or digit, at most :data:`MAX_NAME_LENGTH` characters."""

    data: DataConfig
    """Source of the texts and labels, and their splitting (the ``[data]`` section)."""

    heads: tuple[HeadConfig, ...]
    """Heads to train, in order (the ``[[heads]]`` tables). At least one, with unique names. A head
    with ``match_parameters`` must come after the head it names."""

    seed: int = 0
    """Seed of the data splits, the initial weights, the shuffling and the shot sampling, an integer >= 0."""

    encoder: EncoderConfig = field(default_factory=EncoderConfig)
    """Frozen encoder that turns texts into features (the ``[encoder]`` section)."""

    train: TrainConfig = field(default_factory=TrainConfig)
    """Training settings shared by every head (the ``[train]`` section)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "heads", _as_head_tuple(self.heads))
        _check_name(self.name)
        _check_seed(self.seed)
        _check_section("data", self.data, DataConfig)
        _check_section("encoder", self.encoder, EncoderConfig)
        _check_section("train", self.train, TrainConfig)
        _check_heads(self.heads)
        _check_validation_split(self.data)

    @classmethod
    def from_dict(cls, table: Mapping[str, Any], source: str | None = None) -> ExperimentConfig:
        """Build a config from a parsed experiment file or another mapping.

        Args:
            table: Top-level keys of :data:`TOP_LEVEL_KEYS`. ``data`` and ``heads`` are required.
            source: File the table was read from. Every error message starts with it.

        Returns:
            The validated config.

        Raises:
            ConfigError: If a key or section is unknown (the message lists the valid ones), a
                required one is missing, or a value is invalid.
        """
        prefix = f"{source}: " if source else ""
        try:
            return cls(**_parse_table(table))
        except ConfigError as error:
            raise ConfigError(f"{prefix}{error}") from error

    def to_dict(self) -> dict[str, Any]:
        """Return every field, defaults and None values included, as a JSON-ready dict.

        A head option that JSON cannot encode, such as a Qiskit ``NoiseModel`` object passed
        in Python, is written as its ``repr``.
        """
        return {
            "name": self.name,
            "seed": self.seed,
            "data": self.data.to_dict(),
            "encoder": self.encoder.to_dict(),
            "train": self.train.to_dict(),
            "heads": [_json_ready(_head_dict(head)) for head in self.heads],
        }

    def to_toml_dict(self) -> dict[str, Any]:
        """Return the fields as a dict that a TOML writer accepts, which has no None values.

        :func:`load_experiment_config` reads the written file back to an equal config, unless
        a head option is an object that :meth:`to_dict` writes as its ``repr``.
        """
        return _drop_none(self.to_dict())

    def head(self, name: str) -> HeadConfig:
        """Return the head config called ``name``.

        Raises:
            ConfigError: If no head has that name. The message lists the head names.
        """
        for head in self.heads:
            if head.name == name:
                return head
        raise ConfigError(
            f"experiment {self.name!r} has no head named {name!r}; its heads are "
            f"{[head.name for head in self.heads]}. Pass one of them."
        )


def load_experiment_config(path: str | os.PathLike[str]) -> ExperimentConfig:
    """Read an experiment TOML file.

    Args:
        path: The experiment file.

    Returns:
        The validated config.

    Raises:
        DataFileNotFoundError: If ``path`` does not exist or is a directory.
        ConfigError: If the file is not valid UTF-8 TOML (the message names the line), or its
            content is not a valid experiment. Every message starts with the path.
    """
    file = Path(path).expanduser()
    table = read_toml(file, "experiment config", "experiments/lambeq_mc.toml")
    return ExperimentConfig.from_dict(table, source=str(file))


def read_toml(path: str | os.PathLike[str], kind: str, example: str) -> dict[str, Any]:
    """Parse a UTF-8 TOML file, such as an experiment or bench config.

    Args:
        path: The file.
        kind: What the file is, for messages, such as ``"experiment config"``.
        example: A path to suggest when the file is missing.

    Raises:
        DataFileNotFoundError: If ``path`` does not exist or is a directory.
        ConfigError: If the file is not valid UTF-8 TOML; the message starts with the path
            and names the line.
    """
    file = Path(path).expanduser()
    if not file.is_file():
        state = "is a directory" if file.is_dir() else "not found"
        raise DataFileNotFoundError(
            f"{kind} {str(file)!r} {state}; pass the path of a TOML file such as {example}."
        )
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise ConfigError(f"{file}: the file is not valid UTF-8 ({error.reason}); re-encode it.") from error
    except tomllib.TOMLDecodeError as error:
        # The message of tomllib ends with "(at line L, column C)".
        raise ConfigError(f"{file}: invalid TOML: {error}. Fix the syntax at that line.") from error


def _parse_table(table: Mapping[str, Any]) -> dict[str, Any]:
    """Turn the top-level table into constructor arguments, building the section configs."""
    if not isinstance(table, Mapping):
        raise ConfigError(
            f"the experiment must be a mapping of keys to values, but got {type(table).__name__}; "
            "pass the parsed TOML file."
        )
    unknown = sorted(str(key) for key in table if key not in TOP_LEVEL_KEYS)
    if unknown:
        raise ConfigError(
            f"unknown top-level key(s) or section(s) {unknown}; valid ones are {list(TOP_LEVEL_KEYS)}. "
            "Fix the spelling or remove them."
        )
    missing = [key for key in ("name", "data", "heads") if key not in table]
    if missing:
        raise ConfigError(
            f"the experiment needs {missing}; add name = \"...\", a [data] section and at least "
            "one [[heads]] table."
        )

    arguments: dict[str, Any] = {"name": table["name"], "heads": _parse_heads(table["heads"])}
    if "seed" in table:
        arguments["seed"] = table["seed"]
    sections = {"data": DataConfig, "encoder": EncoderConfig, "train": TrainConfig}
    for key, section_class in sections.items():
        if key in table:
            arguments[key] = _parse_section(key, table[key], section_class)
    return arguments


def _parse_section(key: str, value: Any, section_class: type) -> Any:
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"[{key}] must be a table, but got {type(value).__name__} {value!r}; write it as a "
            f"[{key}] section with key = value lines."
        )
    try:
        return section_class.from_dict(value)
    except ConfigError as error:
        raise ConfigError(f"[{key}] {error}") from error


def _parse_heads(value: Any) -> tuple[HeadConfig, ...]:
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise ConfigError(
            f"heads must be an array of tables, but got {type(value).__name__}; write each head "
            "as a [[heads]] table with name and kind."
        )
    heads = []
    for position, item in enumerate(value, start=1):
        try:
            heads.append(HeadConfig.from_dict(dict(item)))
        except ConfigError as error:
            raise ConfigError(f"[[heads]] table {position}: {error}") from error
    return tuple(heads)


def _as_head_tuple(heads: Any) -> tuple[HeadConfig, ...]:
    if isinstance(heads, HeadConfig) or isinstance(heads, str | bytes | Mapping):
        raise ConfigError(
            f"heads must be a sequence of HeadConfig, but got {type(heads).__name__}; wrap a "
            "single head in a list."
        )
    try:
        return tuple(heads)
    except TypeError as error:
        raise ConfigError(
            f"heads must be a sequence of HeadConfig, but got {type(heads).__name__}."
        ) from error


def _check_name(name: Any, key: str = "name", example: str = "sentiment_yelp") -> None:
    valid = (
        isinstance(name, str)
        and len(name) <= MAX_NAME_LENGTH
        and _NAME_PATTERN.fullmatch(name) is not None
    )
    if not valid:
        raise ConfigError(
            f"{key} must be a folder name of letters, digits, '.', '_' and '-' that starts with a "
            f"letter or digit and has at most {MAX_NAME_LENGTH} characters, but got {name!r}; "
            f"use for example \"{example}\"."
        )


def _check_seed(seed: Any) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ConfigError(f"seed must be an integer >= 0, but got {seed!r}; write for example seed = 0.")


def _check_section(key: str, value: Any, expected: type) -> None:
    if not isinstance(value, expected):
        raise ConfigError(
            f"{key} must be a {expected.__name__}, but got {type(value).__name__}; build it with "
            f"{expected.__name__}.from_dict(...)."
        )


def _check_heads(heads: tuple[Any, ...]) -> None:
    if not heads:
        raise ConfigError("the experiment has no heads; add at least one [[heads]] table with name and kind.")
    seen: list[str] = []
    for head in heads:
        if not isinstance(head, HeadConfig):
            raise ConfigError(
                f"heads must contain HeadConfig objects, but got {type(head).__name__}; build them "
                "with HeadConfig.from_dict(...)."
            )
        _check_name(head.name, key="head name", example="mlp_matched")
        if head.name in seen:
            raise ConfigError(
                f"two heads are named {head.name!r}; head names must be unique because each names "
                "a results folder. Rename one of them."
            )
        _check_match_parameters(head, seen)
        seen.append(head.name)


def _check_match_parameters(head: HeadConfig, earlier: list[str]) -> None:
    if head.match_parameters is None:
        return
    if head.kind != "mlp":
        raise ConfigError(
            f"head {head.name!r}: match_parameters applies to mlp heads only, but the head is of "
            f"kind {head.kind!r}; remove match_parameters."
        )
    if head.match_parameters not in earlier:
        raise ConfigError(
            f"head {head.name!r}: match_parameters={head.match_parameters!r} names no head listed "
            f"before it (earlier heads: {earlier}); list that head first or fix the name."
        )


def _check_validation_split(data: DataConfig) -> None:
    # train_head selects the best epoch on the validation split, so every experiment needs one.
    if data.single_source is not None and len(data.split) == 2:
        raise ConfigError(
            f"[data] split={list(data.split)} leaves no validation split, which training needs for "
            "early stopping and for picking the best epoch; give three fractions such as [0.8, 0.1, 0.1]."
        )


def _head_dict(head: HeadConfig) -> dict[str, Any]:
    """Return every field of ``head``: its own ``to_dict``, which converts nested configs, and None for the rest."""
    return {**{field.name: None for field in dataclasses.fields(head)}, **head.to_dict()}


def _json_ready(value: Any) -> Any:
    """Convert tuples to lists, recursively, and objects JSON cannot encode to their ``repr``."""
    if isinstance(value, Mapping):
        return {str(key): _json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)


def _drop_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _drop_none(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_drop_none(item) for item in value]
    return value
