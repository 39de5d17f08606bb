"""Evaluation and prediction of a trained head, batch by batch and without gradients."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from qhybrid.train.metrics import accuracy, confusion_matrix, macro_f1
from qhybrid.train.validation import check_batch_size, check_dataset, check_named_features, head_dimensions


def evaluate(head: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 256) -> dict[str, Any]:
    """Compute the loss and classification metrics of ``head`` on one split.

    The head runs in eval mode under ``torch.no_grad()``. Its previous train or
    eval mode is restored afterwards.

    Args:
        head: a head from :mod:`qhybrid.heads`, or any module with ``in_features``
            and ``n_classes`` attributes that maps (B, in_features) to logits
            (B, n_classes).
        x: features, shape (N, in_features), finite floats.
        y: true class indices, int64 of shape (N,).
        batch_size: samples per forward pass. It changes speed and memory only.

    Returns:
        A JSON-ready dict with ``loss`` (mean cross-entropy, float), ``accuracy``
        (float), ``macro_f1`` (float, see :func:`qhybrid.train.macro_f1`) and
        ``confusion_matrix`` (nested list of shape (n_classes, n_classes), rows
        are true classes).

    Raises:
        ConfigError: if ``head`` lacks ``in_features``/``n_classes`` or
            ``batch_size`` is not a positive integer.
        FeatureError: if ``x`` is not a finite float tensor of shape (N, in_features), N >= 1.
        DataError: if ``y`` is not int64 of shape (N,) with values in [0, n_classes).

    Example:
        >>> head = LinearHead(4, 2, seed=0)
        >>> evaluate(head, torch.randn(10, 4), torch.randint(0, 2, (10,)))["accuracy"]  # doctest: +SKIP
        0.6
    """
    in_features, n_classes = head_dimensions(head)
    check_dataset(x, y, in_features, n_classes)
    check_batch_size(batch_size)

    logits = compute_logits(head, x, batch_size)  # (N, n_classes)
    predictions = logits.argmax(dim=1)
    return {
        "loss": float(F.cross_entropy(logits, y.to(logits.device))),
        "accuracy": accuracy(y, predictions),
        "macro_f1": macro_f1(y, predictions, n_classes),
        "confusion_matrix": confusion_matrix(y, predictions, n_classes),
    }


def predict(head: nn.Module, x: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    """Return the predicted class of every sample, the argmax of the logits.

    Args:
        head: as in :func:`evaluate`.
        x: features, shape (N, in_features), finite floats.
        batch_size: samples per forward pass.

    Returns:
        Class indices, int64 of shape (N,).

    Raises:
        ConfigError: if ``head`` lacks ``in_features``/``n_classes`` or
            ``batch_size`` is not a positive integer.
        FeatureError: if ``x`` is not a finite float tensor of shape (N, in_features), N >= 1.
    """
    in_features, _ = head_dimensions(head)
    check_named_features("x", x, in_features)
    check_batch_size(batch_size)
    return compute_logits(head, x, batch_size).argmax(dim=1)


def compute_logits(head: nn.Module, x: torch.Tensor, batch_size: int) -> torch.Tensor:
    """Run ``head`` on ``x`` (N, in_features) in eval mode without gradients; return logits (N, n_classes).

    Unlike :func:`evaluate` and :func:`predict` this does not validate its arguments.
    """
    was_training = head.training
    head.eval()
    try:
        with torch.no_grad():
            batches = [head(x[start : start + batch_size]) for start in range(0, x.shape[0], batch_size)]
    finally:
        head.train(was_training)
    return torch.cat(batches, dim=0)
