"""Tests of TrainConfig: defaults, from_dict and the validation of every field."""

from __future__ import annotations

import dataclasses

import pytest

from qhybrid.exceptions import ConfigError
from qhybrid.train import TrainConfig


def test_defaults():
    config = TrainConfig()
    assert config.epochs == 30
    assert config.batch_size == 32
    assert config.learning_rate == 0.01
    assert config.weight_decay == 0.0
    assert config.patience == 5
    assert config.monitor == "val_loss"


def test_from_dict_round_trip():
    table = {"epochs": 3, "batch_size": 4, "learning_rate": 0.1, "weight_decay": 0.01, "patience": 0,
             "monitor": "val_accuracy"}
    config = TrainConfig.from_dict(table)
    assert config.to_dict() == table
    assert TrainConfig.from_dict(config.to_dict()) == config


def test_from_dict_keeps_missing_defaults():
    assert TrainConfig.from_dict({"epochs": 7}) == TrainConfig(epochs=7)


def test_from_dict_unknown_key_lists_valid_keys():
    with pytest.raises(ConfigError, match=r"Unknown training configuration key\(s\) \['lr'\].*valid keys are.*learning_rate"):
        TrainConfig.from_dict({"lr": 0.1})


def test_from_dict_rejects_non_mapping():
    with pytest.raises(ConfigError, match="must be a mapping"):
        TrainConfig.from_dict([("epochs", 3)])


def test_config_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        TrainConfig().epochs = 3


def test_integer_learning_rate_becomes_float():
    assert isinstance(TrainConfig(learning_rate=1).learning_rate, float)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("epochs", 0, r"epochs must be a positive integer .* got 0"),
        ("epochs", 2.5, r"epochs must be a positive integer .* got 2.5"),
        ("epochs", True, r"epochs must be a positive integer .* got True"),
        ("batch_size", 0, r"batch_size must be a positive integer .* got 0"),
        ("batch_size", "32", r"batch_size must be a positive integer .* got '32'"),
        ("learning_rate", 0.0, r"learning_rate must be a finite number > 0, got 0.0"),
        ("learning_rate", -0.1, r"learning_rate must be a finite number > 0, got -0.1"),
        ("learning_rate", float("nan"), r"learning_rate must be a finite number > 0, got nan"),
        ("learning_rate", "0.1", r"learning_rate must be a finite number > 0, got '0.1'"),
        ("weight_decay", -1e-4, r"weight_decay must be a finite number >= 0, got -0.0001"),
        ("weight_decay", float("inf"), r"weight_decay must be a finite number >= 0, got inf"),
        ("patience", -1, r"patience must be a non-negative integer .* got -1; use 0 to turn early stopping off"),
        ("patience", 1.0, r"patience must be a non-negative integer .* got 1.0"),
        ("monitor", "val_f1", r"Unknown monitor 'val_f1'; choose one of \['val_loss', 'val_accuracy'\]"),
    ],
)
def test_invalid_field_raises(field, value, message):
    with pytest.raises(ConfigError, match=message):
        TrainConfig(**{field: value})
