"""Deterministic stratified splitting and subsampling of row indices.

Both functions group rows by label in order of first appearance, shuffle each group with
one ``numpy.random.default_rng(seed)``, and return sorted indices, so the same labels and
seed always give the same result.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Hashable, Sequence
from numbers import Integral, Real

import numpy as np

from qhybrid.exceptions import ConfigError, DataError

logger = logging.getLogger(__name__)

FRACTION_TOLERANCE = 1e-6
"""Allowed distance of the sum of split fractions from 1, because 0.8 + 0.1 + 0.1 != 1 in floating point."""

SPLIT_NAMES = ("train", "validation", "test")
"""Names of the three splits, in the order that ``stratified_split`` returns them."""


def validate_fractions(fractions: Sequence[float], argument: str = "fractions") -> tuple[float, ...]:
    """Check split fractions and return them as a tuple of floats.

    Args:
        fractions: ``(train, validation, test)`` or ``(train, test)``, each in (0, 1), summing to 1.
        argument: Name of the argument in error messages, such as ``"split"`` in a config.

    Returns:
        The fractions as floats, rescaled to sum to 1 exactly.

    Raises:
        ConfigError: If there are not 2 or 3 fractions, one is not a finite number in (0, 1),
            or they do not sum to 1.
    """
    if isinstance(fractions, str) or not isinstance(fractions, Sequence) or len(fractions) not in (2, 3):
        raise ConfigError(
            f"{argument} must be 3 fractions (train, validation, test) or 2 (train, test), "
            f"but got {fractions!r}; pass for example [0.8, 0.1, 0.1]."
        )
    for value in fractions:
        if isinstance(value, bool) or not isinstance(value, Real) or not 0 < value < 1:
            raise ConfigError(
                f"{argument} must contain numbers strictly between 0 and 1, but got {list(fractions)}; "
                "for a train/test split without validation pass two fractions."
            )
    if abs(sum(fractions) - 1) > FRACTION_TOLERANCE:
        raise ConfigError(
            f"{argument} must sum to 1, but {list(fractions)} sums to {sum(fractions):g}; rescale them."
        )
    # Rescaling removes the tolerated error, so the rounding works with fractions that sum to 1.
    return tuple(float(value) / sum(fractions) for value in fractions)


def stratified_split(
    labels: Sequence[Hashable],
    fractions: Sequence[float] = (0.8, 0.1, 0.1),
    seed: int = 0,
) -> tuple[list[int], list[int], list[int]]:
    """Split row indices into train, validation and test sets with the class proportions of ``labels``.

    Each class is divided by the largest-remainder method. Where a class has fractional
    rows left over, they go to the splits furthest below their overall target size, so
    the split sizes stay close to ``fractions * len(labels)`` as well. A class with at least
    as many rows as there are splits gets at least one row in each split. A smaller class
    fills train first, then test, then validation, and a warning is logged.

    Args:
        labels: Label of each row.
        fractions: ``(train, validation, test)``, or ``(train, test)`` for no validation set.
        seed: Seed of the shuffle, an integer >= 0.

    Returns:
        ``(train, validation, test)`` lists of sorted row indices that together use every
        index once. ``validation`` is empty for two fractions.

    Raises:
        ConfigError: If ``fractions`` or ``seed`` is invalid.
        DataError: If ``labels`` is empty.

    Example:
        >>> train, validation, test = stratified_split(["a"] * 8 + ["b"] * 4, (0.5, 0.25, 0.25))
        >>> len(train), len(validation), len(test)
        (6, 3, 3)
    """
    fractions = validate_fractions(fractions)
    check_seed(seed)
    groups = _group_by_label(labels)

    counts = _allocate(groups, fractions)
    rng = np.random.default_rng(seed)
    parts: list[list[int]] = [[] for _ in fractions]
    for (label, indices), class_counts in zip(groups.items(), counts):
        shuffled = rng.permutation(indices).tolist()
        _warn_if_missing(label, len(indices), class_counts, fractions)
        start = 0
        for part, count in zip(parts, class_counts):
            part.extend(shuffled[start : start + count])
            start += count

    parts = [sorted(part) for part in parts]
    if len(parts) == 2:
        return parts[0], [], parts[1]
    return parts[0], parts[1], parts[2]


def stratified_sample(labels: Sequence[Hashable], size: int, seed: int = 0) -> list[int]:
    """Pick ``size`` row indices with the class proportions of ``labels``.

    Class quotas are ``size * class_rows / len(labels)`` rounded by the largest-remainder
    method, so they sum to ``size`` exactly. When ``size`` is at least the number of
    classes, every class keeps at least one row.

    Args:
        labels: Label of each row.
        size: Number of rows to keep, at least 1. A size of ``len(labels)`` or more keeps every row.
        seed: Seed of the shuffle, an integer >= 0.

    Returns:
        Sorted row indices.

    Raises:
        ConfigError: If ``size`` or ``seed`` is invalid.
        DataError: If ``labels`` is empty.
    """
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ConfigError(
            f"size must be an integer >= 1, but got {size!r}; pass the number of rows to keep."
        )
    check_seed(seed)
    groups = _group_by_label(labels)
    if size >= len(labels):
        return list(range(len(labels)))

    sizes = [len(indices) for indices in groups.values()]
    quotas = _largest_remainder([size * n / len(labels) for n in sizes], size)
    if size >= len(quotas):
        _give_each_at_least_one(quotas, required=range(len(quotas)))
    rng = np.random.default_rng(seed)
    chosen: list[int] = []
    for indices, quota in zip(groups.values(), quotas):
        chosen.extend(rng.permutation(indices)[:quota].tolist())
    return sorted(chosen)


def check_seed(seed: object) -> None:
    """Raise ConfigError unless ``seed`` is an integer >= 0, as ``numpy.random.default_rng`` needs."""
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise ConfigError(f"seed must be an integer >= 0, but got {seed!r}; pass for example 0.")


def _group_by_label(labels: Sequence[Hashable]) -> dict[Hashable, list[int]]:
    if len(labels) == 0:
        raise DataError("labels is empty, so there are no rows to split or sample; pass at least one label.")
    groups: dict[Hashable, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(label, []).append(index)
    return groups


def _allocate(groups: dict[Hashable, list[int]], fractions: tuple[float, ...]) -> list[list[int]]:
    """Return the row count of each split for each class, in the order of ``groups``."""
    total = sum(len(indices) for indices in groups.values())
    targets = _largest_remainder([total * fraction for fraction in fractions], total)
    floors = [[math.floor(len(indices) * f) for f in fractions] for indices in groups.values()]
    # Rows each split still needs beyond the floors of all classes, updated as classes are allocated.
    deficits = [target - sum(column) for target, column in zip(targets, zip(*floors))]

    allocation = []
    for indices, class_floors in zip(groups.values(), floors):
        counts = _allocate_class(len(indices), fractions, class_floors, deficits)
        deficits = [d - (c - f) for d, c, f in zip(deficits, counts, class_floors)]
        allocation.append(counts)
    return allocation


def _allocate_class(
    size: int, fractions: tuple[float, ...], floors: list[int], deficits: list[int]
) -> list[int]:
    counts = list(floors)
    remainders = [size * f - floor for f, floor in zip(fractions, floors)]
    # Only splits with a fractional part are candidates, so every count stays within 1 of
    # size * fraction until the rule below moves a row. The others follow only as a guard
    # against floating-point error.
    candidates = sorted(
        range(len(counts)), key=lambda s: (remainders[s] <= 0, -deficits[s], -remainders[s], s)
    )
    for split in candidates[: size - sum(counts)]:
        counts[split] += 1

    # Train comes first, then test, then validation, because a label in test must also be in train.
    priority = [0, len(counts) - 1, *range(1, len(counts) - 1)]
    _give_each_at_least_one(counts, required=priority[: min(size, len(counts))])
    return counts


def _give_each_at_least_one(counts: list[int], required: Sequence[int]) -> None:
    """Move one unit into each empty required slot from the fullest slot that can spare it, in place.

    A required slot can spare a unit while it has more than one, any other slot while it has one.
    """
    for slot in required:
        if counts[slot] > 0:
            continue
        donors = [s for s in range(len(counts)) if counts[s] > (1 if s in required else 0)]
        donor = max(donors, key=lambda s: (counts[s], -s))
        counts[donor] -= 1
        counts[slot] += 1


def _largest_remainder(exact: list[float], total: int) -> list[int]:
    """Round ``exact``, which sums to ``total``, to integers with the same sum. Ties go to the first."""
    counts = [math.floor(value) for value in exact]
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _warn_if_missing(label: Hashable, size: int, counts: list[int], fractions: tuple[float, ...]) -> None:
    names = ("train", "test") if len(fractions) == 2 else SPLIT_NAMES
    missing = [name for name, count in zip(names, counts) if count == 0]
    if missing:
        logger.warning(
            "Class %r has %d row(s), fewer than the %d splits, so it is missing from %s",
            label, size, len(fractions), " and ".join(missing),
        )
