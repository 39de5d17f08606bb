"""Deterministic mapping between label strings and the class indices a head predicts."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from numbers import Integral

from qhybrid.exceptions import DataError


@dataclass(frozen=True)
class LabelMap:
    """Class labels in index order: ``labels[i]`` is the label of class index ``i``.

    Build it with :meth:`from_labels` (sorted order) or :meth:`from_order` (an explicit
    order such as banking77's ``categories.json``). Write it into results with
    :meth:`to_dict` and read it back with :meth:`from_dict`.

    Example:
        >>> label_map = LabelMap.from_labels(["1", "0", "10", "2"])
        >>> label_map.labels
        ('0', '1', '2', '10')
        >>> label_map.encode(["10", "0"])
        [3, 0]
    """

    labels: tuple[str, ...]
    """Distinct label strings. The position of a label is its class index."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", tuple(self.labels))
        _check_label_list("labels", self.labels)

    def __len__(self) -> int:
        return len(self.labels)

    @classmethod
    def from_labels(cls, labels: Iterable[str]) -> LabelMap:
        """Build a map of the distinct labels in sorted order.

        Labels that all parse as integers are sorted numerically ("2" before "10"), then
        labels that all parse as floats, and any other set is sorted as strings. The result
        depends only on the set of labels, never on their order or counts.

        Args:
            labels: Label strings, repeats allowed.

        Returns:
            The label map.

        Raises:
            DataError: If ``labels`` is empty or contains a non-string.
        """
        distinct = set(labels)
        if not distinct:
            raise DataError("labels is empty; pass at least one label to build a LabelMap.")
        _check_label_list("labels", tuple(distinct))
        return cls(tuple(sorted(distinct, key=_sort_key(distinct))))

    @classmethod
    def from_order(cls, order: Iterable[str], labels: Iterable[str] | None = None) -> LabelMap:
        """Build a map with an explicit class order.

        Args:
            order: Distinct label strings in class-index order.
            labels: Optional labels that must all appear in ``order``, such as a training
                split's labels. Labels of ``order`` that never occur are allowed.

        Returns:
            The label map.

        Raises:
            DataError: If ``order`` is empty, repeats a label or contains a non-string, or if
                a label of ``labels`` is missing from ``order``.
        """
        label_map = cls(tuple(order))
        if not label_map.labels:
            raise DataError("order is empty; pass the class labels in class-index order.")
        if labels is not None:
            label_map.encode(labels)
        return label_map

    def encode(self, labels: Iterable[str]) -> list[int]:
        """Convert label strings to class indices.

        Args:
            labels: Label strings, each one of ``self.labels``.

        Returns:
            The class index of each label, in input order.

        Raises:
            DataError: If a label is not in the map. The message names the label and the known labels.
        """
        index = {label: position for position, label in enumerate(self.labels)}
        encoded = []
        for label in labels:
            if label not in index:
                raise DataError(
                    f"unknown label {label!r}: the label map contains {list(self.labels)}; "
                    "build the map from data that contains every label, or add the label to the order."
                )
            encoded.append(index[label])
        return encoded

    def decode(self, indices: Iterable[int]) -> list[str]:
        """Convert class indices to label strings.

        Args:
            indices: Class indices in ``[0, len(self))``, as Python or numpy integers.

        Returns:
            The label of each index, in input order.

        Raises:
            DataError: If an index is not an integer or is out of range.
        """
        decoded = []
        for position in indices:
            if isinstance(position, bool) or not isinstance(position, Integral):
                raise DataError(
                    f"class indices must be integers, but got {position!r}; pass integer class indices."
                )
            if not 0 <= position < len(self.labels):
                raise DataError(
                    f"class index {position} is out of range for {len(self.labels)} classes; "
                    f"pass indices in [0, {len(self.labels)})."
                )
            decoded.append(self.labels[int(position)])
        return decoded

    def to_dict(self) -> dict[str, int]:
        """Return the map as ``{label: class index}`` in index order, for ``label_map.json``."""
        return {label: position for position, label in enumerate(self.labels)}

    @classmethod
    def from_dict(cls, mapping: Mapping[str, int]) -> LabelMap:
        """Rebuild a map written by :meth:`to_dict`.

        Args:
            mapping: ``{label: class index}`` whose indices are exactly ``0 .. len(mapping) - 1``.

        Returns:
            The label map.

        Raises:
            DataError: If the mapping is empty, a key is not a string, or the indices are not
                each of ``0 .. n - 1`` once.
        """
        if not isinstance(mapping, Mapping) or not mapping:
            raise DataError(
                f"mapping must be a non-empty dict of label -> class index, but got {mapping!r}; "
                "pass the dict written by LabelMap.to_dict()."
            )
        indices = sorted(mapping.values(), key=_index_sort_key)
        all_integers = all(isinstance(i, int) and not isinstance(i, bool) for i in indices)
        if not all_integers or indices != list(range(len(mapping))):
            raise DataError(
                f"mapping must use each class index 0..{len(mapping) - 1} exactly once, but got "
                f"indices {indices}; pass the dict written by LabelMap.to_dict()."
            )
        return cls(tuple(sorted(mapping, key=mapping.__getitem__)))


def _check_label_list(name: str, labels: tuple[object, ...]) -> None:
    seen: set[object] = set()
    for label in labels:
        if not isinstance(label, str):
            raise DataError(
                f"{name} must contain only strings, but got {label!r} of type {type(label).__name__}; "
                "convert labels with str() first."
            )
        if label in seen:
            raise DataError(f"{name} contains {label!r} more than once; list each label once.")
        seen.add(label)


def _sort_key(labels: set[str]) -> Callable[[str], tuple[float, str] | str]:
    """Pick the sort key for a set of labels: integer, then finite float, then string order."""
    for number_type in (int, float):
        if all(_parses_as(number_type, label) for label in labels):
            # Ties such as "1" and "01" fall back to string order, so the result stays deterministic.
            return lambda label: (number_type(label), label)
    return lambda label: label


def _parses_as(number_type: type[int] | type[float], label: str) -> bool:
    try:
        return math.isfinite(number_type(label))
    except ValueError:
        return False


def _index_sort_key(value: object) -> tuple[int, float | str]:
    # Mixed or non-integer values must still sort, so that the error lists them instead of a TypeError.
    if isinstance(value, int) and not isinstance(value, bool):
        return (0, value)
    return (1, repr(value))
