"""Tests of qhybrid.data.label_map."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qhybrid.data import LabelMap
from qhybrid.exceptions import DataError
from qhybrid.io import write_json_atomic


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["1", "0", "1"], ("0", "1")),
        (["10", "2", "1"], ("1", "2", "10")),
        (["-1", "1"], ("-1", "1")),
        (["1.5", "0.25", "10"], ("0.25", "1.5", "10")),
        (["pos", "neg", "10", "9"], ("10", "9", "neg", "pos")),
        (["b", "a", "nan"], ("a", "b", "nan")),
    ],
)
def test_from_labels_order(labels: list[str], expected: tuple[str, ...]) -> None:
    assert LabelMap.from_labels(labels).labels == expected


def test_from_labels_ignores_input_order() -> None:
    labels = ["card_arrival", "atm_support", "top_up", "atm_support"]

    assert LabelMap.from_labels(labels) == LabelMap.from_labels(reversed(labels))


def test_from_labels_empty() -> None:
    with pytest.raises(DataError, match="labels is empty"):
        LabelMap.from_labels([])


def test_from_order_keeps_order() -> None:
    label_map = LabelMap.from_order(["pos", "neg", "unused"], labels=["neg", "pos"])

    assert label_map.labels == ("pos", "neg", "unused")
    assert label_map.encode(["neg", "pos"]) == [1, 0]


def test_from_order_missing_label() -> None:
    with pytest.raises(DataError, match=r"unknown label 'other': the label map contains \['pos', 'neg'\]"):
        LabelMap.from_order(["pos", "neg"], labels=["pos", "other"])


def test_from_order_duplicate() -> None:
    with pytest.raises(DataError, match="contains 'pos' more than once"):
        LabelMap.from_order(["pos", "neg", "pos"])


def test_from_order_empty() -> None:
    with pytest.raises(DataError, match="order is empty"):
        LabelMap.from_order([])


def test_encode_decode_round_trip() -> None:
    label_map = LabelMap.from_labels(["0", "1", "2"])

    encoded = label_map.encode(["2", "0", "2"])

    assert encoded == [2, 0, 2]
    assert label_map.decode(encoded) == ["2", "0", "2"]
    assert label_map.decode(np.array([1, 0])) == ["1", "0"]


def test_encode_unknown_label() -> None:
    label_map = LabelMap.from_labels(["dog", "bird"])

    with pytest.raises(DataError, match=r"unknown label 'cat': the label map contains \['bird', 'dog'\]"):
        label_map.encode(["dog", "cat"])


def test_decode_out_of_range() -> None:
    with pytest.raises(DataError, match="class index 2 is out of range for 2 classes"):
        LabelMap.from_labels(["0", "1"]).decode([0, 2])


def test_decode_non_integer() -> None:
    with pytest.raises(DataError, match="class indices must be integers, but got '1'"):
        LabelMap.from_labels(["0", "1"]).decode(["1"])


def test_non_string_label() -> None:
    with pytest.raises(DataError, match="labels must contain only strings, but got 1 of type int"):
        LabelMap(("0", 1))


def test_dict_round_trip_through_json(tmp_path) -> None:
    label_map = LabelMap.from_order(["pos", "neg"])
    path = tmp_path / "label_map.json"

    write_json_atomic(path, label_map.to_dict())
    stored = json.loads(path.read_text())

    assert stored == {"pos": 0, "neg": 1}
    assert LabelMap.from_dict(stored) == label_map


def test_from_dict_invalid_indices() -> None:
    with pytest.raises(DataError, match=r"each class index 0..1 exactly once, but got indices \[0, 2\]"):
        LabelMap.from_dict({"a": 0, "b": 2})
    with pytest.raises(DataError, match=r"but got indices \[0, True\]"):
        LabelMap.from_dict({"a": 0, "b": True})


def test_from_dict_empty() -> None:
    with pytest.raises(DataError, match=r"mapping must be a non-empty dict of label -> class index, but got \{\}"):
        LabelMap.from_dict({})
