"""Tests of the classification metrics, against scikit-learn where it is installed."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from qhybrid.exceptions import DataError
from qhybrid.train import accuracy, confusion_matrix, macro_f1

N_CLASSES = 5
N_SAMPLES = 200
NEVER_PREDICTED = 3
"""Class that occurs in the random truth but never in the random predictions."""

METRIC_ATOL = 1e-12
"""Both implementations compute the same ratios in float64, so they agree to rounding."""


@pytest.fixture
def random_labels():
    """Random truth over all classes and random predictions that never use class NEVER_PREDICTED."""
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, N_CLASSES, size=N_SAMPLES)
    allowed = [c for c in range(N_CLASSES) if c != NEVER_PREDICTED]
    y_pred = rng.choice(allowed, size=N_SAMPLES)
    assert NEVER_PREDICTED in y_true
    return y_true, y_pred


def test_metrics_match_sklearn(random_labels):
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    y_true, y_pred = random_labels

    assert accuracy(y_true, y_pred) == pytest.approx(sklearn_metrics.accuracy_score(y_true, y_pred), abs=METRIC_ATOL)
    expected_f1 = sklearn_metrics.f1_score(y_true, y_pred, average="macro", zero_division=0)
    assert macro_f1(y_true, y_pred, N_CLASSES) == pytest.approx(expected_f1, abs=METRIC_ATOL)
    expected_matrix = sklearn_metrics.confusion_matrix(y_true, y_pred, labels=list(range(N_CLASSES))).tolist()
    assert confusion_matrix(y_true, y_pred, N_CLASSES) == expected_matrix


def test_macro_f1_excludes_absent_class_like_sklearn():
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    # Class 2 of 3 occurs in neither truth nor prediction.
    y_true = [0, 0, 1, 1, 1]
    y_pred = [0, 1, 1, 1, 0]

    expected = sklearn_metrics.f1_score(y_true, y_pred, average="macro")
    assert macro_f1(y_true, y_pred, n_classes=3) == pytest.approx(expected, abs=METRIC_ATOL)


def test_macro_f1_known_answer():
    # Class 0: TP=1, FP=1, FN=1 -> F1 = 2/4. Class 1: TP=2, FP=1, FN=1 -> F1 = 4/6.
    # Class 2 is absent from both and left out of the mean.
    y_true = [0, 0, 1, 1, 1]
    y_pred = [0, 1, 1, 1, 0]
    assert macro_f1(y_true, y_pred, n_classes=3) == pytest.approx((2 / 4 + 4 / 6) / 2, abs=METRIC_ATOL)


def test_macro_f1_counts_class_only_predicted_as_zero():
    # Class 2 is predicted once but never true, so its F1 is 0 and it is averaged in.
    y_true = [0, 1, 1]
    y_pred = [0, 1, 2]
    per_class = [1.0, 2 * 1 / (2 * 1 + 0 + 1), 0.0]
    assert macro_f1(y_true, y_pred, n_classes=3) == pytest.approx(sum(per_class) / 3, abs=METRIC_ATOL)


def test_confusion_matrix_rows_are_true_classes():
    assert confusion_matrix([0, 0, 1], [1, 1, 1], n_classes=2) == [[0, 2], [0, 1]]


def test_metrics_accept_tensors_and_lists(random_labels):
    y_true, y_pred = random_labels
    from_numpy = macro_f1(y_true, y_pred, N_CLASSES)
    assert macro_f1(torch.as_tensor(y_true), torch.as_tensor(y_pred), N_CLASSES) == from_numpy
    assert macro_f1(y_true.tolist(), y_pred.tolist(), N_CLASSES) == from_numpy
    assert accuracy(torch.tensor([1, 2, 3]), torch.tensor([1, 2, 0])) == pytest.approx(2 / 3)


def test_perfect_prediction():
    labels = [0, 1, 2, 1]
    assert accuracy(labels, labels) == 1.0
    assert macro_f1(labels, labels, n_classes=3) == 1.0


@pytest.mark.parametrize(
    ("y_true", "y_pred", "message"),
    [
        ([0, 1], [0], r"y_true and y_pred must have the same length, got 2 and 1"),
        ([], [], r"y_true and y_pred are empty"),
        ([[0, 1]], [[0, 1]], r"y_true must be 1-D .* got shape \(1, 2\)"),
        ([0.0, 1.0], [0, 1], r"y_true must contain integer class indices, got dtype float64"),
        ([0, 1], [True, False], r"y_pred must contain integer class indices, got dtype bool"),
    ],
)
def test_malformed_labels_raise(y_true, y_pred, message):
    with pytest.raises(DataError, match=message):
        accuracy(y_true, y_pred)


def test_out_of_range_label_raises():
    with pytest.raises(DataError, match=r"y_pred must be class indices in \[0, 2\), got 2 at position 1"):
        macro_f1([0, 1], [0, 2], n_classes=2)
    with pytest.raises(DataError, match=r"y_true must be class indices in \[0, 2\), got -1 at position 0"):
        confusion_matrix([-1, 1], [0, 1], n_classes=2)


def test_invalid_n_classes_raises():
    with pytest.raises(DataError, match="n_classes must be a positive integer, got 0"):
        confusion_matrix([0], [0], n_classes=0)
