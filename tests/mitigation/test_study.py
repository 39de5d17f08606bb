"""The noise study end to end on the lambeq MC data, and its config loader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qhybrid.exceptions import ConfigError
from qhybrid.mitigation.study import run_noise_study
from qhybrid.mitigation.study_config import NoiseStudyConfig, load_noise_study_config

STUDY_FILE = Path(__file__).resolve().parents[2] / "experiments" / "noise_mc.toml"


def test_shipped_study_file_loads():
    config = load_noise_study_config(STUDY_FILE)
    assert config.study.noise == "fake_manila"
    assert config.study.shots == 8192
    assert config.study.acceptance in config.study.mitigations
    assert config.study.mitigations["all"].twirling


def _small_table() -> dict:
    return {
        "name": "noise_mc_small",
        "data": {
            "format": "lambeq",
            "train": "lambeq_mc_rp/mc_train_data.txt",
            "validation": "lambeq_mc_rp/mc_dev_data.txt",
            "test": "lambeq_mc_rp/mc_test_data.txt",
        },
        "train": {"epochs": 3, "batch_size": 16},
        "head": {"name": "quantum", "kind": "quantum", "n_qubits": 2, "n_layers": 1},
        "study": {
            "noise": "fake_manila",
            "shots": 2048,
            "acceptance": "readout_zne",
            "mitigations": {"readout_zne": {"readout": "matrix", "zne": {"extrapolation": "linear"}}},
        },
        "sweep": {"strengths": [0.0, 2.0], "mitigation": {"readout": "matrix"}},
    }


def test_study_config_rejects_unknown_keys():
    table = _small_table()
    table["study"]["backend"] = "fake_manila"
    with pytest.raises(ConfigError, match=r"unknown key\(s\) \['backend'\] in \[study\]; valid keys are"):
        NoiseStudyConfig.from_dict(table)


def test_study_config_rejects_unknown_acceptance():
    table = _small_table()
    table["study"]["acceptance"] = "missing"
    with pytest.raises(ConfigError, match="study.acceptance='missing' names no"):
        NoiseStudyConfig.from_dict(table)


@pytest.mark.slow
@pytest.mark.needs_data
def test_study_writes_results(real_data_root, tmp_path):
    config = NoiseStudyConfig.from_dict(_small_table())
    results = run_noise_study(config, tmp_path, data_root=real_data_root, cache_dir=tmp_path / "cache")

    written = json.loads((tmp_path / "results.json").read_text())
    assert written["acceptance"] == results["acceptance"]
    assert [record["name"] for record in written["device"]] == ["noisy", "readout_zne"]
    assert len(written["sweep"]) == 4
    assert (tmp_path / "sweep_error.png").stat().st_size > 0
    assert (tmp_path / "sweep_accuracy.png").stat().st_size > 0
    assert "Acceptance" in (tmp_path / "report.md").read_text()
    # The noise really acts: strength 2 is worse than strength 0 without mitigation.
    unmitigated = [record for record in written["sweep"] if record["name"] == "unmitigated"]
    assert unmitigated[1]["expvals_mae"] > unmitigated[0]["expvals_mae"]
