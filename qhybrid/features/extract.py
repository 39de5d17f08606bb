"""Feature extraction with an on-disk cache: the entry point that training code calls."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from importlib.metadata import version

import torch

from qhybrid.exceptions import ConfigError
from qhybrid.features.cache import FeatureCache, cache_key
from qhybrid.features.config import EncoderConfig
from qhybrid.features.encoder import FrozenEncoder, encoder_identity, validate_texts

logger = logging.getLogger(__name__)

EncoderFactory = Callable[[EncoderConfig], FrozenEncoder]
"""Callable that builds the encoder on a cache miss. Tests pass one that counts or rejects calls."""


def extract_features(
    texts: Sequence[str],
    config: EncoderConfig,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: bool = True,
    encoder_factory: EncoderFactory = FrozenEncoder,
) -> torch.Tensor:
    """Encode texts with a frozen encoder, reusing features cached on disk.

    The cache key covers the model name and fingerprint, ``pooling``, ``max_length`` and
    the exact texts in order, but not ``batch_size`` or ``device``. On a hit the encoder
    is not built and no weights are read, only the small checkpoint files that the
    fingerprint hashes. On a miss the features are computed and stored.

    Args:
        texts: The texts to encode; any iterable of ``str`` except a single ``str``.
        config: Encoder configuration.
        cache_dir: Folder of the :class:`FeatureCache`, or ``None`` to always encode.
        progress: Show a progress bar over batches while encoding.
        encoder_factory: Builds the encoder on a cache miss. The encoder it returns
            must have the identity that ``config`` describes.

    Returns:
        Float32 features on the CPU, shape ``(len(texts), dim)``, rows in input order.

    Raises:
        FeatureError: If ``texts`` is empty, a single string or contains a non-string.
        ConfigError: If ``config`` is not an :class:`EncoderConfig`, its model or device
            is unavailable, or ``encoder_factory`` returns an encoder of another identity.

    Example:
        >>> features = extract_features(["good film", "dull plot"], EncoderConfig(),
        ...                             cache_dir=Path(".qhybrid_cache/features"))
        >>> features.shape
        torch.Size([2, 384])
    """
    texts = validate_texts(texts)
    if not isinstance(config, EncoderConfig):
        raise ConfigError(
            f"config must be an EncoderConfig, got {type(config).__name__}. "
            f"Build one with EncoderConfig(...) or EncoderConfig.from_dict(...)."
        )
    if cache_dir is None:
        return encoder_factory(config).encode(texts, progress=progress)

    cache = FeatureCache(cache_dir)
    identity = encoder_identity(config)
    key = cache_key(identity, texts)
    features = cache.get(key)
    if features is not None:
        logger.info(
            "Feature cache hit: %d texts, model %s, pooling %s, key %s. The encoder is not loaded.",
            len(texts), identity["model"], identity["pooling"], key[:12],
        )
        return features

    logger.info(
        "Feature cache miss: %d texts, model %s, pooling %s, key %s. Encoding.",
        len(texts), identity["model"], identity["pooling"], key[:12],
    )
    encoder = encoder_factory(config)
    _check_identity(encoder, identity)
    features = encoder.encode(texts, progress=progress)
    path = cache.put(key, features, {"identity": identity, "transformers": version("transformers")})
    logger.info("Stored %d x %d features in %s", features.shape[0], features.shape[1], path)
    return features


def _check_identity(encoder: FrozenEncoder, expected: dict[str, object]) -> None:
    # Storing features of another encoder under this key would poison the cache.
    actual = encoder.identity()
    if actual != expected:
        raise ConfigError(
            f"encoder_factory returned an encoder with identity {actual}, but the "
            f"configuration describes {expected}. Build the encoder from the config "
            f"that the factory receives."
        )
