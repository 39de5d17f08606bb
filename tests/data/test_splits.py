"""Tests of qhybrid.data.splits."""

from __future__ import annotations

import logging
from collections import Counter

import numpy as np
import pytest

from qhybrid.data import stratified_sample, stratified_split, validate_fractions
from qhybrid.exceptions import ConfigError, DataError

CLASS_TOLERANCE = 1
"""Largest-remainder rounding keeps each class's count in a split within 1 row of fraction * class size."""

SPLIT_TOLERANCE = 2
"""Split sizes may drift a little further from fraction * n, because rounding is done per class."""


def random_labels(seed: int, n_rows: int = 1500, n_classes: int = 7) -> list[str]:
    labels = np.random.default_rng(seed).integers(0, n_classes, n_rows)
    return [f"class_{label}" for label in labels]


def test_known_split() -> None:
    labels = ["a"] * 8 + ["b"] * 4

    train, validation, test = stratified_split(labels, (0.5, 0.25, 0.25), seed=0)

    assert (len(train), len(validation), len(test)) == (6, 3, 3)
    for part, expected in ((train, {"a": 4, "b": 2}), (validation, {"a": 2, "b": 1}), (test, {"a": 2, "b": 1})):
        assert Counter(labels[i] for i in part) == expected


def test_same_seed_same_split() -> None:
    labels = random_labels(0)

    assert stratified_split(labels, seed=3) == stratified_split(labels, seed=3)
    assert stratified_split(labels, seed=3) != stratified_split(labels, seed=4)


@pytest.mark.parametrize("fractions", [(0.8, 0.1, 0.1), (0.6, 0.2, 0.2), (0.7, 0.3), (0.34, 0.33, 0.33)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_partition_uses_every_index_once(fractions: tuple[float, ...], seed: int) -> None:
    labels = random_labels(seed, n_rows=503)

    train, validation, test = stratified_split(labels, fractions, seed)

    assert sorted(train + validation + test) == list(range(len(labels)))
    assert not set(train) & set(validation)
    assert not set(train) & set(test)
    assert not set(validation) & set(test)
    for part in (train, validation, test):
        assert part == sorted(part)


@pytest.mark.parametrize("fractions", [(0.8, 0.1, 0.1), (0.6, 0.2, 0.2), (0.5, 0.25, 0.25), (0.7, 0.3)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_class_proportions_kept(fractions: tuple[float, ...], seed: int) -> None:
    labels = random_labels(seed)
    class_sizes = Counter(labels)

    train, validation, test = stratified_split(labels, fractions, seed)
    parts = (train, validation, test) if len(fractions) == 3 else (train, test)

    for part, fraction in zip(parts, fractions):
        assert abs(len(part) - fraction * len(labels)) < SPLIT_TOLERANCE
        counts = Counter(labels[i] for i in part)
        for label, size in class_sizes.items():
            assert abs(counts[label] - fraction * size) < CLASS_TOLERANCE


def test_two_way_split_has_empty_validation() -> None:
    labels = ["pos"] * 50 + ["neg"] * 50

    train, validation, test = stratified_split(labels, (0.7, 0.3), seed=0)

    assert validation == []
    assert (len(train), len(test)) == (70, 30)


def test_small_class_gets_a_row_in_each_split() -> None:
    labels = ["big"] * 100 + ["small"] * 3

    for part in stratified_split(labels, (0.8, 0.1, 0.1), seed=0):
        assert Counter(labels[i] for i in part)["small"] == 1


def test_tiny_classes_fill_train_then_test(caplog) -> None:
    labels = ["big"] * 100 + ["one"] + ["two"] * 2

    with caplog.at_level(logging.WARNING, logger="qhybrid.data.splits"):
        train, validation, test = stratified_split(labels, (0.8, 0.1, 0.1), seed=0)

    assert [labels[i] for i in train].count("one") == 1
    assert [labels[i] for i in train].count("two") == 1
    assert [labels[i] for i in test].count("two") == 1
    assert "Class 'one' has 1 row(s), fewer than the 3 splits, so it is missing from validation and test" in caplog.text
    assert "Class 'two' has 2 row(s), fewer than the 3 splits, so it is missing from validation" in caplog.text


def test_empty_labels() -> None:
    with pytest.raises(DataError, match="labels is empty"):
        stratified_split([])


@pytest.mark.parametrize(
    ("fractions", "message"),
    [
        ((0.8, 0.1, 0.05), r"split must sum to 1, but \[0.8, 0.1, 0.05\] sums to 0.95"),
        ((0.9, 0.0, 0.1), r"strictly between 0 and 1, but got \[0.9, 0.0, 0.1\]"),
        ((1.0,), r"must be 3 fractions .* or 2 .*, but got \(1.0,\)"),
        ((0.25, 0.25, 0.25, 0.25), r"but got \(0.25, 0.25, 0.25, 0.25\)"),
        ("0.8", r"but got '0.8'"),
        ((0.5, True), r"strictly between 0 and 1, but got \[0.5, True\]"),
    ],
)
def test_invalid_fractions(fractions, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        validate_fractions(fractions, argument="split")


def test_fractions_rescaled_within_tolerance() -> None:
    assert sum(validate_fractions([0.8, 0.1, 0.1000001])) == pytest.approx(1, abs=1e-12)


@pytest.mark.parametrize("seed", [-1, 1.5, True])
def test_invalid_seed(seed) -> None:
    with pytest.raises(ConfigError, match=f"seed must be an integer >= 0, but got {seed!r}"):
        stratified_split(["a", "b"], seed=seed)


class TestStratifiedSample:
    def test_exact_size_and_proportions(self) -> None:
        labels = ["a"] * 600 + ["b"] * 300 + ["c"] * 100

        sample = stratified_sample(labels, 100, seed=0)

        assert len(sample) == 100
        assert Counter(labels[i] for i in sample) == {"a": 60, "b": 30, "c": 10}
        assert sample == sorted(set(sample))

    def test_every_class_kept(self) -> None:
        labels = ["big"] * 1000 + ["rare"]

        sample = stratified_sample(labels, 10, seed=0)

        assert len(sample) == 10
        assert Counter(labels[i] for i in sample) == {"big": 9, "rare": 1}

    def test_deterministic(self) -> None:
        labels = random_labels(5)

        assert stratified_sample(labels, 200, seed=1) == stratified_sample(labels, 200, seed=1)
        assert stratified_sample(labels, 200, seed=1) != stratified_sample(labels, 200, seed=2)

    def test_size_at_least_rows_keeps_all(self) -> None:
        assert stratified_sample(["a", "b", "a"], 3) == [0, 1, 2]
        assert stratified_sample(["a", "b", "a"], 10) == [0, 1, 2]

    def test_invalid_size(self) -> None:
        with pytest.raises(ConfigError, match="size must be an integer >= 1, but got 0"):
            stratified_sample(["a"], 0)
