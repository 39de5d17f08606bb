"""Configuration of the training loop: optimizer, batching and early stopping."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Real
from typing import Any

from qhybrid.exceptions import ConfigError

MONITORS: tuple[str, ...] = ("val_loss", "val_accuracy")
"""Valid values of :attr:`TrainConfig.monitor`."""


@dataclass(frozen=True)
class TrainConfig:
    """Hyperparameters of :func:`qhybrid.train.train_head`.

    The seed is not a field: ``train_head`` takes it as an argument, so one
    config can be run under several seeds.

    Example:
        >>> TrainConfig.from_dict({"epochs": 50, "monitor": "val_accuracy"})
        TrainConfig(epochs=50, batch_size=32, learning_rate=0.01, weight_decay=0.0, patience=5, monitor='val_accuracy')
    """

    epochs: int = 30
    """Maximum number of passes over the training set; early stopping may end training sooner."""

    batch_size: int = 32
    """Samples per optimizer step. The last batch of an epoch keeps the remainder, so it may be smaller."""

    learning_rate: float = 0.01
    """AdamW learning rate."""

    weight_decay: float = 0.0
    """AdamW decoupled weight decay (Loshchilov and Hutter, arXiv:1711.05101); 0 turns it off."""

    patience: int = 5
    """Epochs without improvement of ``monitor`` before training stops; 0 turns early stopping off.
    In both cases the head ends with the weights of the best epoch."""

    monitor: str = "val_loss"
    """Validation metric that selects the best epoch: ``"val_loss"`` (lower is better) or
    ``"val_accuracy"`` (higher is better). Only a strict improvement counts, so ties keep the earlier epoch."""

    def __post_init__(self) -> None:
        _check_positive_int("epochs", self.epochs, "passes over the training set")
        _check_positive_int("batch_size", self.batch_size, "samples per optimizer step")
        _check_real("learning_rate", self.learning_rate, allow_zero=False, example="0.01")
        _check_real("weight_decay", self.weight_decay, allow_zero=True, example="0.0 or 0.01")
        if isinstance(self.patience, bool) or not isinstance(self.patience, int) or self.patience < 0:
            raise ConfigError(
                f"patience must be a non-negative integer (epochs without improvement), got {self.patience!r}; "
                "use 0 to turn early stopping off."
            )
        if self.monitor not in MONITORS:
            raise ConfigError(f"Unknown monitor {self.monitor!r}; choose one of {list(MONITORS)}.")
        object.__setattr__(self, "learning_rate", float(self.learning_rate))
        object.__setattr__(self, "weight_decay", float(self.weight_decay))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TrainConfig:
        """Build a configuration from a mapping such as a parsed TOML ``[train]`` table.

        Args:
            data: Field names mapped to values. Missing fields keep their defaults.

        Returns:
            The validated configuration.

        Raises:
            ConfigError: If ``data`` is not a mapping, contains an unknown key (the
                message lists the valid keys), or a value is invalid.
        """
        if not isinstance(data, Mapping):
            raise ConfigError(
                f"Training configuration must be a mapping of field names to values, "
                f"got {type(data).__name__}: {data!r}."
            )
        valid_keys = [field.name for field in dataclasses.fields(cls)]
        unknown_keys = sorted(str(key) for key in data if key not in valid_keys)
        if unknown_keys:
            raise ConfigError(
                f"Unknown training configuration key(s) {unknown_keys}; "
                f"valid keys are {valid_keys}. Fix the spelling or remove the key."
            )
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a JSON-ready dictionary, the inverse of :meth:`from_dict`."""
        return dataclasses.asdict(self)


def _check_positive_int(name: str, value: Any, unit: str) -> None:
    # bool is a subclass of int, but epochs=True is surely a mistake.
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{name} must be a positive integer ({unit}), got {value!r}. Use a value of at least 1.")


def _check_real(name: str, value: Any, allow_zero: bool, example: str) -> None:
    rule = "a finite number >= 0" if allow_zero else "a finite number > 0"
    is_number = not isinstance(value, bool) and isinstance(value, Real)
    if not is_number or not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise ConfigError(f"{name} must be {rule}, got {value!r}; pass for example {example}.")
