"""End-to-end tests of run_experiment on the synthetic experiment, with a fake encoder."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
import torch

from qhybrid.exceptions import ConfigError, DataError, DataFileNotFoundError
from qhybrid.experiment import (
    CACHE_DIR_ENV,
    ExperimentConfig,
    load_experiment_config,
    load_test_features,
    resolve_cache_dir,
    run_experiment,
)
from qhybrid.heads import count_parameters, load_checkpoint
from qhybrid.train import predict
from tests.experiment.expected import HEAD_FILES, REQUIRED_RESULT_KEYS, RUN_FILES
from tests.experiment.synthetic import FAKE_DIM, ROWS_PER_CLASS, FakeEncoder, refuse_encoder

TEST_ROWS = 2 * ROWS_PER_CLASS // 5
"""Test rows of the synthetic experiment: a 0.2 fraction of both classes."""


def run_synthetic(synthetic, tmp_path: Path, **options) -> tuple[ExperimentConfig, object]:
    data_root, config_path = synthetic
    config = load_experiment_config(config_path)
    options.setdefault("encoder_factory", FakeEncoder)
    options.setdefault("cache_dir", tmp_path / "cache")
    result = run_experiment(config, data_root, tmp_path / "runs", progress=False, config_path=config_path, **options)
    return config, result


class TestRunFolder:
    def test_every_file_is_written(self, synthetic, tmp_path: Path) -> None:
        config, result = run_synthetic(synthetic, tmp_path)

        assert result.run_dir == tmp_path / "runs" / "synthetic"
        for name in RUN_FILES:
            assert (result.run_dir / name).is_file(), name
        for head in config.heads:
            for name in HEAD_FILES:
                assert (result.run_dir / "heads" / head.name / name).is_file(), (head.name, name)

    def test_metrics_have_required_keys(self, synthetic, tmp_path: Path) -> None:
        config, result = run_synthetic(synthetic, tmp_path)
        metrics = json.loads((result.run_dir / "metrics.json").read_text())

        assert metrics["experiment"] == "synthetic"
        assert metrics["seed"] == 0
        assert metrics["encoder"]["dim"] == FAKE_DIM
        assert [entry["head"] for entry in metrics["results"]] == [head.name for head in config.heads]
        for entry in metrics["results"]:
            assert REQUIRED_RESULT_KEYS <= set(entry), entry["head"]
            assert 0.0 <= entry["test_accuracy"] <= 1.0
            assert 0.0 <= entry["test_macro_f1"] <= 1.0
            assert sum(map(sum, entry["test_confusion_matrix"])) == TEST_ROWS

    def test_backends_and_shots(self, synthetic, tmp_path: Path) -> None:
        _, result = run_synthetic(synthetic, tmp_path)

        assert (result.result("quantum").backend, result.result("quantum").shots) == ("default.qubit", None)
        assert (result.result("linear").backend, result.result("linear").shots) == ("torch", None)

    def test_config_toml_is_byte_copy(self, synthetic, tmp_path: Path) -> None:
        _, config_path = synthetic
        _, result = run_synthetic(synthetic, tmp_path)

        assert (result.run_dir / "config.toml").read_bytes() == config_path.read_bytes()

    def test_config_json_is_resolved(self, synthetic, tmp_path: Path) -> None:
        config, result = run_synthetic(synthetic, tmp_path)

        assert json.loads((result.run_dir / "config.json").read_text()) == config.to_dict()

    def test_config_toml_without_path_reloads(self, synthetic, tmp_path: Path) -> None:
        data_root, config_path = synthetic
        config = load_experiment_config(config_path)

        result = run_experiment(
            config, data_root, tmp_path / "runs", progress=False, cache_dir=tmp_path / "cache",
            heads=["linear"], encoder_factory=FakeEncoder,
        )

        assert load_experiment_config(result.run_dir / "config.toml") == config
        assert str(result.run_dir / "config.toml") in result.command

    def test_history_has_line_per_epoch(self, synthetic, tmp_path: Path) -> None:
        config, result = run_synthetic(synthetic, tmp_path)

        for entry in result.heads:
            lines = (result.run_dir / "heads" / entry.head / "history.jsonl").read_text().splitlines()
            records = [json.loads(line) for line in lines]
            assert len(records) == entry.epochs_run == config.train.epochs
            assert [record["epoch"] for record in records] == list(range(1, entry.epochs_run + 1))

    def test_data_files(self, synthetic, tmp_path: Path) -> None:
        _, result = run_synthetic(synthetic, tmp_path)

        label_map = json.loads((result.run_dir / "label_map.json").read_text())
        summary = json.loads((result.run_dir / "data_summary.json").read_text())
        assert label_map == {"0": 0, "1": 1}
        assert summary["splits"]["test"]["size"] == TEST_ROWS
        assert summary["splits"]["test"]["class_counts"] == {"0": TEST_ROWS // 2, "1": TEST_ROWS // 2}

    def test_test_features_match_split(self, synthetic, tmp_path: Path) -> None:
        _, result = run_synthetic(synthetic, tmp_path)
        saved = load_test_features(result.run_dir)

        assert saved["features"].shape == (TEST_ROWS, FAKE_DIM)
        assert saved["features"].dtype == torch.float32
        assert saved["labels"].dtype == torch.long
        expected = FakeEncoder(None).encode(saved["texts"])  # type: ignore[arg-type]
        assert torch.equal(saved["features"], expected)
        assert saved["labels"].tolist() == [int("tasty" in text) for text in saved["texts"]]

    def test_report_lists_heads_and_command(self, synthetic, tmp_path: Path) -> None:
        config, result = run_synthetic(synthetic, tmp_path)
        report = (result.run_dir / "report.md").read_text()

        for head in config.heads:
            assert f"| {head.name} " in report
        assert "| split " in report
        assert f"qhybrid run {synthetic[1]}" in report
        assert f"--data-root {synthetic[0]}" in report


class TestHeads:
    def test_checkpoint_reload_predicts_identically(self, synthetic, tmp_path: Path) -> None:
        _, result = run_synthetic(synthetic, tmp_path)
        test_x = load_test_features(result.run_dir)["features"]

        for entry in result.heads:
            reloaded, head_config, extra = load_checkpoint(result.run_dir / entry.checkpoint)
            assert head_config.name == entry.head
            assert extra == {"label_map": {"0": 0, "1": 1}, "experiment": "synthetic"}
            expected = predict(result.trained_heads[entry.head], test_x)
            assert torch.equal(predict(reloaded, test_x), expected), entry.head

    def test_matched_mlp_has_quantum_parameter_count(self, synthetic, tmp_path: Path) -> None:
        _, result = run_synthetic(synthetic, tmp_path)
        quantum = result.result("quantum").n_parameters
        matched = result.result("mlp_matched").n_parameters
        # Each hidden unit of an MLP adds in_features + 1 + n_classes parameters.
        per_hidden_unit = FAKE_DIM + 1 + 2

        assert abs(matched - quantum) <= per_hidden_unit / 2

    def test_head_selection_trains_only_selected(self, synthetic, tmp_path: Path) -> None:
        _, result = run_synthetic(synthetic, tmp_path, heads=["mlp_matched"])
        metrics = json.loads((result.run_dir / "metrics.json").read_text())

        assert [entry["head"] for entry in metrics["results"]] == ["mlp_matched"]
        assert not (result.run_dir / "heads" / "quantum").exists()
        assert result.command.endswith("--heads mlp_matched")

    def test_selection_keeps_parameter_match(self, synthetic, tmp_path: Path) -> None:
        _, everything = run_synthetic(synthetic, tmp_path / "all")
        _, selected = run_synthetic(synthetic, tmp_path / "one", heads=["mlp_matched"])

        assert selected.result("mlp_matched").n_parameters == everything.result("mlp_matched").n_parameters

    def test_unknown_head_selection(self, synthetic, tmp_path: Path) -> None:
        with pytest.raises(ConfigError, match=r"no head named \['svm'\]; its heads are \['quantum', 'linear'"):
            run_synthetic(synthetic, tmp_path, heads=["linear", "svm"])

    def test_seed_fixes_results(self, synthetic, tmp_path: Path) -> None:
        _, first = run_synthetic(synthetic, tmp_path / "first")
        _, second = run_synthetic(synthetic, tmp_path / "second")

        for first_result, second_result in zip(first.heads, second.heads):
            first_result = dataclasses.replace(first_result, train_seconds=0.0)
            assert first_result == dataclasses.replace(second_result, train_seconds=0.0)
        for name, head in first.trained_heads.items():
            assert count_parameters(head) == count_parameters(second.trained_heads[name])
            for key, tensor in head.state_dict().items():
                assert torch.equal(tensor, second.trained_heads[name].state_dict()[key]), (name, key)


class TestRerun:
    def test_rerun_archives_earlier_results(self, synthetic, tmp_path: Path) -> None:
        _, first = run_synthetic(synthetic, tmp_path)
        first_metrics = (first.run_dir / "metrics.json").read_text()

        _, second = run_synthetic(synthetic, tmp_path, heads=["linear"])

        archived = sorted((tmp_path / "runs").glob("synthetic.previous-*"))
        assert len(archived) == 1
        assert (archived[0] / "metrics.json").read_text() == first_metrics
        assert (archived[0] / "heads" / "quantum" / "checkpoint.pt").is_file()
        assert not (second.run_dir / "heads" / "quantum").exists()

    def test_bad_head_writes_nothing(self, synthetic, tmp_path: Path) -> None:
        data_root, config_path = synthetic
        _, first = run_synthetic(synthetic, tmp_path)
        before = {path: path.read_bytes() for path in first.run_dir.rglob("*") if path.is_file()}
        config = load_experiment_config(config_path)
        broken_heads = tuple(
            dataclasses.replace(head, n_qubits=0) if head.kind == "quantum" else head for head in config.heads
        )
        broken = dataclasses.replace(config, heads=broken_heads)

        with pytest.raises(ConfigError, match=r"head 'quantum': n_qubits must be a positive integer, got 0"):
            run_experiment(
                broken, data_root, tmp_path / "runs", progress=False, cache_dir=tmp_path / "cache",
                encoder_factory=FakeEncoder,
            )

        after = {path: path.read_bytes() for path in first.run_dir.rglob("*") if path.is_file()}
        assert after == before
        assert not list((tmp_path / "runs").glob("synthetic.previous-*"))


class TestFeatureCache:
    def test_second_run_skips_encoder(self, synthetic, tmp_path: Path, counting_factory) -> None:
        factory, calls = counting_factory
        _, first = run_synthetic(synthetic, tmp_path, encoder_factory=factory)
        first_features = load_test_features(first.run_dir)["features"]

        _, second = run_synthetic(synthetic, tmp_path, encoder_factory=refuse_encoder)

        assert len(calls) == 1
        assert torch.equal(load_test_features(second.run_dir)["features"], first_features)
        assert second.result("quantum").test_accuracy == first.result("quantum").test_accuracy

    def test_cache_dir_from_environment(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "from_env"))

        assert resolve_cache_dir(None) == tmp_path / "from_env"
        assert resolve_cache_dir(tmp_path / "given") == tmp_path / "given"

    def test_default_cache_dir(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        monkeypatch.delenv(CACHE_DIR_ENV, raising=False)
        monkeypatch.setenv("HOME", str(tmp_path))

        assert resolve_cache_dir(None) == tmp_path / ".cache" / "qhybrid" / "features"

    def test_environment_cache_used_by_run(self, synthetic, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "env_cache"))

        run_synthetic(synthetic, tmp_path, cache_dir=None, heads=["linear"])

        assert list((tmp_path / "env_cache").rglob("*.pt"))


class TestInterruption:
    def test_finished_heads_are_kept(self, synthetic, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        import qhybrid.experiment.runner as runner

        calls = []
        original = runner.train_head

        def train_then_interrupt(*args, **kwargs):
            calls.append(1)
            if len(calls) == 2:
                raise KeyboardInterrupt
            return original(*args, **kwargs)

        monkeypatch.setattr(runner, "train_head", train_then_interrupt)
        with pytest.raises(KeyboardInterrupt):
            run_synthetic(synthetic, tmp_path)

        run_dir = tmp_path / "runs" / "synthetic"
        metrics = json.loads((run_dir / "metrics.json").read_text())
        assert [entry["head"] for entry in metrics["results"]] == ["quantum"]
        assert (run_dir / "heads" / "quantum" / "checkpoint.pt").is_file()
        assert "| quantum " in (run_dir / "report.md").read_text()
        assert not list(run_dir.rglob("*.tmp"))

    def test_metrics_exist_before_first_head(
        self, synthetic, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import qhybrid.experiment.runner as runner

        def interrupt(*args, **kwargs):
            raise KeyboardInterrupt

        monkeypatch.setattr(runner, "train_head", interrupt)
        with pytest.raises(KeyboardInterrupt):
            run_synthetic(synthetic, tmp_path)

        run_dir = tmp_path / "runs" / "synthetic"
        assert json.loads((run_dir / "metrics.json").read_text())["results"] == []
        assert "No head has finished yet." in (run_dir / "report.md").read_text()


class TestErrors:
    def test_missing_data_file_names_path_and_root(self, synthetic, tmp_path: Path) -> None:
        data_root, config_path = synthetic
        (data_root / "synthetic" / "sentences.tsv").unlink()

        message = rf"path='synthetic/sentences.tsv' not found under the data root {re.escape(repr(str(data_root)))}"
        with pytest.raises(DataFileNotFoundError, match=message):
            run_synthetic(synthetic, tmp_path)
        assert not (tmp_path / "runs").exists()

    def test_empty_dataset(self, synthetic, tmp_path: Path) -> None:
        data_root, _ = synthetic
        (data_root / "synthetic" / "sentences.tsv").write_text("\n", encoding="utf-8")

        with pytest.raises(DataError, match="sentences.tsv contains no labeled rows"):
            run_synthetic(synthetic, tmp_path)

    def test_empty_validation_split(self, tmp_path: Path) -> None:
        (tmp_path / "train.tsv").write_text("tasty soup\t1\nbuggy code\t0\n", encoding="utf-8")
        (tmp_path / "test.tsv").write_text("tasty cake\t1\nslow code\t0\n", encoding="utf-8")
        config = ExperimentConfig.from_dict({
            "name": "tiny",
            "data": {"train": "train.tsv", "test": "test.tsv"},
            "heads": [{"name": "linear", "kind": "linear"}],
        })

        with pytest.raises(ConfigError, match=r"the validation split is empty \(train has 2 rows\)"):
            run_experiment(config, tmp_path, tmp_path / "runs", progress=False, encoder_factory=FakeEncoder)

    def test_relative_path_without_data_root(self, synthetic, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("QHYBRID_DATA_ROOT", raising=False)
        config = load_experiment_config(synthetic[1])

        with pytest.raises(ConfigError, match="is relative, but no data root is set"):
            run_experiment(config, None, tmp_path / "runs", progress=False)

    def test_config_must_be_experiment_config(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigError, match="config must be an ExperimentConfig, but got dict"):
            run_experiment({"name": "x"}, None, tmp_path)  # type: ignore[arg-type]

    def test_missing_config_path(self, synthetic, tmp_path: Path) -> None:
        config = load_experiment_config(synthetic[1])
        with pytest.raises(ConfigError, match="config_path '.*absent.toml' is not an existing file"):
            run_experiment(config, synthetic[0], tmp_path, config_path=tmp_path / "absent.toml")

    def test_progress_must_be_bool(self, synthetic, tmp_path: Path) -> None:
        config = load_experiment_config(synthetic[1])
        with pytest.raises(ConfigError, match="progress must be True or False, but got 'no'"):
            run_experiment(config, synthetic[0], tmp_path, progress="no")  # type: ignore[arg-type]

    def test_out_dir_is_file(self, synthetic, tmp_path: Path) -> None:
        (tmp_path / "runs").write_text("not a folder", encoding="utf-8")

        with pytest.raises(ConfigError, match="cannot create the run folder .*runs/synthetic'"):
            run_synthetic(synthetic, tmp_path)
