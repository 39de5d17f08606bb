"""Features and class indices of the three splits of an experiment, extracted in one cached pass."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import torch

from qhybrid.data import DataSplits, LabeledTexts
from qhybrid.data.splits import SPLIT_NAMES
from qhybrid.features import EncoderConfig, FrozenEncoder, extract_features
from qhybrid.features.extract import EncoderFactory

logger = logging.getLogger(__name__)

CACHE_DIR_ENV = "QHYBRID_CACHE_DIR"
"""Environment variable with the feature cache folder, used when no cache folder is passed."""

DEFAULT_CACHE_DIR = Path("~/.cache/qhybrid/features")
"""Feature cache folder when neither an argument nor :data:`CACHE_DIR_ENV` sets one."""


@dataclass(frozen=True)
class SplitTensors:
    """Features and class indices of one split."""

    x: torch.Tensor
    """Float32 features on the CPU, shape (N, dim)."""

    y: torch.Tensor
    """Class indices of the label map, int64 of shape (N,)."""

    texts: tuple[str, ...]
    """The encoded texts, ``texts[i]`` belonging to row ``i``."""


@dataclass(frozen=True)
class EncodedSplits:
    """The train, validation and test splits as tensors, ready for training."""

    train: SplitTensors
    validation: SplitTensors
    test: SplitTensors

    @property
    def dim(self) -> int:
        """Feature width, the ``in_features`` of every head."""
        return self.train.x.shape[1]


def resolve_cache_dir(cache_dir: str | os.PathLike[str] | None) -> Path:
    """Choose the feature cache folder: the argument, else :data:`CACHE_DIR_ENV`, else the default.

    Args:
        cache_dir: Folder passed by the caller, such as ``--cache-dir``, or None.

    Returns:
        The folder with ``~`` expanded. It is created by the first cache write.
    """
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    from_environment = os.environ.get(CACHE_DIR_ENV)
    if from_environment:
        return Path(from_environment).expanduser()
    return DEFAULT_CACHE_DIR.expanduser()


def encode_splits(
    splits: DataSplits,
    encoder: EncoderConfig,
    cache_dir: str | os.PathLike[str],
    progress: bool = True,
    encoder_factory: EncoderFactory = FrozenEncoder,
) -> EncodedSplits:
    """Extract the features of every split with one :func:`~qhybrid.features.extract_features` call.

    The texts of train, validation and test are encoded together, in that order, so the
    cache stores one entry per experiment and data seed, and a cache hit loads no encoder.

    Args:
        splits: The splits from :func:`qhybrid.data.load_splits`.
        encoder: The frozen encoder's configuration.
        cache_dir: Feature cache folder.
        progress: Show a progress bar over encoder batches on a cache miss.
        encoder_factory: Builds the encoder on a cache miss, as in ``extract_features``.

    Returns:
        Features and class indices of each split. The validation split may have no rows.

    Raises:
        ConfigError: If the encoder cannot be loaded, as in ``extract_features``.
        DataError: If a label is missing from the label map.
    """
    parts: list[LabeledTexts] = [getattr(splits, name) for name in SPLIT_NAMES]
    texts = [text for part in parts for text in part.texts]
    features = extract_features(
        texts, encoder, cache_dir=cache_dir, progress=progress, encoder_factory=encoder_factory
    )  # (N_train + N_validation + N_test, dim)

    tensors = []
    start = 0
    for part in parts:
        x = features[start : start + len(part)]
        y = torch.tensor(splits.label_map.encode(part.labels), dtype=torch.long)
        tensors.append(SplitTensors(x=x, y=y, texts=part.texts))
        start += len(part)
    logger.info("Features of %d texts have dimension %d", features.shape[0], features.shape[1])
    return EncodedSplits(*tensors)

