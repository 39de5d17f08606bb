"""Tests of ExperimentConfig and load_experiment_config: parsing, defaults and every error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tomli_w

from qhybrid.data import DataConfig
from qhybrid.exceptions import ConfigError, DataFileNotFoundError
from qhybrid.experiment import TOP_LEVEL_KEYS, ExperimentConfig, load_experiment_config
from qhybrid.features import EncoderConfig
from qhybrid.heads import HeadConfig
from qhybrid.train import TrainConfig
from tests.experiment.synthetic import SYNTHETIC_TOML

REPO_ROOT = Path(__file__).resolve().parents[2]
SHIPPED_EXPERIMENTS = ("sentiment_yelp", "lambeq_mc", "lambeq_rp")

MINIMAL = """\
name = "minimal"

[data]
path = "texts.tsv"

[[heads]]
name = "linear"
kind = "linear"
"""


def write(tmp_path: Path, text: str, name: str = "experiment.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def minimal_table(**changes: object) -> dict[str, object]:
    table: dict[str, object] = {
        "name": "minimal",
        "data": {"path": "texts.tsv"},
        "heads": [{"name": "linear", "kind": "linear"}],
    }
    table.update(changes)
    return table


class TestLoading:
    def test_minimal_file_gets_defaults(self, tmp_path: Path) -> None:
        config = load_experiment_config(write(tmp_path, MINIMAL))

        assert config.name == "minimal"
        assert config.seed == 0
        assert config.data == DataConfig(path="texts.tsv")
        assert config.encoder == EncoderConfig()
        assert config.train == TrainConfig()
        assert config.heads == (HeadConfig(name="linear", kind="linear"),)

    def test_sections_are_parsed(self, tmp_path: Path) -> None:
        config = load_experiment_config(write(tmp_path, SYNTHETIC_TOML))

        assert config.seed == 0
        assert config.data.split == (0.6, 0.2, 0.2)
        assert config.train.epochs == 4
        assert [head.name for head in config.heads] == ["quantum", "linear", "mlp_matched"]
        assert config.head("quantum").n_qubits == 2
        assert config.head("mlp_matched").match_parameters == "quantum"

    def test_toml_dict_round_trip(self, tmp_path: Path) -> None:
        config = load_experiment_config(write(tmp_path, SYNTHETIC_TOML))

        written = write(tmp_path, tomli_w.dumps(config.to_toml_dict()), name="written.toml")

        assert load_experiment_config(written) == config

    def test_noise_and_mitigation_round_trip(self, tmp_path: Path) -> None:
        text = SYNTHETIC_TOML.replace(
            'n_layers = 1\n',
            'n_layers = 1\nbackend = "aer"\nshots = 1024\nnoise = "fake_manila"\n'
            '[heads.mitigation]\nreadout = "mthree"\n',
        )
        config = load_experiment_config(write(tmp_path, text))

        written = write(tmp_path, tomli_w.dumps(config.to_toml_dict()), name="written.toml")

        assert config.head("quantum").noise == "fake_manila"
        assert config.to_dict()["heads"][0]["mitigation"]["readout"] == "mthree"
        assert load_experiment_config(written) == config

    def test_to_dict_lists_every_field(self, tmp_path: Path) -> None:
        resolved = load_experiment_config(write(tmp_path, MINIMAL)).to_dict()

        assert list(resolved) == list(TOP_LEVEL_KEYS)
        assert resolved["data"]["hf_text_field"] == "text"
        assert resolved["encoder"]["pooling"] == "mean"
        assert resolved["train"]["patience"] == TrainConfig().patience
        assert resolved["heads"][0]["shots"] is None
        assert resolved["heads"][0]["match_parameters"] is None

    @pytest.mark.parametrize("experiment", SHIPPED_EXPERIMENTS)
    def test_shipped_experiment_has_required_heads(self, experiment: str) -> None:
        config = load_experiment_config(REPO_ROOT / "experiments" / f"{experiment}.toml")

        quantum = [head for head in config.heads if head.kind == "quantum"]
        assert config.name == experiment
        assert len(quantum) == 1
        assert "quantum" in quantum[0].name
        assert (quantum[0].n_qubits, quantum[0].n_layers, quantum[0].backend) == (4, 2, "default.qubit")
        assert config.head("linear").kind == "linear"
        assert config.head("mlp").kind == "mlp"
        assert config.head("mlp_matched").match_parameters == quantum[0].name


class TestFileErrors:
    def test_missing_file_names_path(self, tmp_path: Path) -> None:
        missing = tmp_path / "absent.toml"
        with pytest.raises(DataFileNotFoundError, match=re.escape(f"{str(missing)!r} not found")):
            load_experiment_config(missing)

    def test_directory_is_rejected(self, tmp_path: Path) -> None:
        with pytest.raises(DataFileNotFoundError, match="is a directory"):
            load_experiment_config(tmp_path)

    def test_syntax_error_names_file_and_line(self, tmp_path: Path) -> None:
        path = write(tmp_path, 'name = "broken"\nseed = 0\n[data\npath = "x.tsv"\n')
        with pytest.raises(ConfigError, match=rf"{re.escape(str(path))}: invalid TOML: .*line 3"):
            load_experiment_config(path)

    def test_invalid_utf8_is_rejected(self, tmp_path: Path) -> None:
        path = tmp_path / "latin1.toml"
        path.write_bytes('name = "caf\xe9"\n'.encode("latin-1"))
        with pytest.raises(ConfigError, match="not valid UTF-8"):
            load_experiment_config(path)


class TestUnknownKeys:
    def test_unknown_top_level_key(self, tmp_path: Path) -> None:
        path = write(tmp_path, 'sede = 3\n' + MINIMAL)
        with pytest.raises(ConfigError, match=rf"{re.escape(str(path))}: unknown top-level .*\['sede'\].*'seed'"):
            load_experiment_config(path)

    def test_unknown_section(self, tmp_path: Path) -> None:
        path = write(tmp_path, MINIMAL + "\n[optimizer]\nlr = 0.1\n")
        with pytest.raises(ConfigError, match=r"unknown top-level key\(s\) or section\(s\) \['optimizer'\]"):
            load_experiment_config(path)

    @pytest.mark.parametrize(
        ("section", "key", "valid"),
        [("data", "paht", "'path'"), ("encoder", "pool", "'pooling'"), ("train", "lr", "'learning_rate'")],
    )
    def test_unknown_section_key(self, tmp_path: Path, section: str, key: str, valid: str) -> None:
        if section == "data":
            text = MINIMAL.replace('path = "texts.tsv"\n', f'path = "texts.tsv"\n{key} = 1\n')
        else:
            text = MINIMAL + f"\n[{section}]\n{key} = 1\n"
        path = write(tmp_path, text)
        with pytest.raises(ConfigError, match=rf"{re.escape(str(path))}: \[{section}\] .*'{key}'.*{valid}"):
            load_experiment_config(path)

    def test_unknown_head_key(self, tmp_path: Path) -> None:
        path = write(tmp_path, MINIMAL + "qubits = 3\n")
        with pytest.raises(ConfigError, match=r"\[\[heads\]\] table 1: .*unknown keys \['qubits'\].*'n_qubits'"):
            load_experiment_config(path)


class TestInvalidValues:
    def test_unknown_head_kind(self) -> None:
        table = minimal_table(heads=[{"name": "svm", "kind": "svm"}])
        with pytest.raises(ConfigError, match=r"table 1: head 'svm': unknown kind 'svm'"):
            ExperimentConfig.from_dict(table, source="experiment.toml")

    def test_duplicate_head_names(self) -> None:
        heads = [{"name": "linear", "kind": "linear"}, {"name": "linear", "kind": "mlp"}]
        with pytest.raises(ConfigError, match="two heads are named 'linear'"):
            ExperimentConfig.from_dict(minimal_table(heads=heads))

    def test_empty_heads(self) -> None:
        with pytest.raises(ConfigError, match="has no heads"):
            ExperimentConfig.from_dict(minimal_table(heads=[]))

    def test_missing_required_keys(self) -> None:
        with pytest.raises(ConfigError, match=r"needs \['heads'\]"):
            ExperimentConfig.from_dict({"name": "x", "data": {"path": "texts.tsv"}})

    def test_head_without_kind(self) -> None:
        with pytest.raises(ConfigError, match="needs 'name' and 'kind'"):
            ExperimentConfig.from_dict(minimal_table(heads=[{"name": "linear"}]))

    def test_heads_must_be_tables(self) -> None:
        with pytest.raises(ConfigError, match="heads must be an array of tables"):
            ExperimentConfig.from_dict(minimal_table(heads="linear"))

    def test_section_must_be_table(self) -> None:
        with pytest.raises(ConfigError, match=r"\[train\] must be a table"):
            ExperimentConfig.from_dict(minimal_table(train=30))

    @pytest.mark.parametrize("name", ["", "../escape", "a/b", ".hidden", "x" * 101, 7])
    def test_unsafe_name(self, name: object) -> None:
        with pytest.raises(ConfigError, match="name must be a folder name"):
            ExperimentConfig.from_dict(minimal_table(name=name))

    def test_unsafe_head_name(self) -> None:
        with pytest.raises(ConfigError, match="head name must be a folder name.*'mlp/x'"):
            ExperimentConfig.from_dict(minimal_table(heads=[{"name": "mlp/x", "kind": "mlp"}]))

    @pytest.mark.parametrize("seed", [-1, 1.5, True, "0"])
    def test_invalid_seed(self, seed: object) -> None:
        with pytest.raises(ConfigError, match=r"seed must be an integer >= 0, but got"):
            ExperimentConfig.from_dict(minimal_table(seed=seed))

    def test_match_parameters_must_name_earlier_head(self) -> None:
        heads = [
            {"name": "mlp_matched", "kind": "mlp", "match_parameters": "quantum"},
            {"name": "quantum", "kind": "quantum"},
        ]
        with pytest.raises(ConfigError, match=r"match_parameters='quantum' names no head listed before it"):
            ExperimentConfig.from_dict(minimal_table(heads=heads))

    def test_match_parameters_only_on_mlp(self) -> None:
        heads = [{"name": "quantum", "kind": "quantum"}, {"name": "linear", "kind": "linear", "match_parameters": "quantum"}]
        with pytest.raises(ConfigError, match="match_parameters applies to mlp heads only"):
            ExperimentConfig.from_dict(minimal_table(heads=heads))

    def test_two_fraction_split_is_rejected(self) -> None:
        with pytest.raises(ConfigError, match=r"split=\[0.8, 0.2\] leaves no validation split"):
            ExperimentConfig.from_dict(minimal_table(data={"path": "texts.tsv", "split": [0.8, 0.2]}))

    def test_section_error_names_file_and_section(self) -> None:
        table = minimal_table(train={"epochs": 0})
        with pytest.raises(ConfigError, match=r"^my\.toml: \[train\] epochs must be a positive integer"):
            ExperimentConfig.from_dict(table, source="my.toml")

    def test_unknown_head_lookup(self) -> None:
        config = ExperimentConfig.from_dict(minimal_table())
        with pytest.raises(ConfigError, match=r"no head named 'quantum'; its heads are \['linear'\]"):
            config.head("quantum")

    def test_constructor_checks_section_types(self) -> None:
        with pytest.raises(ConfigError, match="data must be a DataConfig, but got dict"):
            ExperimentConfig(name="x", data={"path": "texts.tsv"}, heads=(HeadConfig("linear", "linear"),))
