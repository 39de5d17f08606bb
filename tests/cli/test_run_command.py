"""Tests of `qhybrid run`, called in-process through qhybrid.cli.main.main."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import torch

from qhybrid.cli.main import main
from qhybrid.experiment import load_experiment_config, run_experiment
from tests.experiment.synthetic import FakeEncoder, write_synthetic_experiment


@pytest.fixture(autouse=True)
def restore_torch_threads():
    """`qhybrid run` sets the torch thread count; put it back after each test."""
    previous = torch.get_num_threads()
    yield
    torch.set_num_threads(previous)


@pytest.fixture(autouse=True)
def restore_hub_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """`qhybrid run` may set these Hugging Face variables; monkeypatch restores them after each test."""
    monkeypatch.delenv("HF_HUB_DISABLE_PROGRESS_BARS", raising=False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)


@pytest.fixture
def synthetic_with_cache(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The synthetic experiment with its features already in a cache folder.

    The CLI cannot be given a fake encoder, so a first run through the API fills the
    cache with fake features, and the CLI run then finds them without loading MiniLM.

    Returns:
        ``(data_root, config_path, cache_dir)``.
    """
    data_root, config_path = write_synthetic_experiment(tmp_path)
    cache_dir = tmp_path / "cache"
    config = load_experiment_config(config_path)
    run_experiment(
        config, data_root, tmp_path / "prefill", progress=False, cache_dir=cache_dir,
        heads=["linear"], encoder_factory=FakeEncoder,
    )
    return data_root, config_path, cache_dir


def test_help_explains_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())

    assert exit_info.value.code == 0
    assert "folder that relative data paths in the config are resolved against" in text
    assert "QHYBRID_DATA_ROOT" in text
    assert "QHYBRID_CACHE_DIR" in text
    assert "parent folder of the run folder OUT/<name>/" in text
    assert "number of torch intra-op CPU threads" in text
    assert "--no-progress" in text
    assert "--heads NAME [NAME ...]" in text


def test_run_writes_folder_and_prints_table(
    synthetic_with_cache: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_root, config_path, cache_dir = synthetic_with_cache
    out = tmp_path / "runs"

    code = main([
        "run", str(config_path), "--data-root", str(data_root), "--out", str(out),
        "--cache-dir", str(cache_dir), "--no-progress",
    ])
    printed = capsys.readouterr().out

    run_dir = out / "synthetic"
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert code == 0
    assert [entry["head"] for entry in metrics["results"]] == ["quantum", "linear", "mlp_matched"]
    assert "| head " in printed
    assert "| mlp_matched " in printed
    assert f"Results: {run_dir}" in printed
    assert (run_dir / "config.toml").read_bytes() == config_path.read_bytes()
    assert torch.get_num_threads() == 1


def test_data_root_from_environment(
    synthetic_with_cache: tuple[Path, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_root, config_path, cache_dir = synthetic_with_cache
    monkeypatch.setenv("QHYBRID_DATA_ROOT", str(data_root))

    code = main([
        "run", str(config_path), "--out", str(tmp_path / "runs"), "--cache-dir", str(cache_dir),
        "--no-progress", "--heads", "linear", "--threads", "2",
    ])

    metrics = json.loads((tmp_path / "runs" / "synthetic" / "metrics.json").read_text())
    assert code == 0
    assert [entry["head"] for entry in metrics["results"]] == ["linear"]
    assert f"--data-root {data_root}" in metrics["command"]
    assert torch.get_num_threads() == 2


def test_missing_config_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", str(tmp_path / "absent.toml")])
    error = capsys.readouterr().err

    assert code == 2
    assert error.startswith("qhybrid run: error: experiment config ")
    assert "absent.toml' not found" in error
    assert len(error.strip().splitlines()) == 1


def test_missing_data_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_root, config_path = write_synthetic_experiment(tmp_path)
    (data_root / "synthetic" / "sentences.tsv").unlink()

    code = main(["run", str(config_path), "--data-root", str(data_root), "--out", str(tmp_path / "runs")])
    error = capsys.readouterr().err

    assert code == 2
    assert "path='synthetic/sentences.tsv' not found under the data root" in error
    assert str(data_root) in error


def test_unknown_head_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_root, config_path = write_synthetic_experiment(tmp_path)

    code = main(["run", str(config_path), "--data-root", str(data_root), "--heads", "svm"])

    assert code == 2
    assert "has no head named ['svm']" in capsys.readouterr().err


def test_shipped_encoder_sets_hub_offline(tmp_path: Path) -> None:
    data_root, config_path = write_synthetic_experiment(tmp_path)

    main(["run", str(config_path), "--data-root", str(data_root), "--heads", "svm", "--no-progress"])

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] == "1"


@pytest.mark.parametrize("threads", ["0", "two"])
def test_invalid_threads_rejected(threads: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "experiment.toml", "--threads", threads])

    assert exit_info.value.code == 2
    assert f"must be a positive integer, but got '{threads}'" in capsys.readouterr().err
