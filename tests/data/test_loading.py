"""Tests of qhybrid.data.loading, on small files written into tmp_path."""

from __future__ import annotations

import json
import sys
from collections import Counter

import pytest

from qhybrid.data import DATA_ROOT_ENV, DataConfig, LabelMap, load_splits, resolve_data_path
from qhybrid.exceptions import ConfigError, DataError, DataFileNotFoundError, MissingDependencyError
from qhybrid.io import write_json_atomic


def tsv_rows(counts: dict[str, int], prefix: str = "text") -> str:
    return "".join(f"{prefix} {label} {i}\t{label}\n" for label, n in counts.items() for i in range(n))


@pytest.fixture(autouse=True)
def no_data_root_variable(monkeypatch) -> None:
    monkeypatch.delenv(DATA_ROOT_ENV, raising=False)


def test_single_file_split(tmp_path, write_file) -> None:
    write_file("sentiment/all.tsv", tsv_rows({"0": 50, "1": 30}))
    config = DataConfig.from_dict({"path": "sentiment/all.tsv"})

    splits = load_splits(config, tmp_path, seed=0)

    assert (len(splits.train), len(splits.validation), len(splits.test)) == (64, 8, 8)
    assert Counter(splits.test.labels) == {"0": 5, "1": 3}
    assert splits.label_map == LabelMap(("0", "1"))
    texts = splits.train.texts + splits.validation.texts + splits.test.texts
    assert sorted(texts) == sorted(set(texts))
    assert len(texts) == 80


def test_seed_controls_split(tmp_path, write_file) -> None:
    write_file("all.tsv", tsv_rows({"a": 20, "b": 20}))
    config = DataConfig.from_dict({"path": "all.tsv"})

    first = load_splits(config, tmp_path, seed=1)

    assert load_splits(config, tmp_path, seed=1) == first
    assert load_splits(config, tmp_path, seed=2).test != first.test


def test_given_splits_carve_validation(tmp_path, write_file) -> None:
    write_file("train.csv", "text,category\n" + "".join(f"t{i},{'ab'[i % 2]}\n" for i in range(40)))
    write_file("test.csv", "text,category\nx,a\ny,b\n")
    config = DataConfig.from_dict({"format": "csv", "train": "train.csv", "test": "test.csv",
                                   "validation_fraction": 0.25})

    splits = load_splits(config, tmp_path, seed=0)

    assert (len(splits.train), len(splits.validation), len(splits.test)) == (30, 10, 2)
    assert Counter(splits.validation.labels) == {"a": 5, "b": 5}
    assert not set(splits.train.texts) & set(splits.validation.texts)
    assert splits.test.texts == ("x", "y")


def test_given_validation_used_as_given(tmp_path, write_file) -> None:
    write_file("mc_train.txt", "1  woman cooks meal .\n0  man prepares software .\n")
    write_file("mc_dev.txt", "0  woman debugs program .\n")
    write_file("mc_test.txt", "1  man bakes bread .")
    config = DataConfig.from_dict({"format": "lambeq", "train": "mc_train.txt", "validation": "mc_dev.txt",
                                   "test": "mc_test.txt"})

    splits = load_splits(config, tmp_path, seed=0)

    assert splits.train.texts == ("woman cooks meal .", "man prepares software .")
    assert splits.validation.texts == ("woman debugs program .",)
    assert splits.test.labels == ("1",)


def test_jsonl_columns_become_fields(tmp_path, write_file) -> None:
    rows = "".join(json.dumps({"sentence": f"s{i}", "y": i % 2}) + "\n" for i in range(20))
    write_file("rows.jsonl", rows)
    config = DataConfig.from_dict({"path": "rows.jsonl", "text_column": "sentence", "label_column": "y",
                                   "split": [0.5, 0.5]})

    splits = load_splits(config, tmp_path, seed=0)

    assert len(splits.train) == len(splits.test) == 10
    assert len(splits.validation) == 0
    assert splits.label_map.labels == ("0", "1")


def test_label_order_file(tmp_path, write_file) -> None:
    write_file("all.tsv", tsv_rows({"neg": 10, "pos": 10}))
    write_file("order.json", '["pos", "neg", "neutral"]')
    config = DataConfig.from_dict({"path": "all.tsv", "label_order": "order.json"})

    splits = load_splits(config, tmp_path, seed=0)

    assert splits.label_map.labels == ("pos", "neg", "neutral")


def test_label_order_list(tmp_path, write_file) -> None:
    write_file("all.tsv", tsv_rows({"neg": 10, "pos": 10}))
    config = DataConfig.from_dict({"path": "all.tsv", "label_order": ["pos", "neg"]})

    assert load_splits(config, tmp_path, seed=0).label_map.labels == ("pos", "neg")


def test_label_order_missing_training_label(tmp_path, write_file) -> None:
    write_file("all.tsv", tsv_rows({"neg": 10, "pos": 10}))
    config = DataConfig.from_dict({"path": "all.tsv", "label_order": ["pos"]})

    with pytest.raises(DataError, match=r"label_order does not fit .* unknown label 'neg'"):
        load_splits(config, tmp_path, seed=0)


def test_label_order_file_not_a_list(tmp_path, write_file) -> None:
    write_file("all.tsv", tsv_rows({"neg": 10, "pos": 10}))
    write_file("order.json", '{"pos": 0}')
    config = DataConfig.from_dict({"path": "all.tsv", "label_order": "order.json"})

    with pytest.raises(DataError, match="order.json must contain a non-empty JSON list of label strings"):
        load_splits(config, tmp_path, seed=0)


def test_test_label_unseen_in_train(tmp_path, write_file) -> None:
    write_file("train.tsv", tsv_rows({"a": 10, "b": 10}))
    write_file("test.tsv", tsv_rows({"a": 2, "z": 1}))
    config = DataConfig.from_dict({"train": "train.tsv", "test": "test.tsv"})

    with pytest.raises(DataError, match=r"the test split \(.*test.tsv\) has labels that never occur in train .*: \['z'\]"):
        load_splits(config, tmp_path, seed=0)


def test_max_rows_subsamples_each_source(tmp_path, write_file) -> None:
    write_file("train.tsv", tsv_rows({"a": 300, "b": 100}))
    write_file("test.tsv", tsv_rows({"a": 30, "b": 10}, prefix="test"))
    config = DataConfig.from_dict({"train": "train.tsv", "test": "test.tsv", "max_rows": 100})

    splits = load_splits(config, tmp_path, seed=0)

    assert len(splits.train) + len(splits.validation) == 100
    assert Counter(splits.train.labels + splits.validation.labels) == {"a": 75, "b": 25}
    assert len(splits.test) == 40


def test_summary(tmp_path, write_file) -> None:
    write_file("all.tsv", tsv_rows({"1": 10, "0": 20}))
    splits = load_splits(DataConfig.from_dict({"path": "all.tsv"}), tmp_path, seed=0)

    summary = splits.summary()
    write_json_atomic(tmp_path / "results" / "data.json", summary)

    assert summary["n_classes"] == 2
    assert summary["labels"] == ["0", "1"]
    assert summary["splits"]["train"] == {"size": 24, "source": str(tmp_path / "all.tsv"),
                                          "class_counts": {"0": 16, "1": 8}}
    assert summary["splits"]["test"]["class_counts"] == {"0": 2, "1": 1}
    assert json.loads((tmp_path / "results" / "data.json").read_text()) == summary


def test_data_root_from_environment(tmp_path, write_file, monkeypatch) -> None:
    write_file("all.tsv", tsv_rows({"a": 10, "b": 10}))
    monkeypatch.setenv(DATA_ROOT_ENV, str(tmp_path))

    assert len(load_splits(DataConfig.from_dict({"path": "all.tsv"}), None, seed=0).train) == 16


def test_absolute_path_needs_no_data_root(write_file) -> None:
    path = write_file("all.tsv", tsv_rows({"a": 10, "b": 10}))

    assert len(load_splits(DataConfig.from_dict({"path": str(path)}), None, seed=0).test) == 2


def test_relative_path_without_data_root() -> None:
    with pytest.raises(ConfigError, match="path='all.tsv' is relative, but no data root is set; pass --data-root or set QHYBRID_DATA_ROOT"):
        load_splits(DataConfig.from_dict({"path": "all.tsv"}), None, seed=0)


def test_missing_file_names_data_root(tmp_path) -> None:
    with pytest.raises(DataFileNotFoundError, match=f"train='train.tsv' not found under the data root '{tmp_path}'"):
        load_splits(DataConfig.from_dict({"train": "train.tsv", "test": "test.tsv"}), tmp_path, seed=0)


def test_data_root_not_a_folder(tmp_path) -> None:
    missing_root = tmp_path / "nowhere"

    with pytest.raises(DataFileNotFoundError, match=f"data root '{missing_root}' is not an existing folder"):
        load_splits(DataConfig.from_dict({"path": "all.tsv"}), missing_root, seed=0)


def test_empty_source_file(tmp_path, write_file) -> None:
    write_file("empty.tsv", "\n")

    with pytest.raises(DataError, match="empty.tsv contains no labeled rows"):
        load_splits(DataConfig.from_dict({"path": "empty.tsv"}), tmp_path, seed=0)


def test_too_few_rows_for_test_split(tmp_path, write_file) -> None:
    write_file("one.tsv", "only row\t1\n")

    with pytest.raises(DataError, match=r"the test split is empty \(source .*one.tsv\)"):
        load_splits(DataConfig.from_dict({"path": "one.tsv"}), tmp_path, seed=0)


def test_config_must_be_data_config(tmp_path) -> None:
    with pytest.raises(ConfigError, match="config must be a DataConfig, but got dict"):
        load_splits({"path": "all.tsv"}, tmp_path, seed=0)


def test_resolve_data_path_keeps_absolute(tmp_path) -> None:
    assert resolve_data_path(str(tmp_path / "x.tsv"), None) == tmp_path / "x.tsv"


def test_hub_source_without_datasets(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "datasets", None)
    config = DataConfig.from_dict({"format": "hf", "hf_name": "imdb", "hf_split": "train"})

    with pytest.raises(MissingDependencyError, match=r"pip install 'qhybrid\[hub\]'"):
        load_splits(config, None, seed=0)


def test_invalid_seed(tmp_path, write_file) -> None:
    write_file("train.tsv", tsv_rows({"a": 2}))
    config = DataConfig.from_dict({"train": "train.tsv", "validation": "train.tsv", "test": "train.tsv"})

    with pytest.raises(ConfigError, match="seed must be an integer >= 0, but got -1"):
        load_splits(config, tmp_path, seed=-1)
