"""In-memory labeled text dataset: parallel tuples of texts and their string labels."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from numbers import Integral

from qhybrid.exceptions import DataError


@dataclass(frozen=True)
class LabeledTexts:
    """Texts with one label each, kept as the strings read from the source.

    Lists passed to the constructor are converted to tuples. An empty dataset is
    valid here (a validation split may be empty), so readers and loaders reject
    empty sources themselves.

    Example:
        >>> data = LabeledTexts(("good film", "bad film"), ("1", "0"))
        >>> len(data.subset([1]))
        1
    """

    texts: tuple[str, ...]
    """Texts in source order, stripped of leading and trailing whitespace by the readers."""

    labels: tuple[str, ...]
    """Label of each text, ``labels[i]`` belonging to ``texts[i]``."""

    source: str | None = None
    """File or hub split the rows came from, used in error messages. None when built in memory."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "texts", tuple(self.texts))
        object.__setattr__(self, "labels", tuple(self.labels))
        if len(self.texts) != len(self.labels):
            raise DataError(
                f"texts and labels must have the same length, but got {len(self.texts)} texts "
                f"and {len(self.labels)} labels{self._from_source()}; pass one label per text."
            )
        _check_all_strings("texts", self.texts)
        _check_all_strings("labels", self.labels)

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, indices: Iterable[int]) -> LabeledTexts:
        """Select rows by position.

        Args:
            indices: Row positions in ``[0, len(self))``, in the requested order, as Python or
                numpy integers. Repeats are allowed.

        Returns:
            A new LabeledTexts with the selected rows and the same ``source``.

        Raises:
            DataError: If an index is not an integer or is out of range.
        """
        positions = [self._check_index(position) for position in indices]
        return LabeledTexts(
            texts=tuple(self.texts[i] for i in positions),
            labels=tuple(self.labels[i] for i in positions),
            source=self.source,
        )

    def class_counts(self) -> dict[str, int]:
        """Count the rows of each label, in order of first appearance."""
        return dict(Counter(self.labels))

    def _check_index(self, position: object) -> int:
        if isinstance(position, bool) or not isinstance(position, Integral):
            raise DataError(
                f"indices must be integers, but got {position!r} of type {type(position).__name__}; "
                "pass row positions such as those returned by stratified_split."
            )
        if not 0 <= position < len(self):
            raise DataError(
                f"index {position} is out of range for a dataset of {len(self)} rows"
                f"{self._from_source()}; pass indices in [0, {len(self)})."
            )
        return int(position)

    def _from_source(self) -> str:
        return f" (from {self.source})" if self.source else ""


def _check_all_strings(name: str, values: tuple[object, ...]) -> None:
    for position, value in enumerate(values):
        if not isinstance(value, str):
            raise DataError(
                f"{name} must contain only strings, but item {position} is {value!r} of type "
                f"{type(value).__name__}; convert {name} with str() before building LabeledTexts."
            )
