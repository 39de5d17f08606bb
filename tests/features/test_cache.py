"""Tests of FeatureCache and cache_key: round trip, key sensitivity and corrupt entries."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import torch

from qhybrid.exceptions import ConfigError, FeatureError
from qhybrid.features import FeatureCache
from qhybrid.features.cache import cache_key
from qhybrid.io import save_torch_atomic

IDENTITY = {"model": "m", "fingerprint": "sha256:00", "pooling": "mean", "max_length": 128}
TEXTS = ["first text", "second text", "third text"]


@pytest.fixture
def features() -> torch.Tensor:
    return torch.randn(len(TEXTS), 8, generator=torch.Generator().manual_seed(0))


@pytest.fixture
def stored(tmp_path: Path, features: torch.Tensor) -> tuple[FeatureCache, str]:
    """A cache holding ``features`` under the key of IDENTITY and TEXTS."""
    cache = FeatureCache(tmp_path / "cache")
    key = cache_key(IDENTITY, TEXTS)
    cache.put(key, features, {"identity": IDENTITY})
    return cache, key


def test_put_then_get_round_trip(stored: tuple[FeatureCache, str], features: torch.Tensor) -> None:
    cache, key = stored
    loaded = cache.get(key)
    assert loaded is not None
    assert torch.equal(loaded, features)


def test_layout_and_sidecar(stored: tuple[FeatureCache, str]) -> None:
    cache, key = stored
    tensor_path = cache.root / key[:2] / f"{key}.pt"
    sidecar = json.loads((cache.root / key[:2] / f"{key}.json").read_text())
    assert tensor_path.is_file()
    assert sidecar["key"] == key
    assert sidecar["count"] == len(TEXTS)
    assert sidecar["dim"] == 8
    assert sidecar["meta"] == {"identity": IDENTITY}


def test_missing_key_is_miss(tmp_path: Path) -> None:
    assert FeatureCache(tmp_path).get("0" * 64) is None


def test_key_is_sha256_hex() -> None:
    key = cache_key(IDENTITY, TEXTS)
    assert len(key) == 64
    assert key == key.lower()
    int(key, 16)


def test_key_ignores_identity_key_order() -> None:
    reordered = dict(reversed(list(IDENTITY.items())))
    assert cache_key(reordered, TEXTS) == cache_key(IDENTITY, TEXTS)


@pytest.mark.parametrize(
    "texts",
    [
        ["first text", "second text", "third text!"],
        ["second text", "first text", "third text"],
        ["first text", "second text"],
        ["first textsecond text", "third text"],
        ["first text", "second text", "third text", ""],
    ],
)
def test_key_changes_with_texts(texts: list[str]) -> None:
    assert cache_key(IDENTITY, texts) != cache_key(IDENTITY, TEXTS)


@pytest.mark.parametrize("field, value", [("model", "other"), ("fingerprint", "sha256:01"), ("pooling", "cls"), ("max_length", 64)])
def test_key_changes_with_identity(field: str, value: object) -> None:
    assert cache_key({**IDENTITY, field: value}, TEXTS) != cache_key(IDENTITY, TEXTS)


def test_key_rejects_unserializable_identity() -> None:
    with pytest.raises(FeatureError, match="identity must be JSON-serializable"):
        cache_key({"model": object()}, TEXTS)


def test_short_tensor_detected(stored: tuple[FeatureCache, str], caplog: pytest.LogCaptureFixture) -> None:
    cache, key = stored
    save_torch_atomic(cache.root / key[:2] / f"{key}.pt", torch.zeros(len(TEXTS) - 1, 8))
    with caplog.at_level(logging.WARNING, logger="qhybrid.features.cache"):
        assert cache.get(key) is None
    assert "the tensor has shape (2, 8), the sidecar records (3, 8)" in caplog.text


def test_truncated_file_detected(stored: tuple[FeatureCache, str], caplog: pytest.LogCaptureFixture) -> None:
    cache, key = stored
    tensor_path = cache.root / key[:2] / f"{key}.pt"
    data = tensor_path.read_bytes()
    tensor_path.write_bytes(data[: len(data) // 2])
    with caplog.at_level(logging.WARNING, logger="qhybrid.features.cache"):
        assert cache.get(key) is None
    assert "Ignoring unreadable feature cache file" in caplog.text


def test_foreign_pickle_detected(stored: tuple[FeatureCache, str], caplog: pytest.LogCaptureFixture) -> None:
    cache, key = stored
    (cache.root / key[:2] / f"{key}.pt").write_bytes(b"not a torch file")
    with caplog.at_level(logging.WARNING, logger="qhybrid.features.cache"):
        assert cache.get(key) is None
    assert "Ignoring unreadable feature cache file" in caplog.text


def test_missing_sidecar_detected(stored: tuple[FeatureCache, str], caplog: pytest.LogCaptureFixture) -> None:
    cache, key = stored
    (cache.root / key[:2] / f"{key}.json").unlink()
    with caplog.at_level(logging.WARNING, logger="qhybrid.features.cache"):
        assert cache.get(key) is None
    assert "unreadable sidecar" in caplog.text


def test_put_overwrites_corrupt_entry(stored: tuple[FeatureCache, str], features: torch.Tensor) -> None:
    cache, key = stored
    (cache.root / key[:2] / f"{key}.pt").write_bytes(b"")
    cache.put(key, features, {})
    loaded = cache.get(key)
    assert loaded is not None
    assert torch.equal(loaded, features)


@pytest.mark.parametrize("key", ["abc", "G" * 64, "A" * 64, None])
def test_malformed_key_rejected(tmp_path: Path, key: object) -> None:
    with pytest.raises(FeatureError, match="key must be 64 lowercase hex digits"):
        FeatureCache(tmp_path).get(key)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad, message",
    [
        (torch.zeros(3, 8, dtype=torch.float64), "features must be float32, got torch.float64"),
        (torch.zeros(8), r"features must have shape \(count, dim\).*got \(8,\)"),
        (torch.zeros(0, 8), r"count >= 1, got \(0, 8\)"),
        ([[0.0]], "features must be a torch.Tensor, got list"),
    ],
)
def test_put_rejects_bad_features(tmp_path: Path, bad: object, message: str) -> None:
    with pytest.raises(FeatureError, match=message):
        FeatureCache(tmp_path).put("0" * 64, bad, {})  # type: ignore[arg-type]


def test_put_rejects_unserializable_meta(tmp_path: Path, features: torch.Tensor) -> None:
    cache = FeatureCache(tmp_path)
    with pytest.raises(FeatureError, match="meta must be JSON-serializable"):
        cache.put("0" * 64, features, {"when": object()})
    assert not any(tmp_path.rglob("*.pt"))


def test_root_that_is_a_file_rejected(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    root.write_text("")
    with pytest.raises(ConfigError, match="exists and is not a directory"):
        FeatureCache(root)
