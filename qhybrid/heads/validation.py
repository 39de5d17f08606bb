"""Checks on the feature tensors that every head receives."""

from __future__ import annotations

import torch

from qhybrid.exceptions import FeatureError


def check_features(features: torch.Tensor, in_features: int, dtype: torch.dtype | None = None) -> None:
    """Raise :class:`FeatureError` unless ``features`` is a finite (batch, in_features) float tensor.

    ``dtype``, if given, is the dtype of the head's parameters, which ``features`` must match.
    """
    if not isinstance(features, torch.Tensor):
        raise FeatureError(
            f"features must be a torch.Tensor of shape (batch, {in_features}), got {type(features).__name__}."
        )
    if features.dim() != 2 or features.shape[1] != in_features:
        raise FeatureError(
            f"features must have shape (batch, {in_features}), got {tuple(features.shape)}; "
            f"check that the encoder's output width matches the head's in_features."
        )
    if features.shape[0] == 0:
        raise FeatureError("features is an empty batch (0 rows); pass at least one sample.")
    if not features.is_floating_point():
        raise FeatureError(f"features must be floating point, got dtype {features.dtype}; call .float().")
    if dtype is not None and features.dtype != dtype:
        raise FeatureError(
            f"features have dtype {features.dtype}, but the head's parameters are {dtype}; "
            f"convert one of them, e.g. features.to({dtype}) or head.to({features.dtype})."
        )
    if not torch.isfinite(features).all():
        bad_rows = (~torch.isfinite(features)).any(dim=1).nonzero().flatten().tolist()
        raise FeatureError(
            f"features contain NaN or infinite values in rows {bad_rows[:10]}"
            f"{' ...' if len(bad_rows) > 10 else ''}; clean or drop those samples before the head."
        )
