"""Tests of model resolution and fingerprinting: shipped aliases, local directories, Hub ids."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from qhybrid.exceptions import ConfigError
from qhybrid.features.pretrained import (
    SHIPPED_MODEL_NAME,
    fingerprint_directory,
    resolve_model,
)

HUB_SUBPROCESS_TIMEOUT_S = 120
"""Generous bound for a fresh interpreter that imports torch and loads MiniLM (about 5 s)."""

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
"""Working directory of the subprocess, so that it imports this checkout of qhybrid."""


def _link_checkpoint(source: Path, target: Path) -> Path:
    """Mirror a checkpoint directory with symlinks, so the 90 MB weights are not copied."""
    target.mkdir(parents=True)
    for path in source.iterdir():
        if path.is_file():
            (target / path.name).symlink_to(path)
    return target


@pytest.mark.parametrize("alias", ["all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"])
def test_aliases_select_shipped_model(alias: str, minilm_path: Path) -> None:
    resolved = resolve_model(alias)
    assert resolved.name == SHIPPED_MODEL_NAME
    assert Path(resolved.source) == minilm_path.resolve()
    assert resolved.is_local
    assert resolved.fingerprint.startswith("sha256:")


def test_local_directory_used_as_is(minilm_path: Path, tmp_path: Path) -> None:
    copy = _link_checkpoint(minilm_path, tmp_path / "minilm")
    resolved = resolve_model(str(copy))
    assert resolved.name == str(copy.resolve())
    assert resolved.source == str(copy.resolve())
    assert resolved.revision is None


def test_fingerprint_depends_on_content_not_location(minilm_path: Path, tmp_path: Path) -> None:
    copy = _link_checkpoint(minilm_path, tmp_path / "minilm")
    assert fingerprint_directory(copy) == fingerprint_directory(minilm_path)


def test_fingerprint_ignores_readme(minilm_path: Path, tmp_path: Path) -> None:
    copy = _link_checkpoint(minilm_path, tmp_path / "minilm")
    (copy / "README.md").unlink()
    (copy / "README.md").write_text("edited model card\n")
    assert fingerprint_directory(copy) == fingerprint_directory(minilm_path)


def test_fingerprint_changes_with_config(minilm_path: Path, tmp_path: Path) -> None:
    copy = _link_checkpoint(minilm_path, tmp_path / "minilm")
    config_text = (minilm_path / "config.json").read_text()
    (copy / "config.json").unlink()
    (copy / "config.json").write_text(config_text.replace('"layer_norm_eps": 1e-12', '"layer_norm_eps": 1e-6'))
    assert fingerprint_directory(copy) != fingerprint_directory(minilm_path)


def test_fingerprint_samples_large_weight_file(tmp_path: Path) -> None:
    weights = tmp_path / "model.safetensors"
    size = 20 * 2**20
    weights.write_bytes(bytes(size))
    before = fingerprint_directory(tmp_path)

    # The last 64 KiB block is always sampled.
    with weights.open("r+b") as stream:
        stream.seek(size - 1)
        stream.write(b"\x01")
    assert fingerprint_directory(tmp_path) != before


def test_directory_without_config_rejected(tmp_path: Path) -> None:
    (tmp_path / "vocab.txt").write_text("[PAD]\n")
    with pytest.raises(ConfigError, match=r"has no config\.json"):
        resolve_model(str(tmp_path))


def test_unknown_hub_id_fails_offline() -> None:
    # HF_HUB_OFFLINE=1 (see conftest.py) makes the Hub lookup fail without a network request.
    with pytest.raises(ConfigError, match=r"'qhybrid-test/does-not-exist' is not a local directory.*Check the model id") as info:
        resolve_model("qhybrid-test/does-not-exist")
    assert isinstance(info.value.__cause__, OSError)


def test_missing_local_path_reported() -> None:
    with pytest.raises(ConfigError, match=r"'\./no/such/model' is not a local directory.*path of a local model directory"):
        resolve_model("./no/such/model")


def test_hub_id_loads_from_hub_cache(minilm_path: Path, tmp_path: Path) -> None:
    """A Hub id goes through hf_hub_download and from_pretrained, served by a local Hub cache.

    The cache mimics huggingface_hub's layout (refs/main and snapshots/<commit>). It runs in
    a subprocess because huggingface_hub reads HF_HUB_CACHE once, at import.
    """
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "hub" / "models--qhybrid-test--minilm"
    _link_checkpoint(minilm_path, repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)

    script = textwrap.dedent(
        """
        import torch
        from qhybrid.features import EncoderConfig, FrozenEncoder

        hub = FrozenEncoder(EncoderConfig(model="qhybrid-test/minilm"))
        shipped = FrozenEncoder(EncoderConfig())
        texts = ["the hub copy", "matches the shipped copy"]
        print(hub.identity()["fingerprint"])
        print(torch.equal(hub.encode(texts, progress=False), shipped.encode(texts, progress=False)))
        """
    )
    env = {**os.environ, "HF_HUB_CACHE": str(tmp_path / "hub"), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPOSITORY_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=HUB_SUBPROCESS_TIMEOUT_S,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [f"git:{commit}", "True"]
