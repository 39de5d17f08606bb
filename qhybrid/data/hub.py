"""Loading labeled texts from a Hugging Face dataset, through the optional ``datasets`` package.

Install it with ``pip install 'qhybrid[hub]'``. With ``HF_HUB_OFFLINE=1`` only datasets
already in the local Hugging Face cache can be loaded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from qhybrid.data._parsing import check_not_empty
from qhybrid.data.records import LabeledTexts
from qhybrid.exceptions import DataError, MissingDependencyError

logger = logging.getLogger(__name__)

DatasetLoader = Callable[..., Any]
"""A function with the signature of ``datasets.load_dataset(path, name, split=...)``."""


def load_hf_dataset(
    name: str,
    split: str,
    text_field: str = "text",
    label_field: str = "label",
    config_name: str | None = None,
    *,
    load_dataset: DatasetLoader | None = None,
) -> LabeledTexts:
    """Load one split of a Hugging Face dataset as LabeledTexts.

    Integer labels of a ``ClassLabel`` column become their class names, so the labels read
    the same as in a file. Other integer labels are converted with ``str``.

    Args:
        name: Dataset name on the hub or a local dataset path, such as ``"imdb"``.
        split: Split name, such as ``"train"``.
        text_field: Column that contains the texts.
        label_field: Column that contains the labels.
        config_name: Dataset configuration, for datasets that have several, such as ``"sst2"`` of ``"glue"``.
        load_dataset: Function used in place of ``datasets.load_dataset``, for example one that
            returns a local ``datasets.Dataset``. None imports ``datasets``.

    Returns:
        The texts and labels, with ``source`` set to ``"hf:<name>[/<config_name>]:<split>"``.

    Raises:
        MissingDependencyError: If ``load_dataset`` is None and ``datasets`` is not installed.
        DataError: If an argument is empty, a column is missing, a text is not a non-empty
            string, a label is missing (None or the unlabeled marker -1), or the split has no rows.
    """
    arguments = {"name": name, "split": split, "text_field": text_field, "label_field": label_field}
    for argument, value in arguments.items():
        if not isinstance(value, str) or not value:
            raise DataError(
                f"{argument} must be a non-empty string, but got {value!r}; pass the dataset's {argument}."
            )
    loader = load_dataset if load_dataset is not None else _import_load_dataset()

    source = f"hf:{name}{'/' + config_name if config_name else ''}:{split}"
    # NOTE: tested only with local datasets.Dataset objects (datasets 5.2); a real hub download is untested.
    dataset = loader(name, config_name, split=split)
    _check_columns(dataset, source, (text_field, label_field))
    texts = _texts(dataset[text_field], source, text_field)
    labels = _labels(dataset[label_field], dataset.features[label_field], source, label_field)
    data = check_not_empty(LabeledTexts(tuple(texts), tuple(labels), source=source))
    logger.info("Loaded %d rows from %s", len(data), source)
    return data


def _import_load_dataset() -> DatasetLoader:
    try:
        from datasets import load_dataset
    except ImportError as error:
        raise MissingDependencyError(
            "loading a Hugging Face dataset needs the optional package 'datasets', which is not "
            "installed; install it with: pip install 'qhybrid[hub]'"
        ) from error
    return load_dataset


def _check_columns(dataset: Any, source: str, fields: Sequence[str]) -> None:
    columns = list(dataset.column_names)
    for field in fields:
        if field not in columns:
            raise DataError(
                f"{source} has no column {field!r}; its columns are {columns}. "
                "Pass one of them as the text or label field."
            )


def _texts(values: Any, source: str, field: str) -> list[str]:
    texts = []
    for row, value in enumerate(values):
        if not isinstance(value, str) or not value.strip():
            raise DataError(
                f"{source}: row {row} has text {value!r} in column {field!r}; every text must be a "
                "non-empty string, so filter such rows out or pick another text field."
            )
        texts.append(value.strip())
    return texts


def _labels(values: Any, feature: Any, source: str, field: str) -> list[str]:
    # A ClassLabel feature has `names`, its integer values index into them, and -1 marks a missing label.
    names = getattr(feature, "names", None)
    labels = []
    for row, value in enumerate(values):
        if value is None or (names is not None and value == -1):
            raise DataError(
                f"{source}: row {row} has no label ({value!r} in column {field!r}); hub test splits "
                "are often unlabeled, so use a labeled split or carve a test set out of train."
            )
        labels.append(_label_name(value, names, source, row) if names is not None else str(value))
    return labels


def _label_name(value: Any, names: Sequence[str], source: str, row: int) -> str:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < len(names):
        raise DataError(
            f"{source}: row {row} has label {value!r}, which is not a class index of its "
            f"ClassLabel column (0..{len(names) - 1}); check the dataset's features."
        )
    return names[value]
