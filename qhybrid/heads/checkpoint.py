"""Save and load trained heads with the configuration that rebuilds them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch
from torch import nn

from qhybrid.exceptions import ConfigError, DataFileNotFoundError
from qhybrid.heads.config import HeadConfig, build_head
from qhybrid.io import save_torch_atomic

CHECKPOINT_VERSION = 1


def save_checkpoint(
    path: str | os.PathLike[str],
    head: nn.Module,
    config: HeadConfig,
    in_features: int,
    n_classes: int,
    extra: dict[str, Any] | None = None,
) -> None:
    """Write the head's ``state_dict`` and the config that rebuilds it, atomically.

    The file holds only tensors and plain Python values, so it loads with
    ``torch.load(path, weights_only=True)``.
    """
    save_torch_atomic(
        path,
        {
            "version": CHECKPOINT_VERSION,
            "head_config": config.to_dict(),
            "in_features": in_features,
            "n_classes": n_classes,
            "state_dict": head.state_dict(),
            "extra": extra or {},
        },
    )


def load_checkpoint(
    path: str | os.PathLike[str], overrides: dict[str, Any] | None = None
) -> tuple[nn.Module, HeadConfig, dict[str, Any]]:
    """Rebuild a head from a checkpoint, optionally on another backend.

    Args:
        path: file written by :func:`save_checkpoint`.
        overrides: HeadConfig fields to replace, e.g. ``{"backend": "aer", "shots": 8192}``;
            the weights load unchanged because no backend adds parameters.

    Returns:
        ``(head, config, extra)``.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileNotFoundError(f"checkpoint not found: {path}; pass a file written by a qhybrid run.")
    data = torch.load(path, map_location="cpu", weights_only=True)
    if data.get("version") != CHECKPOINT_VERSION:
        raise ConfigError(f"{path}: checkpoint version {data.get('version')!r} is not {CHECKPOINT_VERSION}.")

    config = HeadConfig.from_dict({**data["head_config"], **(overrides or {})})
    # match_parameters only sizes a new MLP; the state_dict fixes the width here.
    config_for_build = config
    if config.kind == "mlp":
        hidden = data["state_dict"]["net.0.weight"].shape[0]
        config_for_build = HeadConfig.from_dict({**config.to_dict(), "hidden": hidden, "match_parameters": None})
    head = build_head(config_for_build, data["in_features"], data["n_classes"], seed=None)
    head.load_state_dict(data["state_dict"])
    return head, config, data["extra"]
