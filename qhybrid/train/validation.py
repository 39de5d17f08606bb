"""Checks on the heads, features and labels passed to training and evaluation."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from qhybrid.exceptions import ConfigError, DataError, FeatureError
from qhybrid.heads.validation import check_features


def head_dimensions(head: nn.Module) -> tuple[int, int]:
    """Return ``(head.in_features, head.n_classes)``.

    Raises:
        ConfigError: if ``head`` is not an ``nn.Module`` with positive integer
            ``in_features`` and ``n_classes`` attributes, as every head in
            :mod:`qhybrid.heads` has.
    """
    if not isinstance(head, nn.Module):
        raise ConfigError(f"head must be a torch.nn.Module, got {type(head).__name__}; pass a head from qhybrid.heads.")
    dimensions = []
    for name in ("in_features", "n_classes"):
        value = getattr(head, name, None)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(
                f"head.{name} must be a positive integer, got {value!r} on {type(head).__name__}; "
                "give custom heads the in_features and n_classes attributes that the heads in qhybrid.heads have."
            )
        dimensions.append(value)
    return dimensions[0], dimensions[1]


def check_dataset(
    x: Any, y: Any, in_features: int, n_classes: int, x_name: str = "x", y_name: str = "y"
) -> None:
    """Check the features and labels of one split.

    Args:
        x: features, expected finite float of shape (N, in_features) with N >= 1.
        y: labels, expected int64 of shape (N,) with values in [0, n_classes).
        in_features: feature width the head expects.
        n_classes: number of classes the head predicts.
        x_name: argument name of ``x`` in messages, such as ``"train_x"``.
        y_name: argument name of ``y`` in messages.

    Raises:
        FeatureError: if ``x`` has the wrong type, shape or dtype, no rows, or
            NaN or infinite values.
        DataError: if ``y`` has the wrong type, shape, dtype or length, or a label
            out of range.
    """
    check_named_features(x_name, x, in_features)
    check_labels(y_name, y, n_samples=x.shape[0], n_classes=n_classes)


def check_named_features(argument: str, x: Any, in_features: int) -> None:
    """Check features as :func:`qhybrid.heads.validation.check_features` does, naming ``argument`` in the message.

    Raises:
        FeatureError: if ``x`` is not a finite float tensor of shape (N, in_features) with N >= 1.
    """
    if isinstance(x, torch.Tensor) and x.dim() == 2 and x.shape[0] == 0:
        raise FeatureError(f"{argument} has no rows (shape {tuple(x.shape)}); pass at least one sample.")
    try:
        check_features(x, in_features)
    except FeatureError as error:
        raise FeatureError(f"{argument}: {error}") from error


def check_labels(argument: str, y: Any, n_samples: int, n_classes: int) -> None:
    """Check that ``y`` contains one int64 class index in [0, n_classes) per sample.

    Raises:
        DataError: naming ``argument``, the rule, the value received and the fix.
    """
    if not isinstance(y, torch.Tensor):
        raise DataError(
            f"{argument} must be a torch.Tensor of class indices, got {type(y).__name__}; "
            "wrap it with torch.as_tensor(..., dtype=torch.long)."
        )
    if y.dim() != 1:
        raise DataError(f"{argument} must be 1-D (one class index per sample), got shape {tuple(y.shape)}.")
    if y.dtype != torch.long:
        raise DataError(f"{argument} must have dtype torch.int64, got {y.dtype}; call .long() on it.")
    if y.shape[0] != n_samples:
        raise DataError(
            f"{argument} has {y.shape[0]} labels but the features have {n_samples} rows; pass one label per row."
        )
    bad = ((y < 0) | (y >= n_classes)).nonzero().flatten()
    if len(bad) > 0:
        first = int(bad[0])
        raise DataError(
            f"{argument} must contain class indices in [0, {n_classes}), got {int(y[first])} at index {first} "
            f"({len(bad)} out of range in all); map the labels to 0..{n_classes - 1} or build the head "
            "with a larger n_classes."
        )


def check_batch_size(batch_size: Any) -> None:
    """Raise :class:`ConfigError` unless ``batch_size`` is a positive integer."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ConfigError(f"batch_size must be a positive integer (samples per forward pass), got {batch_size!r}.")
