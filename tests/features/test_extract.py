"""Tests of extract_features: cache hits skip the encoder, and the key follows the identity."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from qhybrid.exceptions import ConfigError, FeatureError
from qhybrid.features import EncoderConfig, FrozenEncoder, encoder_identity, extract_features
from qhybrid.features.cache import cache_key
from qhybrid.io import save_torch_atomic

from .conftest import MINILM_DIM

TEXTS = ["a gripping plot", "wooden acting", "I would watch it again"]

SUBPROCESS_TIMEOUT_S = 120
"""Generous bound for a fresh interpreter that imports torch (about 2 s)."""

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
"""Working directory of subprocesses, so that they import this checkout of qhybrid."""

Build = Callable[[EncoderConfig], FrozenEncoder]


class CountingFactory:
    """Encoder factory that counts how many encoders it builds."""

    def __init__(self, build: Build) -> None:
        self.build = build
        self.calls = 0

    def __call__(self, config: EncoderConfig) -> FrozenEncoder:
        self.calls += 1
        return self.build(config)


def reject_build(config: EncoderConfig) -> FrozenEncoder:
    raise AssertionError(f"the encoder was built on a cache hit, for {config}")


def _entries(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.rglob("*.pt"))


def test_second_call_hits_cache(build_encoder: Build, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    factory = CountingFactory(build_encoder)
    config = EncoderConfig()
    with caplog.at_level(logging.INFO, logger="qhybrid.features.extract"):
        first = extract_features(TEXTS, config, tmp_path, progress=False, encoder_factory=factory)
        second = extract_features(TEXTS, config, tmp_path, progress=False, encoder_factory=reject_build)

    assert factory.calls == 1
    assert torch.equal(first, second)
    assert second.shape == (len(TEXTS), MINILM_DIM)
    assert second.dtype == torch.float32
    assert "Feature cache miss: 3 texts" in caplog.text
    assert "Feature cache hit: 3 texts" in caplog.text
    assert len(_entries(tmp_path)) == 1


def test_cache_hit_never_imports_transformers(build_encoder: Build, tmp_path: Path) -> None:
    """A hit in a fresh interpreter returns the features without importing transformers."""
    expected = extract_features(TEXTS, EncoderConfig(), tmp_path, progress=False, encoder_factory=build_encoder)
    torch.save(expected, tmp_path / "expected.pt")

    script = textwrap.dedent(
        f"""
        import sys
        import torch
        from qhybrid.features import EncoderConfig, extract_features

        features = extract_features({TEXTS!r}, EncoderConfig(), {str(tmp_path)!r}, progress=False)
        print(torch.equal(features, torch.load({str(tmp_path / "expected.pt")!r})))
        print("transformers" in sys.modules)
        """
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPOSITORY_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT_S,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]


def test_cached_equals_uncached(build_encoder: Build, tmp_path: Path) -> None:
    cached = extract_features(TEXTS, EncoderConfig(), tmp_path, progress=False, encoder_factory=build_encoder)
    direct = extract_features(TEXTS, EncoderConfig(), None, progress=False, encoder_factory=build_encoder)
    assert torch.equal(cached, direct)


def test_batch_size_and_device_share_entry(build_encoder: Build, tmp_path: Path) -> None:
    first = extract_features(TEXTS, EncoderConfig(batch_size=64), tmp_path, progress=False, encoder_factory=build_encoder)

    # A CUDA config hits the CPU-made entry even without a GPU, because the encoder is not built.
    for config in (EncoderConfig(batch_size=1), EncoderConfig(device="cuda")):
        again = extract_features(TEXTS, config, tmp_path, progress=False, encoder_factory=reject_build)
        assert torch.equal(again, first)


@pytest.mark.parametrize(
    "config, texts",
    [
        (EncoderConfig(pooling="cls"), TEXTS),
        (EncoderConfig(max_length=16), TEXTS),
        (EncoderConfig(), [*TEXTS[:2], "I would not watch it again"]),
        (EncoderConfig(), list(reversed(TEXTS))),
    ],
    ids=["pooling", "max_length", "one_text", "order"],
)
def test_identity_or_texts_change_key(
    build_encoder: Build, tmp_path: Path, config: EncoderConfig, texts: list[str]
) -> None:
    baseline_key = cache_key(encoder_identity(EncoderConfig()), TEXTS)
    assert cache_key(encoder_identity(config), texts) != baseline_key

    extract_features(TEXTS, EncoderConfig(), tmp_path, progress=False, encoder_factory=build_encoder)
    factory = CountingFactory(build_encoder)
    extract_features(texts, config, tmp_path, progress=False, encoder_factory=factory)
    assert factory.calls == 1
    assert len(_entries(tmp_path)) == 2


def test_batch_size_and_device_keep_key() -> None:
    baseline_key = cache_key(encoder_identity(EncoderConfig()), TEXTS)
    for config in (EncoderConfig(batch_size=3), EncoderConfig(device="cuda:1")):
        assert cache_key(encoder_identity(config), TEXTS) == baseline_key


def test_model_alias_keeps_key() -> None:
    short = encoder_identity(EncoderConfig(model="all-MiniLM-L6-v2"))
    full = encoder_identity(EncoderConfig(model="sentence-transformers/all-MiniLM-L6-v2"))
    assert short == full


def test_corrupt_entry_recomputed(build_encoder: Build, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    first = extract_features(TEXTS, EncoderConfig(), tmp_path, progress=False, encoder_factory=build_encoder)
    [entry] = _entries(tmp_path)
    save_torch_atomic(entry, first[:1].clone())

    factory = CountingFactory(build_encoder)
    with caplog.at_level(logging.WARNING, logger="qhybrid.features.cache"):
        repaired = extract_features(TEXTS, EncoderConfig(), tmp_path, progress=False, encoder_factory=factory)
    assert factory.calls == 1
    assert "Ignoring corrupt feature cache entry" in caplog.text
    assert torch.equal(repaired, first)

    again = extract_features(TEXTS, EncoderConfig(), tmp_path, progress=False, encoder_factory=reject_build)
    assert torch.equal(again, first)


def test_default_factory_loads_real_encoder(tmp_path: Path) -> None:
    features = extract_features(TEXTS[:1], EncoderConfig(pooling="cls"), tmp_path, progress=False)
    assert features.shape == (1, MINILM_DIM)


def test_factory_of_other_identity_rejected(build_encoder: Build, tmp_path: Path) -> None:
    def wrong_pooling(config: EncoderConfig) -> FrozenEncoder:
        return build_encoder(EncoderConfig(pooling="cls"))

    with pytest.raises(ConfigError, match="encoder_factory returned an encoder with identity"):
        extract_features(TEXTS, EncoderConfig(pooling="mean"), tmp_path, progress=False, encoder_factory=wrong_pooling)
    assert not _entries(tmp_path)


def test_empty_texts_rejected(tmp_path: Path) -> None:
    with pytest.raises(FeatureError, match="texts is empty"):
        extract_features([], EncoderConfig(), tmp_path, encoder_factory=reject_build)


def test_non_string_text_rejected(tmp_path: Path) -> None:
    with pytest.raises(FeatureError, match=r"texts\[1\] must be a str, got int: 7"):
        extract_features(["fine", 7], EncoderConfig(), tmp_path, encoder_factory=reject_build)  # type: ignore[list-item]


def test_non_config_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config must be an EncoderConfig, got dict"):
        extract_features(TEXTS, {"pooling": "mean"}, tmp_path, encoder_factory=reject_build)  # type: ignore[arg-type]


def test_unknown_model_rejected_before_cache(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"'qhybrid-test/does-not-exist' is not a local directory"):
        extract_features(TEXTS, EncoderConfig(model="qhybrid-test/does-not-exist"), tmp_path, encoder_factory=reject_build)
