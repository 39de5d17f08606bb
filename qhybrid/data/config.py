"""Configuration of where a dataset comes from and how it is split, read from a TOML ``[data]`` table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from numbers import Real
from typing import Any

from qhybrid.data.splits import validate_fractions
from qhybrid.exceptions import ConfigError

DATA_FORMATS = ("tsv", "csv", "jsonl", "lambeq", "hf")
"""Values of :attr:`DataConfig.format`: the file formats of :mod:`qhybrid.data.readers` and ``"hf"``."""


@dataclass(frozen=True)
class DataConfig:
    """Source, columns and splitting of one labeled text dataset.

    Give either one source to split (``path``, or ``hf_split`` for the hub) or given splits
    (``train`` and ``test``, optionally ``validation``). Relative file paths are resolved
    against the data root by :func:`qhybrid.data.load_splits`.

    Example:
        >>> config = DataConfig.from_dict({
        ...     "format": "csv", "train": "banking77/train.csv", "test": "banking77/test.csv",
        ...     "label_order": "banking77/categories.json",
        ... })
        >>> config.validation_fraction
        0.1
    """

    format: str | None = None
    """One of :data:`DATA_FORMATS`. None infers each file's format from its extension (``.txt`` is tsv)."""

    path: str | None = None
    """Single file to divide into train, validation and test by ``split``. Not combined with ``train``."""

    train: str | None = None
    """Training file, or the hub split name when ``format`` is ``"hf"``. Needs ``test``."""

    validation: str | None = None
    """Validation file or hub split. None carves it out of train with ``validation_fraction``."""

    test: str | None = None
    """Test file or hub split, used as given."""

    text_column: int | str | None = None
    """Text column index or name (tsv, csv), or JSON key (jsonl). None uses the reader's default."""

    label_column: int | str | None = None
    """Label column index or name (tsv, csv), or JSON key (jsonl). None uses the reader's default."""

    header: bool | None = None
    """Whether the first row names the columns (tsv, csv).

    None uses the reader's default, which is false for tsv and true for csv.
    """

    split: tuple[float, ...] = (0.8, 0.1, 0.1)
    """Fractions ``(train, validation, test)`` or ``(train, test)`` that divide ``path`` or ``hf_split``."""

    validation_fraction: float = 0.1
    """Fraction of the given train split carved out as validation when ``validation`` is None, in (0, 1)."""

    label_order: str | tuple[str, ...] | None = None
    """Class order: the labels themselves, or a JSON file that lists them. None sorts the labels.

    A relative file path is resolved against the data root.
    """

    max_rows: int | None = None
    """Maximum rows kept from each source file or hub split. None keeps all rows.

    The rows are sampled stratified with the seed of ``load_splits``, before any splitting.
    """

    hf_name: str | None = None
    """Hugging Face dataset name, such as ``"imdb"``. Required when ``format`` is ``"hf"``."""

    hf_config: str | None = None
    """Hugging Face dataset configuration, such as ``"sst2"`` of ``"glue"``."""

    hf_split: str | None = None
    """Single hub split to divide by ``split``, the hub's counterpart of ``path``."""

    hf_text_field: str = "text"
    """Hub dataset column with the texts."""

    hf_label_field: str = "label"
    """Hub dataset column with the labels."""

    def __post_init__(self) -> None:
        self._check_field_types()
        object.__setattr__(self, "split", validate_fractions(self.split, argument="split"))
        if isinstance(self.label_order, Sequence) and not isinstance(self.label_order, str):
            object.__setattr__(self, "label_order", tuple(self.label_order))
        self._check_sources()
        self._check_format_options()

    @classmethod
    def from_dict(cls, table: Mapping[str, Any]) -> DataConfig:
        """Build a config from a TOML ``[data]`` table or another mapping.

        Args:
            table: Keys are field names of DataConfig. Lists become tuples.

        Returns:
            The validated config.

        Raises:
            ConfigError: If a key is unknown (the message lists the valid keys), a value has the
                wrong type or range, or the keys do not describe one way to get the splits.
        """
        if not isinstance(table, Mapping):
            raise ConfigError(
                f"the data table must be a mapping of keys to values, but got {type(table).__name__}; "
                "pass the [data] table of the experiment TOML."
            )
        valid = [field.name for field in fields(cls)]
        unknown = sorted(set(table) - set(valid))
        if unknown:
            raise ConfigError(
                f"unknown data config keys {unknown}; valid keys are {valid}. Fix or remove them."
            )
        values = {key: tuple(value) if isinstance(value, list) else value for key, value in table.items()}
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """Return the config as a JSON-ready dict, tuples as lists, for writing into results."""
        values = asdict(self)
        return {key: list(value) if isinstance(value, tuple) else value for key, value in values.items()}

    @property
    def single_source(self) -> str | None:
        """The file or hub split to divide by ``split``, or None when the splits are given."""
        return self.hf_split if self.format == "hf" else self.path

    def _check_field_types(self) -> None:
        for name in _OPTIONAL_STRINGS:
            if getattr(self, name) is not None:
                _check_string(name, getattr(self, name))
        _check_string("hf_text_field", self.hf_text_field)
        _check_string("hf_label_field", self.hf_label_field)
        for name in ("text_column", "label_column"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | str)):
                raise ConfigError(
                    f"{name} must be a column index (int) or name (str), but got {value!r}; "
                    "write for example 0 or \"text\"."
                )
        if self.header is not None and not isinstance(self.header, bool):
            raise ConfigError(
                f"header must be true or false, but got {self.header!r}; omit it for the reader's default."
            )
        _check_fraction("validation_fraction", self.validation_fraction)
        _check_label_order(self.label_order)
        _check_max_rows(self.max_rows)

    def _check_sources(self) -> None:
        if self.format is not None and self.format not in DATA_FORMATS:
            raise ConfigError(
                f"format must be one of {list(DATA_FORMATS)}, but got {self.format!r}; pick one of them, "
                "or omit it to infer the format from the file extension."
            )
        single_key, other_single = ("hf_split", "path") if self.format == "hf" else ("path", "hf_split")
        if getattr(self, other_single) is not None:
            raise ConfigError(
                f"{other_single}={getattr(self, other_single)!r} does not apply to format {self.format!r}; "
                f"use {single_key} for a single source to split."
            )
        split_keys = [name for name in ("train", "validation", "test") if getattr(self, name) is not None]
        if self.single_source is not None and split_keys:
            raise ConfigError(
                f"give either {single_key} (one source to split) or train/test (given splits), "
                f"but got {single_key}={self.single_source!r} and {split_keys}. Remove one of them."
            )
        if self.single_source is None and not {"train", "test"} <= set(split_keys):
            raise ConfigError(
                f"the data config needs {single_key} (one source to split) or both train and test, "
                f"but got {split_keys or 'none of them'}; add the missing key."
            )

    def _check_format_options(self) -> None:
        column_keys = ("text_column", "label_column", "header")
        if self.format == "hf":
            if self.hf_name is None:
                raise ConfigError("format 'hf' needs hf_name, the Hugging Face dataset name; add it.")
            _reject_options(self, column_keys, "hub columns are set by hf_text_field and hf_label_field")
            return

        set_hub_keys = [key for key in ("hf_name", "hf_config", "hf_split") if getattr(self, key) is not None]
        for key in ("hf_text_field", "hf_label_field"):
            if getattr(self, key) != _default(key):
                set_hub_keys.append(key)
        if set_hub_keys:
            raise ConfigError(
                f"{set_hub_keys} apply only to format 'hf', but format is {self.format!r}; "
                "remove them or set format = \"hf\"."
            )
        if self.format == "lambeq":
            _reject_options(self, column_keys, "lambeq files have no columns")
        if self.format == "jsonl":
            _reject_options(self, ("header",), "JSON Lines files have no header")
            for name in ("text_column", "label_column"):
                value = getattr(self, name)
                if isinstance(value, int):
                    raise ConfigError(
                        f"{name} must be a JSON key (str) for format 'jsonl', but got {value!r}; "
                        "write the key in quotes."
                    )


_OPTIONAL_STRINGS = ("format", "path", "train", "validation", "test", "hf_name", "hf_config", "hf_split")


def _check_string(name: str, value: object) -> None:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{name} must be a non-empty string, but got {value!r}; write it in quotes.")


def _check_max_rows(max_rows: object) -> None:
    if max_rows is None:
        return
    if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1:
        raise ConfigError(
            f"max_rows must be an integer >= 1, but got {max_rows!r}; omit it to keep every row."
        )


def _check_fraction(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 < value < 1:
        raise ConfigError(
            f"{name} must be a number strictly between 0 and 1, but got {value!r}; the default is 0.1."
        )


def _check_label_order(label_order: object) -> None:
    if label_order is None or (isinstance(label_order, str) and label_order):
        return
    if isinstance(label_order, Sequence) and not isinstance(label_order, str) and label_order:
        if all(isinstance(label, str) for label in label_order):
            return
    raise ConfigError(
        f"label_order must be a JSON file path or a non-empty list of label strings, but got "
        f"{label_order!r}; omit it to sort the labels."
    )


def _reject_options(config: DataConfig, names: Sequence[str], reason: str) -> None:
    set_names = [name for name in names if getattr(config, name) is not None]
    if set_names:
        raise ConfigError(
            f"{set_names} do not apply to format {config.format!r}, because {reason}. Remove them."
        )


def _default(name: str) -> Any:
    return next(field.default for field in fields(DataConfig) if field.name == name)
