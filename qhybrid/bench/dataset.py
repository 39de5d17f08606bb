"""One dataset of a bench, loaded and encoded once and shared by every row."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any

from qhybrid.bench.config import BenchDataset
from qhybrid.circuits import CircuitSpec
from qhybrid.data import load_splits
from qhybrid.exceptions import ConfigError
from qhybrid.experiment import EncodedSplits, resolve_cache_dir
from qhybrid.experiment.features import SplitTensors, encode_splits
from qhybrid.features.extract import EncoderFactory
from qhybrid.heads import QuantumHead, build_heads, count_parameters
from qhybrid.train import TrainConfig

logger = logging.getLogger(__name__)


@dataclass
class PreparedDataset:
    """Features, labels and head sizes of one dataset; every row of the dataset uses them."""

    name: str
    """Dataset name."""

    encoded: EncodedSplits
    """Features and class indices of train, validation and test, on the CPU."""

    n_classes: int
    """Number of classes of the label map."""

    train_config: TrainConfig
    """Training settings shared by every head."""

    parameter_counts: dict[str, int]
    """Trainable parameters of each head, by name (independent of the seed)."""

    circuit_specs: dict[str, CircuitSpec]
    """Circuit structure of each quantum head, by name."""

    summary: dict[str, Any]
    """Split sizes, class count, feature width and split seed, for ``results.json``."""

    _device_copies: dict[str, EncodedSplits] = field(default_factory=dict, repr=False)

    @property
    def dim(self) -> int:
        """Feature width, the ``in_features`` of every head."""
        return self.encoded.dim

    @property
    def n_test(self) -> int:
        """Rows of the test split."""
        return self.encoded.test.x.shape[0]

    def on_device(self, device: str) -> EncodedSplits:
        """Return the splits with features and labels on ``device``, copied once per device."""
        if device not in self._device_copies:
            self._device_copies[device] = EncodedSplits(
                *(
                    SplitTensors(x=split.x.to(device), y=split.y.to(device), texts=split.texts)
                    for split in (self.encoded.train, self.encoded.validation, self.encoded.test)
                )
            )
        return self._device_copies[device]


def prepare_dataset(
    dataset: BenchDataset,
    data_root: str | os.PathLike[str] | None,
    cache_dir: str | os.PathLike[str] | None,
    progress: bool,
    encoder_factory: EncoderFactory,
) -> PreparedDataset:
    """Load the splits of ``dataset``, extract their features once, and size every head.

    Raises:
        ConfigError: If the validation split is empty, which early stopping needs.
        DataFileNotFoundError: If a data file or the data root does not exist.
        DataError: If a data file is malformed.
    """
    experiment = dataset.experiment
    splits = load_splits(experiment.data, data_root, seed=experiment.seed)
    if len(splits.validation) == 0:
        raise ConfigError(
            f"dataset {dataset.name!r}: the validation split is empty, but training picks the best epoch on it; "
            "raise validation_fraction in [datasets.data] or give a validation file."
        )
    encoded = encode_splits(splits, experiment.encoder, resolve_cache_dir(cache_dir), progress, encoder_factory)

    n_classes = len(splits.label_map)
    heads = build_heads(list(experiment.heads), encoded.dim, n_classes, seed=0)
    summary = {
        "split_seed": experiment.seed,
        "n_classes": n_classes,
        "dim": encoded.dim,
        "sizes": {name: len(getattr(splits, name)) for name in ("train", "validation", "test")},
    }
    logger.info("Dataset %s: %s", dataset.name, summary)
    return PreparedDataset(
        name=dataset.name,
        encoded=encoded,
        n_classes=n_classes,
        train_config=experiment.train,
        parameter_counts={name: count_parameters(module) for name, module in heads.items()},
        circuit_specs={name: module.spec for name, module in heads.items() if isinstance(module, QuantumHead)},
        summary=summary,
    )
