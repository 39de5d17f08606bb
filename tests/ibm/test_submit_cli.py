"""``qhybrid submit`` end to end: accuracy against the ideal simulation, dry runs, errors, no leaked token."""

from __future__ import annotations

import json
import logging
import re
import shutil
import sys
from pathlib import Path

import pytest

from qhybrid.cli.main import main
from tests.ibm.conftest import HEAD_NAME, N_TEST

pytest.importorskip("qiskit_ibm_runtime")
import qiskit_ibm_runtime  # noqa: E402

MARKER_TOKEN = "qhybrid-cli-marker-token-81d0e7"
ACCURACY_TOLERANCE = 0.15
"""Largest gap allowed between accuracy under fake_manila's noise and the ideal simulation."""


@pytest.fixture
def run_dir(trained_run: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(trained_run, tmp_path / "run"))


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace QiskitRuntimeService by a stand-in that records calls and fails like a rejected token."""
    calls: list[str] = []

    def reject(*args: object, **kwargs: object) -> None:
        calls.append("QiskitRuntimeService")
        raise RuntimeError(f"401 Client Error: Unauthorized for token {MARKER_TOKEN}")

    monkeypatch.setattr(qiskit_ibm_runtime, "QiskitRuntimeService", reject)
    return calls


def read_results(run_dir: Path) -> dict:
    return json.loads((run_dir / "submissions" / f"fake_manila-{HEAD_NAME}" / "results.json").read_text())


@pytest.mark.slow
def test_accuracy_close_to_ideal(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["submit", str(run_dir), "--backend", "fake_manila"]) == 0

    results = read_results(run_dir)
    output = capsys.readouterr().out
    assert results["n_samples"] == N_TEST
    assert results["shots"] == 4096
    assert abs(results["accuracy"] - results["reference_accuracy"]) <= ACCURACY_TOLERANCE
    assert f"accuracy on fake_manila: {results['accuracy']:.4f}" in output
    assert results["jobs"][0]["job_id"] in output


def test_dry_run_prints_plan(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["submit", str(run_dir), "--backend", "fake_manila", "--dry-run", "--max-circuits-per-job", "16"]) == 0

    output = capsys.readouterr().out
    assert "nothing was sent" in output
    assert f"bindings to send: {N_TEST}" in output
    assert "jobs: 3 (at most 16 bindings per job" in output
    assert "estimated QPU time:" in output
    assert "(an estimate:" in output
    assert "┤" in output  # the circuit drawing
    assert not (run_dir / "submissions").exists()


def test_dry_run_of_qpu_needs_no_credentials(run_dir: Path, no_network: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["submit", str(run_dir), "--backend", "ibm_brisbane", "--dry-run"]) == 0

    output = capsys.readouterr().out
    assert "offline snapshot fake_brisbane" in output
    assert '"resilience_level": 0' in output
    assert no_network == []


def test_missing_credentials_reported_before_network(
    run_dir: Path, no_network: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["submit", str(run_dir), "--backend", "ibm_brisbane"]) == 2

    error = capsys.readouterr().err
    assert "No IBM Quantum account found" in error
    assert "QISKIT_IBM_TOKEN" in error
    assert no_network == []
    assert not (run_dir / "submissions").exists()


def test_token_never_printed_or_written(
    run_dir: Path,
    no_network: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("QISKIT_IBM_TOKEN", MARKER_TOKEN)
    caplog.set_level(logging.DEBUG)

    assert main(["submit", str(run_dir), "--backend", "fake_manila", "--shots", "512"]) == 0
    assert main(["submit", str(run_dir), "--backend", "fake_manila", "--dry-run"]) == 0
    assert main(["submit", str(run_dir), "--backend", "ibm_brisbane"]) == 2

    captured = capsys.readouterr()
    assert no_network == ["QiskitRuntimeService"]
    assert "Unauthorized for token ***" in captured.err
    for text in (captured.out, captured.err, caplog.text):
        assert MARKER_TOKEN not in text
    for path in run_dir.rglob("*"):
        if path.is_file():
            assert MARKER_TOKEN.encode() not in path.read_bytes(), path


def test_missing_runtime_names_extra(run_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "qiskit_ibm_runtime", None)
    assert main(["submit", str(run_dir), "--backend", "fake_manila", "--dry-run"]) == 2
    assert "pip install 'qhybrid[ibm]'" in capsys.readouterr().err


def test_invalid_mitigation_json(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["submit", str(run_dir), "--backend", "fake_manila", "--mitigation", "{readout"]) == 2
    assert "--mitigation must be a JSON object or a JSON file" in capsys.readouterr().err


def test_mitigation_file_is_read(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mitigation = run_dir / "mitigation.json"
    mitigation.write_text(json.dumps({"readout": "matrix"}))
    assert main(["submit", str(run_dir), "--backend", "fake_manila", "--dry-run", "--mitigation", str(mitigation)]) == 0
    assert '"client_side": {"readout": {"method": "matrix"' in capsys.readouterr().out


def test_help_names_units(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["submit", "--help"])
    output = capsys.readouterr().out
    assert "shots per sample" in output
    assert "without contacting IBM" in output
    assert "QISKIT_IBM_TOKEN" in output


@pytest.mark.slow
@pytest.mark.needs_data
def test_lambeq_mc_run_then_submit(real_data_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    experiment = (Path(__file__).resolve().parents[2] / "experiments" / "lambeq_mc.toml").read_text()
    # Fewer epochs keep the test short; the head still separates MC's two topics.
    short = tmp_path / "lambeq_mc.toml"
    short.write_text(re.sub(r"^epochs = \d+", "epochs = 15", experiment, flags=re.MULTILINE))
    out = tmp_path / "runs"
    run_arguments = ["run", str(short), "--data-root", str(real_data_root), "--out", str(out),
                     "--cache-dir", str(tmp_path / "cache"), "--heads", "quantum", "--no-progress"]
    assert main(run_arguments) == 0

    assert main(["submit", str(out / "lambeq_mc"), "--backend", "fake_manila"]) == 0

    results = json.loads((out / "lambeq_mc" / "submissions" / "fake_manila-quantum" / "results.json").read_text())
    assert results["head"] == "quantum"
    assert results["n_samples"] == 30
    assert abs(results["accuracy"] - results["reference_accuracy"]) <= ACCURACY_TOLERANCE
