"""Loading the train, validation and test splits that a :class:`DataConfig` describes."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qhybrid.data._parsing import check_file, read_text
from qhybrid.data.config import DataConfig
from qhybrid.data.hub import load_hf_dataset
from qhybrid.data.label_map import LabelMap
from qhybrid.data.readers import read_labeled_file, resolve_format
from qhybrid.data.records import LabeledTexts
from qhybrid.data.splits import SPLIT_NAMES, check_seed, stratified_sample, stratified_split
from qhybrid.exceptions import ConfigError, DataError, DataFileNotFoundError

logger = logging.getLogger(__name__)

DATA_ROOT_ENV = "QHYBRID_DATA_ROOT"
"""Environment variable with the data root, used when ``load_splits`` gets ``data_root=None``."""


@dataclass(frozen=True)
class DataSplits:
    """The three splits of a dataset and the label map built for them."""

    train: LabeledTexts
    """Training rows. ``load_splits`` never returns an empty training split."""

    validation: LabeledTexts
    """Validation rows, empty when ``split`` has only two fractions."""

    test: LabeledTexts
    """Test rows. ``load_splits`` never returns an empty test split."""

    label_map: LabelMap
    """Class order, from ``label_order`` or the sorted training labels."""

    def summary(self) -> dict[str, Any]:
        """Return the size, source and class counts of each split, for a results file.

        Returns:
            ``{"n_classes": int, "labels": [label, ...], "splits": {name: {"size": int,
            "source": str | None, "class_counts": {label: int}}}}`` with labels and class
            counts in class-index order. Classes absent from a split count 0.
        """
        splits = {}
        for name in SPLIT_NAMES:
            data: LabeledTexts = getattr(self, name)
            counts = data.class_counts()
            splits[name] = {
                "size": len(data),
                "source": data.source,
                "class_counts": {label: counts.get(label, 0) for label in self.label_map.labels},
            }
        return {"n_classes": len(self.label_map), "labels": list(self.label_map.labels), "splits": splits}


def load_splits(
    config: DataConfig,
    data_root: str | os.PathLike[str] | None = None,
    seed: int = 0,
) -> DataSplits:
    """Read the dataset that ``config`` describes and return its train, validation and test splits.

    With one source (``path`` or ``hf_split``), the rows are divided by ``config.split``.
    With given splits, train and test are used as given, and a missing validation split is
    carved out of train with ``config.validation_fraction``. ``max_rows`` subsamples each
    source before any splitting. Everything random uses ``seed``.

    Args:
        config: The data config.
        data_root: Folder that relative paths in ``config`` are resolved against. None reads
            the environment variable ``QHYBRID_DATA_ROOT``.
        seed: Seed of the subsampling and splitting, an integer >= 0.

    Returns:
        The splits and their label map.

    Raises:
        ConfigError: If ``config`` is not a DataConfig, ``seed`` is invalid, or a relative
            path needs a data root and none is set.
        DataFileNotFoundError: If a data file, the label order file or the data root does not exist.
        DataError: If a file is malformed or empty, train or test ends up empty, or a
            validation or test label does not occur in train or in ``label_order``.

    Example:
        >>> config = DataConfig.from_dict({"path": "uci_sentiment_labelled/yelp_labelled.txt"})
        >>> splits = load_splits(config, "/data", seed=0)  # doctest: +SKIP
    """
    if not isinstance(config, DataConfig):
        raise ConfigError(
            f"config must be a DataConfig, but got {type(config).__name__}; "
            "build it with DataConfig.from_dict."
        )
    check_seed(seed)
    root = _data_root(data_root)

    if config.single_source is not None:
        train, validation, test = _split_single_source(config, root, seed)
    else:
        train, validation, test = _load_given_splits(config, root, seed)
    for name, data in (("train", train), ("test", test)):
        if len(data) == 0:
            raise DataError(
                f"the {name} split is empty (source {data.source}); use a larger source or larger "
                f"{name} fraction in split."
            )

    label_map = _label_map(config, train, root)
    for name, data in (("validation", validation), ("test", test)):
        _check_labels_seen(name, data, train)
    splits = DataSplits(train, validation, test, label_map)
    logger.info(
        "Loaded splits of sizes train=%d validation=%d test=%d with %d classes",
        len(train), len(validation), len(test), len(label_map),
    )
    return splits


def resolve_data_path(path: str, data_root: Path | None, key: str = "path") -> Path:
    """Resolve a configured path: absolute paths stay, relative ones are joined to the data root.

    Args:
        path: The configured path.
        data_root: Folder that relative paths are relative to, or None.
        key: Config key of the path, for messages.

    Returns:
        The path to read.

    Raises:
        ConfigError: If ``path`` is relative and ``data_root`` is None.
        DataFileNotFoundError: If the data root is not a folder, or the file does not exist under it.
    """
    file = Path(path).expanduser()
    if file.is_absolute():
        return file
    if data_root is None:
        raise ConfigError(
            f"{key}={path!r} is relative, but no data root is set; pass --data-root or set "
            f"{DATA_ROOT_ENV} to the folder that contains it."
        )
    if not data_root.is_dir():
        raise DataFileNotFoundError(
            f"data root {str(data_root)!r} is not an existing folder, so {key}={path!r} cannot be "
            f"found; pass --data-root or set {DATA_ROOT_ENV} to the datasets folder."
        )
    if not (data_root / file).exists():
        raise DataFileNotFoundError(
            f"{key}={path!r} not found under the data root {str(data_root)!r}; check the path "
            "or the data root."
        )
    return data_root / file


def _data_root(data_root: str | os.PathLike[str] | None) -> Path | None:
    if data_root is not None:
        return Path(data_root).expanduser()
    from_environment = os.environ.get(DATA_ROOT_ENV)
    return Path(from_environment).expanduser() if from_environment else None


def _split_single_source(
    config: DataConfig, root: Path | None, seed: int
) -> tuple[LabeledTexts, LabeledTexts, LabeledTexts]:
    key = "hf_split" if config.format == "hf" else "path"
    source = _read_source(config, config.single_source, key, root, seed)
    train, validation, test = stratified_split(source.labels, config.split, seed)
    return source.subset(train), source.subset(validation), source.subset(test)


def _load_given_splits(
    config: DataConfig, root: Path | None, seed: int
) -> tuple[LabeledTexts, LabeledTexts, LabeledTexts]:
    train = _read_source(config, config.train, "train", root, seed)
    test = _read_source(config, config.test, "test", root, seed)
    if config.validation is not None:
        return train, _read_source(config, config.validation, "validation", root, seed), test

    fractions = (1 - config.validation_fraction, config.validation_fraction)
    remaining, _, carved = stratified_split(train.labels, fractions, seed)
    return train.subset(remaining), train.subset(carved), test


def _read_source(config: DataConfig, name: str, key: str, root: Path | None, seed: int) -> LabeledTexts:
    """Read one file or hub split and subsample it to ``config.max_rows``."""
    if config.format == "hf":
        data = load_hf_dataset(
            config.hf_name, name, config.hf_text_field, config.hf_label_field, config.hf_config
        )
    else:
        file = resolve_data_path(name, root, key)
        data = read_labeled_file(file, config.format, **_reader_options(config, file))

    if config.max_rows is not None and len(data) > config.max_rows:
        logger.info("Subsampling %s from %d to %d rows", data.source, len(data), config.max_rows)
        data = data.subset(stratified_sample(data.labels, config.max_rows, seed))
    return data


def _reader_options(config: DataConfig, file: Path) -> dict[str, Any]:
    file_format = resolve_format(file, config.format)
    if file_format == "lambeq":
        return {}
    if file_format == "jsonl":
        names = {"text_column": "text_field", "label_column": "label_field"}
    else:
        names = {"text_column": "text_column", "label_column": "label_column", "header": "header"}
    return {
        option: getattr(config, key) for key, option in names.items() if getattr(config, key) is not None
    }


def _label_map(config: DataConfig, train: LabeledTexts, root: Path | None) -> LabelMap:
    if config.label_order is None:
        return LabelMap.from_labels(train.labels)
    order = config.label_order
    if isinstance(order, str):
        order = _read_label_order(resolve_data_path(order, root, "label_order"))
    try:
        return LabelMap.from_order(order, train.labels)
    except DataError as error:
        raise DataError(
            f"label_order does not fit the training labels of {train.source}: {error}"
        ) from error


def _read_label_order(path: Path) -> list[str]:
    file = check_file(path)
    try:
        order = json.loads(read_text(file))
    except json.JSONDecodeError as error:
        raise DataError(
            f"{file}:{error.lineno}: invalid JSON ({error.msg}); label_order must be a JSON list of labels."
        ) from error
    if not isinstance(order, list) or not order or not all(isinstance(label, str) for label in order):
        raise DataError(
            f"{file} must contain a non-empty JSON list of label strings, such as [\"neg\", \"pos\"], "
            f"but it contains {type(order).__name__} {str(order)[:80]}."
        )
    return order


def _check_labels_seen(name: str, data: LabeledTexts, train: LabeledTexts) -> None:
    unseen = sorted(set(data.labels) - set(train.labels))
    if unseen:
        raise DataError(
            f"the {name} split ({data.source}) has labels that never occur in train ({train.source}): "
            f"{unseen}; a head cannot learn them, so remove those rows or add them to train."
        )
