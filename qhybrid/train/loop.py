"""The training loop: AdamW on cross-entropy, seeded shuffling and early stopping on a validation split."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from qhybrid.exceptions import ConfigError
from qhybrid.train.config import TrainConfig
from qhybrid.train.evaluation import compute_logits, evaluate, predict
from qhybrid.train.metrics import accuracy
from qhybrid.train.validation import check_dataset, head_dimensions

__all__ = ["TrainResult", "evaluate", "predict", "train_head"]

logger = logging.getLogger(__name__)

EpochCallback = Callable[[dict[str, float]], None]
"""Called after every epoch with that epoch's history record (see :class:`TrainResult`)."""


@dataclass(frozen=True)
class TrainResult:
    """Per-epoch history and outcome of :func:`train_head`, which updates the head itself in place."""

    history: list[dict[str, float]]
    """One record per epoch run, in order. Keys: ``epoch`` (1-based), ``train_loss``,
    ``val_loss``, ``val_accuracy`` and ``seconds`` (wall time of the epoch, validation
    included). ``train_loss`` is the mean cross-entropy over the epoch's batches, weighted
    by batch size and measured while the weights changed. The validation values are
    measured after the epoch."""

    best_epoch: int
    """1-based epoch that is best by ``config.monitor``. The head ends with this epoch's weights."""

    train_seconds: float
    """Wall time of the whole loop (``time.perf_counter``), per-epoch validation included."""

    stopped_early: bool
    """True when early stopping ended training before ``config.epochs``."""

    @property
    def best(self) -> dict[str, float]:
        """History record of :attr:`best_epoch`."""
        return self.history[self.best_epoch - 1]

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a JSON-ready dict."""
        return asdict(self)


def train_head(
    head: nn.Module,
    train_x: torch.Tensor,
    train_y: torch.Tensor,
    val_x: torch.Tensor,
    val_y: torch.Tensor,
    config: TrainConfig,
    seed: int,
    progress: bool = True,
    epoch_callback: EpochCallback | None = None,
) -> TrainResult:
    """Train ``head`` in place with AdamW on cross-entropy and keep the best epoch's weights.

    Each epoch shuffles the training set with a ``torch.Generator`` seeded once
    with ``seed``, steps through mini-batches of ``config.batch_size`` (the short
    last batch is kept), then evaluates on the validation split. Training stops
    after ``config.epochs``, or earlier once ``config.monitor`` has not improved for
    ``config.patience`` epochs. Either way the head ends with the state_dict of
    the best epoch, and in the train or eval mode it had on entry.

    The global torch RNG is neither read nor reseeded, so with the same initial
    weights, data and seed two runs give identical histories and weights
    (``seconds`` aside). Shot noise in a quantum head is seeded by the head.

    Args:
        head: a head from :mod:`qhybrid.heads`, or any module with ``in_features``
            and ``n_classes`` attributes that maps (B, in_features) to logits
            (B, n_classes).
        train_x: training features, shape (N, in_features), finite floats, N >= 1.
        train_y: training labels, int64 of shape (N,), values in [0, n_classes).
        val_x: validation features, shape (M, in_features), M >= 1.
        val_y: validation labels, int64 of shape (M,).
        config: optimizer, batching and early-stopping settings.
        seed: seeds the shuffling order.
        progress: show a tqdm progress bar over epochs with the latest losses.
        epoch_callback: called after every epoch with a copy of its history record,
            for example to log or checkpoint. During the call the head has that
            epoch's weights.

    Returns:
        The per-epoch history, best epoch, wall time and whether training stopped early.

    Raises:
        ConfigError: if ``config`` is not a TrainConfig, ``seed`` is not an integer,
            ``epoch_callback`` is not callable, or ``head`` lacks ``in_features``,
            ``n_classes`` or trainable parameters.
        FeatureError: if a feature tensor has the wrong shape or dtype, no rows, or NaN values.
        DataError: if a label tensor is not int64, has the wrong length or a label out of range.

    Example:
        >>> head = LinearHead(384, 2, seed=0)
        >>> result = train_head(head, train_x, train_y, val_x, val_y, TrainConfig(epochs=10), seed=0)
        >>> result.best["val_accuracy"]  # doctest: +SKIP
        0.91
    """
    _check_arguments(head, config, seed, epoch_callback)
    in_features, n_classes = head_dimensions(head)
    check_dataset(train_x, train_y, in_features, n_classes, x_name="train_x", y_name="train_y")
    check_dataset(val_x, val_y, in_features, n_classes, x_name="val_x", y_name="val_y")

    optimizer = torch.optim.AdamW(head.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    generator = torch.Generator().manual_seed(seed)
    was_training = head.training
    logger.info(
        "Training %s on %d samples (validation %d) for up to %d epochs, seed %d",
        type(head).__name__, train_x.shape[0], val_x.shape[0], config.epochs, seed,
    )

    history: list[dict[str, float]] = []
    best_epoch, best_value, best_state = 0, math.nan, _copy_state(head)
    stopped_early = False
    start = time.perf_counter()
    bar = tqdm(range(1, config.epochs + 1), desc="epochs", unit="epoch", disable=not progress, leave=False)
    for epoch in bar:
        record = _run_epoch(head, optimizer, generator, train_x, train_y, val_x, val_y, config.batch_size, epoch)
        history.append(record)
        bar.set_postfix(loss=f"{record['train_loss']:.4f}", val_loss=f"{record['val_loss']:.4f}",
                        val_acc=f"{record['val_accuracy']:.3f}")
        logger.debug("Epoch %d: %s", epoch, record)

        value = record[config.monitor]
        if best_epoch == 0 or _improves(value, best_value, config.monitor):
            best_epoch, best_value, best_state = epoch, value, _copy_state(head)
        if epoch_callback is not None:
            epoch_callback(dict(record))
        if config.patience > 0 and epoch - best_epoch >= config.patience and epoch < config.epochs:
            stopped_early = True
            break
    bar.close()
    train_seconds = time.perf_counter() - start

    head.load_state_dict(best_state)
    head.train(was_training)
    logger.info(
        "Trained %d epochs in %.1f s; best epoch %d with %s=%.4f%s",
        len(history), train_seconds, best_epoch, config.monitor, best_value,
        " (stopped early)" if stopped_early else "",
    )
    return TrainResult(history=history, best_epoch=best_epoch, train_seconds=train_seconds, stopped_early=stopped_early)


def _run_epoch(
    head: nn.Module,
    optimizer: torch.optim.Optimizer,
    generator: torch.Generator,
    train_x: torch.Tensor,
    train_y: torch.Tensor,
    val_x: torch.Tensor,
    val_y: torch.Tensor,
    batch_size: int,
    epoch: int,
) -> dict[str, float]:
    epoch_start = time.perf_counter()
    head.train()
    n_samples = train_x.shape[0]
    order = torch.randperm(n_samples, generator=generator)
    loss_sum = 0.0
    for start in range(0, n_samples, batch_size):
        indices = order[start : start + batch_size]
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(head(train_x[indices]), train_y[indices])  # mean over the batch
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * len(indices)

    train_loss = loss_sum / n_samples
    if not math.isfinite(train_loss):
        logger.warning("Epoch %d: training loss is %s; lower the learning rate.", epoch, train_loss)
    val_loss, val_accuracy = _validation_metrics(head, val_x, val_y, batch_size)
    return {
        "epoch": epoch,
        "train_loss": train_loss,
        "val_loss": val_loss,
        "val_accuracy": val_accuracy,
        "seconds": time.perf_counter() - epoch_start,
    }


def _validation_metrics(head: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int) -> tuple[float, float]:
    # The same computation as evaluate(), so a recorded val_loss can be reproduced exactly.
    logits = compute_logits(head, x, batch_size)
    return float(F.cross_entropy(logits, y.to(logits.device))), accuracy(y, logits.argmax(dim=1))


def _improves(value: float, best_value: float, monitor: str) -> bool:
    # A NaN value never improves, and any other value improves on a NaN best.
    if math.isnan(best_value):
        return not math.isnan(value)
    return value < best_value if monitor == "val_loss" else value > best_value


def _copy_state(head: nn.Module) -> dict[str, torch.Tensor]:
    return {key: tensor.detach().clone() for key, tensor in head.state_dict().items()}


def _check_arguments(head: nn.Module, config: Any, seed: Any, epoch_callback: Any) -> None:
    if not isinstance(config, TrainConfig):
        raise ConfigError(
            f"config must be a TrainConfig, got {type(config).__name__}; "
            "build one with TrainConfig(...) or TrainConfig.from_dict(table)."
        )
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"seed must be an integer, got {seed!r}; pass for example seed=0.")
    if epoch_callback is not None and not callable(epoch_callback):
        raise ConfigError(f"epoch_callback must be callable or None, got {type(epoch_callback).__name__}.")
    if isinstance(head, nn.Module) and not any(p.requires_grad for p in head.parameters()):
        raise ConfigError(
            f"head {type(head).__name__} has no trainable parameters; unfreeze them with requires_grad_(True)."
        )
