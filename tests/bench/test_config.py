"""Parsing of bench files: the grid, the per-dataset experiments, and every rejected input."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from qhybrid.bench import BenchConfig, load_bench_config
from qhybrid.exceptions import ConfigError, DataFileNotFoundError

REPO_ROOT = Path(__file__).resolve().parents[2]

MINIMAL: dict[str, Any] = {
    "name": "bench_test",
    "seeds": [0, 1],
    "datasets": [{"name": "toy", "data": {"path": "toy.tsv"}}],
    "heads": [
        {"name": "quantum", "kind": "quantum", "n_qubits": 2, "n_layers": 1},
        {"name": "linear", "kind": "linear"},
        {"name": "mlp_matched", "kind": "mlp", "match_parameters": "quantum"},
    ],
}


def table(**changes: Any) -> dict[str, Any]:
    """Return a deep copy of MINIMAL with top-level keys replaced (None removes a key)."""
    result = copy.deepcopy(MINIMAL)
    for key, value in changes.items():
        if value is None:
            result.pop(key)
        else:
            result[key] = value
    return result


def test_minimal_config_defaults() -> None:
    config = BenchConfig.from_dict(table())

    assert config.seeds == (0, 1)
    assert config.devices == ("cpu", "cuda")
    assert config.ibm_target == "fake_brisbane"
    assert config.hardware_shots == 4096
    assert [head.name for head in config.heads] == ["quantum", "linear", "mlp_matched"]
    assert config.datasets[0].experiment.seed == 0
    assert config.compared_heads() == ("quantum", "mlp_matched")


def test_shared_sections_reach_every_dataset() -> None:
    datasets = [{"name": "a", "data": {"path": "a.tsv"}}, {"name": "b", "data": {"path": "b.tsv"}, "split_seed": 3}]
    config = BenchConfig.from_dict(table(datasets=datasets, train={"epochs": 7}, encoder={"pooling": "cls"}))

    assert [dataset.experiment.train.epochs for dataset in config.datasets] == [7, 7]
    assert [dataset.experiment.encoder.pooling for dataset in config.datasets] == ["cls", "cls"]
    assert config.datasets[1].experiment.seed == 3


def test_compared_heads_without_matched_mlp() -> None:
    heads = [{"name": "quantum", "kind": "quantum"}, {"name": "linear", "kind": "linear"}]

    assert BenchConfig.from_dict(table(heads=heads)).compared_heads() is None


def test_explicit_significance_pair() -> None:
    config = BenchConfig.from_dict(table(significance={"quantum": "quantum", "classical": "linear", "alpha": 0.01}))

    assert config.compared_heads() == ("quantum", "linear")
    assert config.significance.alpha == 0.01


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"epochs": 3}, r"unknown top-level key\(s\) or section\(s\) \['epochs'\]; valid ones are \['name'"),
        ({"seeds": []}, r"seeds must be a non-empty list of integers >= 0, got \[\]"),
        ({"seeds": None}, r"the bench needs \['seeds'\]"),
        ({"seeds": [0, 0]}, r"seeds must be distinct, got \[0, 0\]"),
        ({"seeds": [0, -1]}, r"seeds must contain integers >= 0, got \[0, -1\] with -1"),
        ({"devices": ["cpu", "tpu"]}, r"unknown device 'tpu' in devices; use 'cpu', 'cuda' or 'cuda:N'"),
        ({"devices": []}, r"devices must be a non-empty list"),
        ({"ibm_target": "fake_nowhere"}, r"ibm_target must name a fake IBM backend such as 'fake_brisbane', got 'fake_nowhere'"),
        ({"hardware_shots": 0}, r"hardware_shots must be a positive integer, got 0"),
        ({"latency_max_seconds": 0}, r"latency_max_seconds must be a number > 0, got 0"),
        ({"noisy_training": "no"}, r"noisy_training must be true or false, got 'no'"),
        ({"name": "bad name"}, r"name must be a folder name .* got 'bad name'"),
        ({"datasets": []}, r"datasets must be a non-empty array of tables"),
        ({"datasets": [{"name": "toy"}]}, r"\[\[datasets\]\] table 1 must have name and data"),
        ({"datasets": [{"name": "toy", "data": {"path": "t.tsv"}, "seed": 1}]}, r"Fix or remove \['seed'\]"),
        (
            {"datasets": [{"name": "toy", "data": {"path": "t.tsv"}}, {"name": "toy", "data": {"path": "u.tsv"}}]},
            r"dataset names must be unique, got \['toy', 'toy'\]",
        ),
        ({"datasets": [{"name": "toy", "data": {"paths": "t.tsv"}}]}, r"\[data\] unknown data config keys \['paths'\]"),
        ({"noise_sweep": {"head": "linear", "noise": {}}}, r"\[noise_sweep\] head='linear' is not a quantum head"),
        ({"noise_sweep": {"head": "quantum"}}, r"\[noise_sweep\] needs 'head' and 'noise'"),
        ({"noise_sweep": {"head": "quantum", "noise": {}, "steps": 3}}, r"unknown \[noise_sweep\] key\(s\) \['steps'\]"),
        ({"noise_sweep": {"head": "quantum", "noise": {}, "scales": [-1]}}, r"scales must contain numbers >= 0"),
        ({"noise_sweep": {"head": "quantum", "noise": {"depolarizing_2q": 2}}}, r"must be a probability in \[0, 1\]"),
        ({"significance": {"quantum": "linear"}}, r"\[significance\] quantum='linear' is not a quantum head"),
        ({"significance": {"classical": "quantum"}}, r"\[significance\] classical='quantum' is not a classical head"),
        ({"significance": {"alpha": 1}}, r"\[significance\] alpha must be a number in \(0, 1\), got 1"),
    ],
)
def test_rejects(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        BenchConfig.from_dict(table(**changes), source="bench.toml")


def test_rejects_unknown_head_key() -> None:
    heads = [{"name": "quantum", "kind": "quantum", "qubits": 4}]
    with pytest.raises(ConfigError, match=r"head 'quantum': unknown keys \['qubits'\]"):
        BenchConfig.from_dict(table(heads=heads))


def test_error_names_the_file() -> None:
    with pytest.raises(ConfigError, match=r"^bench.toml: unknown top-level key"):
        BenchConfig.from_dict(table(epochs=3), source="bench.toml")


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataFileNotFoundError, match="bench config .*missing.toml' not found"):
        load_bench_config(tmp_path / "missing.toml")


def test_load_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("name = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid TOML: .*line 1"):
        load_bench_config(path)


@pytest.mark.parametrize("name", ["bench_qnlp", "bench_sentiment", "bench_intents"])
def test_repository_bench_files_parse(name: str) -> None:
    config = load_bench_config(REPO_ROOT / "experiments" / f"{name}.toml")

    assert config.name == name
    assert len(config.seeds) >= 5
    assert config.compared_heads() is not None
