"""Frozen pretrained text encoders and the on-disk cache of their features.

``extract_features(texts, EncoderConfig(), cache_dir=...)`` is the usual entry point.
It returns one float32 vector per text and skips loading the encoder when the cache
already contains the features.
"""

from qhybrid.features.cache import FeatureCache
from qhybrid.features.config import EncoderConfig
from qhybrid.features.encoder import FrozenEncoder, encoder_identity
from qhybrid.features.extract import extract_features

__all__ = [
    "EncoderConfig",
    "FeatureCache",
    "FrozenEncoder",
    "encoder_identity",
    "extract_features",
]
