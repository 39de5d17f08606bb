"""Tests of train_head, evaluate and predict on synthetic data."""

from __future__ import annotations

import json

import pytest
import torch

from qhybrid.exceptions import ConfigError, DataError, FeatureError
from qhybrid.heads import LinearHead, QuantumHead
from qhybrid.train import TrainConfig, evaluate, predict, train_head

from .conftest import make_blobs

FAST = TrainConfig(epochs=40, batch_size=16, learning_rate=0.1, patience=0)
"""Enough for a linear head to separate the blobs of ``separable_split``."""


def _state_equal(left: dict[str, torch.Tensor], right: dict[str, torch.Tensor]) -> bool:
    return left.keys() == right.keys() and all(torch.equal(left[key], right[key]) for key in left)


def _snapshot(head: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {key: value.detach().clone() for key, value in head.state_dict().items()}


def _without_seconds(history: list[dict[str, float]]) -> list[dict[str, float]]:
    return [{key: value for key, value in record.items() if key != "seconds"} for record in history]


def test_linear_head_separates_blobs(separable_split):
    train_x, train_y, val_x, val_y = separable_split
    head = LinearHead(6, 3, seed=0)

    result = train_head(head, train_x, train_y, val_x, val_y, FAST, seed=0, progress=False)

    assert result.best["val_accuracy"] == 1.0
    assert evaluate(head, train_x, train_y)["accuracy"] == 1.0
    assert evaluate(head, val_x, val_y)["accuracy"] == 1.0
    assert len(result.history) == FAST.epochs
    assert not result.stopped_early
    assert result.train_seconds > 0


def test_history_records_every_epoch(separable_split):
    train_x, train_y, val_x, val_y = separable_split
    config = TrainConfig(epochs=3, batch_size=16, patience=0)

    result = train_head(LinearHead(6, 3, seed=0), train_x, train_y, val_x, val_y, config, seed=0, progress=False)

    assert [record["epoch"] for record in result.history] == [1, 2, 3]
    for record in result.history:
        assert set(record) == {"epoch", "train_loss", "val_loss", "val_accuracy", "seconds"}
        assert record["seconds"] > 0
    assert sum(record["seconds"] for record in result.history) <= result.train_seconds
    json.dumps(result.to_dict())


def test_early_stopping_restores_best_epoch():
    # Validation mixes correctly labelled points with points of a wrong label. The loss
    # first falls as the head learns the blobs, then rises as it grows confident on the
    # wrong ones, so the best epoch lies inside the run.
    train_x, train_y = make_blobs(30, 6, 3, separation=4.0, seed=0)
    val_x, val_y = make_blobs(10, 6, 3, separation=4.0, seed=1)
    val_y[:6] = (val_y[:6] + 1) % 3
    config = TrainConfig(epochs=60, batch_size=16, learning_rate=0.01, patience=3)
    head = LinearHead(6, 3, seed=0)
    snapshots: list[dict[str, torch.Tensor]] = []

    result = train_head(
        head, train_x, train_y, val_x, val_y, config, seed=0, progress=False,
        epoch_callback=lambda record: snapshots.append(_snapshot(head)),
    )

    val_losses = [record["val_loss"] for record in result.history]
    assert result.stopped_early
    assert 1 < result.best_epoch < len(result.history)
    assert len(result.history) == result.best_epoch + config.patience
    assert result.best_epoch == val_losses.index(min(val_losses)) + 1
    assert _state_equal(_snapshot(head), snapshots[result.best_epoch - 1])
    assert not _state_equal(_snapshot(head), snapshots[-1])
    assert evaluate(head, val_x, val_y, batch_size=config.batch_size)["loss"] == result.best["val_loss"]


def test_monitor_val_accuracy_keeps_first_best_epoch(separable_split):
    train_x, train_y, val_x, val_y = separable_split
    config = TrainConfig(epochs=8, batch_size=16, learning_rate=0.1, patience=0, monitor="val_accuracy")

    result = train_head(LinearHead(6, 3, seed=0), train_x, train_y, val_x, val_y, config, seed=0, progress=False)

    accuracies = [record["val_accuracy"] for record in result.history]
    assert result.best_epoch == accuracies.index(max(accuracies)) + 1


def test_patience_zero_runs_every_epoch():
    train_x, train_y = make_blobs(30, 6, 3, separation=4.0, seed=0)
    val_x, val_y = make_blobs(10, 6, 3, separation=4.0, seed=1)
    val_y[:6] = (val_y[:6] + 1) % 3  # the validation loss rises after a few epochs
    config = TrainConfig(epochs=25, batch_size=16, learning_rate=0.01, patience=0)

    result = train_head(LinearHead(6, 3, seed=0), train_x, train_y, val_x, val_y, config, seed=0, progress=False)

    assert len(result.history) == config.epochs
    assert not result.stopped_early
    assert result.best_epoch < config.epochs


def test_same_seed_gives_identical_runs(separable_split):
    train_x, train_y, val_x, val_y = separable_split
    config = TrainConfig(epochs=5, batch_size=7, learning_rate=0.05)
    heads = [LinearHead(6, 3, seed=1) for _ in range(3)]

    results = [
        train_head(head, train_x, train_y, val_x, val_y, config, seed=seed, progress=False)
        for head, seed in zip(heads, (4, 4, 5))
    ]

    assert _without_seconds(results[0].history) == _without_seconds(results[1].history)
    assert _state_equal(heads[0].state_dict(), heads[1].state_dict())
    assert not _state_equal(heads[0].state_dict(), heads[2].state_dict())  # the seed sets the order


def test_training_leaves_global_rng_alone(separable_split):
    train_x, train_y, val_x, val_y = separable_split
    head = LinearHead(6, 3, seed=0)
    before = torch.get_rng_state()

    train_head(head, train_x, train_y, val_x, val_y, TrainConfig(epochs=2), seed=0, progress=False)

    assert torch.equal(torch.get_rng_state(), before)


class _BatchRecordingHead(LinearHead):
    """LinearHead that records the size of every training batch."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.batch_sizes: list[int] = []

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        if self.training:
            self.batch_sizes.append(features.shape[0])
        return super().forward(features)


def test_short_last_batch_is_kept(separable_split):
    train_x, train_y, val_x, val_y = separable_split  # 90 training samples
    head = _BatchRecordingHead(6, 3, seed=0)

    train_head(head, train_x, train_y, val_x, val_y, TrainConfig(epochs=2, batch_size=40), seed=0, progress=False)

    assert head.batch_sizes == [40, 40, 10, 40, 40, 10]


def test_head_mode_is_restored(separable_split):
    train_x, train_y, val_x, val_y = separable_split
    head = LinearHead(6, 3, seed=0).eval()

    train_head(head, train_x, train_y, val_x, val_y, TrainConfig(epochs=1), seed=0, progress=False)
    assert not head.training
    head.train()
    evaluate(head, val_x, val_y)
    assert head.training


def test_progress_bar_shows_losses(separable_split, capsys):
    train_x, train_y, val_x, val_y = separable_split
    config = TrainConfig(epochs=2)

    train_head(LinearHead(6, 3, seed=0), train_x, train_y, val_x, val_y, config, seed=0, progress=False)
    assert capsys.readouterr().err == ""
    train_head(LinearHead(6, 3, seed=0), train_x, train_y, val_x, val_y, config, seed=0, progress=True)
    assert "val_loss=" in capsys.readouterr().err


def test_evaluate_and_predict_agree(separable_split):
    train_x, train_y, val_x, val_y = separable_split
    head = LinearHead(6, 3, seed=0)
    train_head(head, train_x, train_y, val_x, val_y, TrainConfig(epochs=3), seed=0, progress=False)

    metrics = evaluate(head, val_x, val_y, batch_size=7)
    predictions = predict(head, val_x, batch_size=7)

    assert set(metrics) == {"loss", "accuracy", "macro_f1", "confusion_matrix"}
    assert predictions.dtype == torch.long
    assert predictions.shape == (len(val_x),)
    assert metrics["accuracy"] == (predictions == val_y).sum().item() / len(val_y)
    assert sum(map(sum, metrics["confusion_matrix"])) == len(val_x)
    json.dumps(metrics)


@pytest.mark.slow
def test_quantum_head_learns_separable_problem():
    train_x, train_y = make_blobs(16, 4, 2, separation=5.0, seed=0)
    val_x, val_y = make_blobs(10, 4, 2, separation=5.0, seed=1)
    head = QuantumHead(4, 2, n_qubits=2, n_layers=1, backend="default.qubit", seed=0)
    config = TrainConfig(epochs=15, batch_size=8, learning_rate=0.1, patience=0)

    result = train_head(head, train_x, train_y, val_x, val_y, config, seed=0, progress=False)

    assert result.best["val_accuracy"] >= 0.9
    assert evaluate(head, val_x, val_y)["accuracy"] >= 0.9


# Argument validation. Each case names the argument, the value and the fix.

def _train_linear(**overrides):
    train_x, train_y = make_blobs(4, 6, 3, separation=4.0, seed=0)
    arguments = {
        "head": LinearHead(6, 3, seed=0), "train_x": train_x, "train_y": train_y,
        "val_x": train_x, "val_y": train_y, "config": TrainConfig(epochs=1), "seed": 0, "progress": False,
    }
    arguments.update(overrides)
    return train_head(**arguments)


def test_empty_training_set_raises():
    with pytest.raises(FeatureError, match=r"train_x has no rows \(shape \(0, 6\)\); pass at least one sample"):
        _train_linear(train_x=torch.empty(0, 6), train_y=torch.empty(0, dtype=torch.long))


@pytest.mark.parametrize(
    ("overrides", "error", "message"),
    [
        ({"train_x": torch.ones(12)}, FeatureError, r"train_x: features must have shape \(batch, 6\), got \(12,\)"),
        ({"val_x": torch.ones(12, 5)}, FeatureError, r"val_x: features must have shape \(batch, 6\), got \(12, 5\)"),
        ({"train_x": torch.ones(12, 6, dtype=torch.long)}, FeatureError, r"train_x: .*dtype torch.int64; call .float\(\)"),
        ({"val_y": torch.zeros(12, dtype=torch.int32)}, DataError, r"val_y must have dtype torch.int64, got torch.int32; call .long\(\)"),
        ({"train_y": torch.zeros(11, dtype=torch.long)}, DataError, r"train_y has 11 labels but the features have 12 rows"),
        ({"train_y": torch.zeros(12, 1, dtype=torch.long)}, DataError, r"train_y must be 1-D .* got shape \(12, 1\)"),
        ({"train_y": [0] * 12}, DataError, r"train_y must be a torch.Tensor .* got list"),
        ({"config": {"epochs": 1}}, ConfigError, r"config must be a TrainConfig, got dict"),
        ({"seed": 1.5}, ConfigError, r"seed must be an integer, got 1.5"),
        ({"epoch_callback": 3}, ConfigError, r"epoch_callback must be callable or None, got int"),
        ({"head": torch.nn.Linear(6, 3)}, ConfigError, r"head.n_classes must be a positive integer, got None on Linear"),
    ],
)
def test_invalid_argument_raises(overrides, error, message):
    with pytest.raises(error, match=message):
        _train_linear(**overrides)


def test_out_of_range_label_raises():
    train_y = torch.tensor([0, 1, 2, 3] * 3)
    with pytest.raises(DataError, match=r"train_y must contain class indices in \[0, 3\), got 3 at index 3 \(3 out of range"):
        _train_linear(train_y=train_y)


def test_nan_feature_names_row():
    train_x, _ = make_blobs(4, 6, 3, separation=4.0, seed=0)
    train_x[5, 2] = float("nan")
    with pytest.raises(FeatureError, match=r"train_x: features contain NaN or infinite values in rows \[5\]"):
        _train_linear(train_x=train_x)


def test_frozen_head_raises():
    head = LinearHead(6, 3, seed=0).requires_grad_(False)
    with pytest.raises(ConfigError, match="has no trainable parameters; unfreeze them"):
        _train_linear(head=head)


def test_predict_invalid_batch_size_raises():
    with pytest.raises(ConfigError, match="batch_size must be a positive integer .* got 0"):
        predict(LinearHead(6, 3), torch.ones(2, 6), batch_size=0)


def test_evaluate_names_arguments():
    with pytest.raises(FeatureError, match=r"^x: features must have shape"):
        evaluate(LinearHead(6, 3), torch.ones(2, 5), torch.zeros(2, dtype=torch.long))
    with pytest.raises(DataError, match=r"^y has 3 labels but the features have 2 rows"):
        evaluate(LinearHead(6, 3), torch.ones(2, 6), torch.zeros(3, dtype=torch.long))
