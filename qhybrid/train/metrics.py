"""Classification metrics on integer class labels: accuracy, macro F1 and the confusion matrix.

Written in numpy so that the library does not depend on scikit-learn. The tests
check every function against scikit-learn's implementation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from qhybrid.exceptions import DataError

Labels = torch.Tensor | np.ndarray | Sequence[int]
"""Class indices: a 1-D tensor, numpy array or sequence of Python ints."""


def accuracy(y_true: Labels, y_pred: Labels) -> float:
    """Return the fraction of samples whose predicted class equals the true class.

    Args:
        y_true: true class indices, shape (N,).
        y_pred: predicted class indices, shape (N,).

    Returns:
        Accuracy in [0, 1].

    Raises:
        DataError: if the inputs are not 1-D integer arrays of the same non-zero length.
    """
    true, pred = _as_label_arrays(y_true, y_pred)
    return float(np.mean(true == pred))


def confusion_matrix(y_true: Labels, y_pred: Labels, n_classes: int) -> list[list[int]]:
    """Count samples by true and predicted class.

    Args:
        y_true: true class indices in [0, n_classes), shape (N,).
        y_pred: predicted class indices in [0, n_classes), shape (N,).
        n_classes: number of classes, which fixes the matrix size.

    Returns:
        A nested list of shape (n_classes, n_classes), JSON-ready. Entry ``[i][j]``
        counts the samples of true class i predicted as class j, so rows are true
        classes, as in scikit-learn.

    Raises:
        DataError: if the inputs are not 1-D integer arrays of the same non-zero
            length, or contain a label outside [0, n_classes).
    """
    return _confusion_counts(y_true, y_pred, n_classes).tolist()


def macro_f1(y_true: Labels, y_pred: Labels, n_classes: int) -> float:
    """Return the unweighted mean of the per-class F1 scores.

    The F1 score of class c is ``2 TP / (2 TP + FP + FN)``. A class that occurs in
    neither ``y_true`` nor ``y_pred`` has no defined F1 and is left out of the
    mean, which is what scikit-learn's ``f1_score(average="macro")`` does with its
    default ``labels=None``. A class that occurs in only one of them scores 0.
    So a split that lacks a rare class is not penalized for it, but predicting a
    class that is absent from the truth is.

    Args:
        y_true: true class indices in [0, n_classes), shape (N,).
        y_pred: predicted class indices in [0, n_classes), shape (N,).
        n_classes: number of classes.

    Returns:
        Macro F1 in [0, 1].

    Raises:
        DataError: if the inputs are not 1-D integer arrays of the same non-zero
            length, or contain a label outside [0, n_classes).
    """
    counts = _confusion_counts(y_true, y_pred, n_classes)
    true_positives = np.diag(counts)
    false_positives = counts.sum(axis=0) - true_positives
    false_negatives = counts.sum(axis=1) - true_positives

    denominators = 2 * true_positives + false_positives + false_negatives
    present = denominators > 0  # occurs in the truth or the prediction
    scores = 2 * true_positives[present] / denominators[present]
    return float(scores.mean())


def _confusion_counts(y_true: Labels, y_pred: Labels, n_classes: int) -> np.ndarray:
    if isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes < 1:
        raise DataError(f"n_classes must be a positive integer, got {n_classes!r}.")
    true, pred = _as_label_arrays(y_true, y_pred)
    _check_range("y_true", true, n_classes)
    _check_range("y_pred", pred, n_classes)
    flat = np.bincount(true * n_classes + pred, minlength=n_classes * n_classes)
    return flat.reshape(n_classes, n_classes)


def _as_label_arrays(y_true: Labels, y_pred: Labels) -> tuple[np.ndarray, np.ndarray]:
    true = _as_label_array("y_true", y_true)
    pred = _as_label_array("y_pred", y_pred)
    if true.shape != pred.shape:
        raise DataError(
            f"y_true and y_pred must have the same length, got {len(true)} and {len(pred)}; "
            "pass one prediction per sample."
        )
    if len(true) == 0:
        raise DataError("y_true and y_pred are empty; metrics need at least one sample.")
    return true, pred


def _as_label_array(name: str, labels: Labels) -> np.ndarray:
    if isinstance(labels, torch.Tensor):
        labels = labels.detach().cpu().numpy()
    array = np.asarray(labels)
    if array.ndim != 1:
        raise DataError(f"{name} must be 1-D (one class index per sample), got shape {array.shape}.")
    if len(array) > 0 and not np.issubdtype(array.dtype, np.integer):
        raise DataError(
            f"{name} must contain integer class indices, got dtype {array.dtype}; "
            "pass argmax indices, not scores or strings."
        )
    return array.astype(np.int64, copy=False)


def _check_range(name: str, labels: np.ndarray, n_classes: int) -> None:
    bad = np.flatnonzero((labels < 0) | (labels >= n_classes))
    if len(bad) > 0:
        raise DataError(
            f"{name} must be class indices in [0, {n_classes}), got {int(labels[bad[0]])} at position "
            f"{int(bad[0])} ({len(bad)} out of range in all); check n_classes and the label mapping."
        )
