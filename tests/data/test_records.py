"""Tests of qhybrid.data.records."""

from __future__ import annotations

import numpy as np
import pytest

from qhybrid.data import LabeledTexts
from qhybrid.exceptions import DataError


def test_lists_become_tuples() -> None:
    data = LabeledTexts(["good", "bad"], ["1", "0"])

    assert data.texts == ("good", "bad")
    assert data.labels == ("1", "0")
    assert len(data) == 2


def test_subset_keeps_order_and_source() -> None:
    data = LabeledTexts(("a", "b", "c"), ("x", "y", "x"), source="file.tsv")

    subset = data.subset([2, 0, 2])

    assert subset.texts == ("c", "a", "c")
    assert subset.labels == ("x", "x", "x")
    assert subset.source == "file.tsv"


def test_subset_accepts_numpy_integers() -> None:
    data = LabeledTexts(("a", "b", "c"), ("x", "y", "x"))

    assert data.subset(np.array([1, 2])).texts == ("b", "c")


def test_subset_empty_selection() -> None:
    assert len(LabeledTexts(("a",), ("x",)).subset([])) == 0


def test_subset_out_of_range() -> None:
    data = LabeledTexts(("a", "b"), ("x", "y"), source="file.tsv")

    with pytest.raises(DataError, match=r"index 5 is out of range for a dataset of 2 rows \(from file.tsv\)"):
        data.subset([0, 5])
    with pytest.raises(DataError, match="index -1 is out of range"):
        data.subset([-1])


def test_subset_rejects_non_integer() -> None:
    with pytest.raises(DataError, match="indices must be integers, but got 1.0"):
        LabeledTexts(("a", "b"), ("x", "y")).subset([1.0])


def test_length_mismatch() -> None:
    with pytest.raises(DataError, match="got 2 texts and 1 labels"):
        LabeledTexts(("a", "b"), ("x",))


def test_non_string_label() -> None:
    with pytest.raises(DataError, match="labels must contain only strings, but item 1 is 0 of type int"):
        LabeledTexts(("a", "b"), ("1", 0))


def test_class_counts() -> None:
    data = LabeledTexts(("a", "b", "c"), ("y", "x", "y"))

    assert data.class_counts() == {"y": 2, "x": 1}
