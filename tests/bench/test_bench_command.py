"""The ``qhybrid bench`` command line: help text, a small run, and the error exit."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomli_w

from qhybrid.cli.main import build_parser, main
from tests.bench.test_run_bench import bench_table
from tests.experiment.synthetic import write_synthetic_tsv


def test_help_names_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["bench", "--help"])

    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in ("CONFIG", "--data-root DIR", "--out DIR", "--cache-dir DIR", "--threads N", "--no-progress"):
        assert option in text, option
    assert "results.json, report.md and PNG plots" in text
    assert "skipped: <reason>" in text


def test_missing_config_exits_with_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["bench", str(tmp_path / "missing.toml")])

    assert code == 2
    assert "qhybrid bench: error: bench config" in capsys.readouterr().err


@pytest.mark.slow
def test_small_bench_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # The command would load the real encoder on a cache miss, so a first run with the fake
    # encoder fills the feature cache that the command then reads.
    from qhybrid.bench import load_bench_config, run_bench
    from tests.experiment.synthetic import FakeEncoder

    table = bench_table(write_synthetic_tsv(tmp_path / "toy.tsv"))
    table["devices"] = ["cpu"]
    table["heads"] = [head for head in table["heads"] if head["name"] in ("quantum", "mlp_matched")]
    del table["noise_sweep"]
    config_path = tmp_path / "bench.toml"
    config_path.write_text(tomli_w.dumps(table), encoding="utf-8")
    run_bench(load_bench_config(config_path), None, tmp_path / "warm", progress=False, cache_dir=tmp_path / "cache",
              encoder_factory=FakeEncoder)

    code = main(["bench", str(config_path), "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache"),
                 "--no-progress"])

    assert code == 0
    assert (tmp_path / "out" / "toy_bench" / "results.json").is_file()
    assert "toy: " in capsys.readouterr().out
