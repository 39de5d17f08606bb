"""Tests of EncoderConfig: defaults, from_dict and the validation of every field."""

from __future__ import annotations

import pytest

from qhybrid.exceptions import ConfigError
from qhybrid.features import EncoderConfig


def test_defaults() -> None:
    config = EncoderConfig()
    assert config.model == "all-MiniLM-L6-v2"
    assert config.pooling == "mean"
    assert config.max_length == 128
    assert config.batch_size == 64
    assert config.device == "cpu"


def test_from_dict_round_trip() -> None:
    data = {"model": "bert-base-uncased", "pooling": "cls", "max_length": 32, "batch_size": 8, "device": "cuda:1"}
    config = EncoderConfig.from_dict(data)
    assert config.to_dict() == data


def test_from_dict_keeps_defaults_for_missing_keys() -> None:
    assert EncoderConfig.from_dict({"pooling": "cls"}) == EncoderConfig(pooling="cls")


def test_from_dict_rejects_unknown_key() -> None:
    with pytest.raises(ConfigError, match=r"Unknown encoder configuration key\(s\) \['pooler'\]\. Valid keys are \['model', 'pooling'"):
        EncoderConfig.from_dict({"pooler": "mean"})


def test_from_dict_rejects_non_mapping() -> None:
    with pytest.raises(ConfigError, match="must be a mapping.*got list"):
        EncoderConfig.from_dict([("pooling", "mean")])  # type: ignore[arg-type]


def test_config_is_frozen() -> None:
    config = EncoderConfig()
    with pytest.raises(AttributeError):
        config.pooling = "cls"  # type: ignore[misc]


def test_unknown_pooling_lists_choices() -> None:
    with pytest.raises(ConfigError, match=r"Unknown pooling 'max'\. Choose one of \['mean', 'cls'\]"):
        EncoderConfig(pooling="max")


@pytest.mark.parametrize("field", ["max_length", "batch_size"])
@pytest.mark.parametrize("value", [0, -3, 2.5, True, "64"])
def test_sizes_must_be_positive_integers(field: str, value: object) -> None:
    with pytest.raises(ConfigError, match=rf"{field} must be a positive integer .*got {value!r}"):
        EncoderConfig(**{field: value})


@pytest.mark.parametrize("model", ["", "   ", None])
def test_model_must_be_non_empty_string(model: object) -> None:
    with pytest.raises(ConfigError, match="model must be a non-empty string"):
        EncoderConfig(model=model)  # type: ignore[arg-type]


@pytest.mark.parametrize("device", ["cpu", "cuda", "cuda:0", "cuda:3"])
def test_valid_device_names(device: str) -> None:
    assert EncoderConfig(device=device).device == device


@pytest.mark.parametrize("device", ["gpu", "CUDA", "cuda:", "cuda:x", "mps", 0])
def test_invalid_device_names(device: object) -> None:
    with pytest.raises(ConfigError, match=r"device must be 'cpu', 'cuda' or 'cuda:N'.*got"):
        EncoderConfig(device=device)  # type: ignore[arg-type]
