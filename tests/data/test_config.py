"""Tests of qhybrid.data.config."""

from __future__ import annotations

import json
import sys

import pytest

from qhybrid.data import DataConfig
from qhybrid.exceptions import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

BANKING77_TOML = """
[data]
format = "csv"
train = "banking77/train.csv"
test = "banking77/test.csv"
label_order = "banking77/categories.json"
max_rows = 2000
"""


def test_from_toml_table() -> None:
    config = DataConfig.from_dict(tomllib.loads(BANKING77_TOML)["data"])

    assert config.format == "csv"
    assert config.train == "banking77/train.csv"
    assert config.validation is None
    assert config.max_rows == 2000
    assert config.single_source is None


def test_defaults() -> None:
    config = DataConfig.from_dict({"path": "yelp.txt"})

    assert config.format is None
    assert config.split == (0.8, 0.1, 0.1)
    assert config.validation_fraction == 0.1
    assert config.single_source == "yelp.txt"


def test_lists_become_tuples() -> None:
    config = DataConfig.from_dict({"path": "a.tsv", "split": [0.9, 0.1], "label_order": ["neg", "pos"]})

    assert config.split == (0.9, 0.1)
    assert config.label_order == ("neg", "pos")


def test_dict_round_trip_through_json() -> None:
    config = DataConfig.from_dict(tomllib.loads(BANKING77_TOML)["data"])

    assert DataConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config


def test_hub_config() -> None:
    config = DataConfig.from_dict({"format": "hf", "hf_name": "glue", "hf_config": "sst2", "train": "train",
                                   "test": "validation", "hf_text_field": "sentence"})

    assert config.hf_text_field == "sentence"
    assert config.single_source is None
    single = DataConfig.from_dict({"format": "hf", "hf_name": "imdb", "hf_split": "train"})
    assert single.single_source == "train"


def test_unknown_key_lists_valid_keys() -> None:
    message = r"unknown data config keys \['pathh'\]; valid keys are \['format', 'path'"
    with pytest.raises(ConfigError, match=message):
        DataConfig.from_dict({"pathh": "a.tsv"})


def test_not_a_mapping() -> None:
    with pytest.raises(ConfigError, match="must be a mapping of keys to values, but got list"):
        DataConfig.from_dict(["path"])


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({}, r"needs path \(one source to split\) or both train and test, but got none of them"),
        ({"train": "a.tsv"}, r"or both train and test, but got \['train'\]"),
        ({"validation": "v.tsv", "test": "t.tsv"}, r"but got \['validation', 'test'\]"),
        (
            {"path": "a.tsv", "train": "b.tsv", "test": "c.tsv"},
            r"give either path .* but got path='a.tsv' and \['train', 'test'\]",
        ),
        (
            {"path": "a.tsv", "format": "xml"},
            r"format must be one of \['tsv', 'csv', 'jsonl', 'lambeq', 'hf'\], but got 'xml'",
        ),
        ({"format": "hf", "hf_split": "train"}, "format 'hf' needs hf_name"),
        (
            {"format": "hf", "hf_name": "imdb", "path": "train"},
            "path='train' does not apply to format 'hf'; use hf_split",
        ),
        (
            {"format": "csv", "hf_split": "train"},
            "hf_split='train' does not apply to format 'csv'; use path",
        ),
        (
            {"format": "csv", "path": "a.csv", "hf_name": "imdb"},
            r"\['hf_name'\] apply only to format 'hf', but format is 'csv'",
        ),
        (
            {"path": "a.csv", "hf_text_field": "sentence"},
            r"\['hf_text_field'\] apply only to format 'hf'",
        ),
        (
            {"format": "hf", "hf_name": "imdb", "hf_split": "train", "header": True},
            r"\['header'\] do not apply to format 'hf'",
        ),
        (
            {"format": "lambeq", "path": "mc.txt", "text_column": 1},
            r"\['text_column'\] do not apply to format 'lambeq'",
        ),
        (
            {"format": "jsonl", "path": "a.jsonl", "text_column": 0},
            "text_column must be a JSON key .* for format 'jsonl', but got 0",
        ),
        (
            {"format": "jsonl", "path": "a.jsonl", "header": False},
            r"\['header'\] do not apply to format 'jsonl'",
        ),
        (
            {"path": "a.tsv", "split": [0.8, 0.1]},
            r"split must sum to 1, but \[0.8, 0.1\] sums to 0.9",
        ),
        (
            {"path": "a.tsv", "validation_fraction": 1.0},
            "validation_fraction must be a number strictly between 0 and 1, but got 1.0",
        ),
        ({"path": "a.tsv", "max_rows": 0}, "max_rows must be an integer >= 1, but got 0"),
        ({"path": "a.tsv", "max_rows": 1.5}, "max_rows must be an integer >= 1, but got 1.5"),
        (
            {"path": "a.tsv", "label_order": ["neg", 1]},
            r"label_order must be a JSON file path or a non-empty list of label strings, but got \('neg', 1\)",
        ),
        ({"path": "a.tsv", "label_order": []}, r"label_order must be .*, but got \(\)"),
        ({"path": ""}, "path must be a non-empty string, but got ''"),
        ({"path": 3}, "path must be a non-empty string, but got 3"),
        (
            {"path": "a.tsv", "text_column": 1.0},
            r"text_column must be a column index \(int\) or name \(str\), but got 1.0",
        ),
        ({"path": "a.tsv", "header": "yes"}, "header must be true or false, but got 'yes'"),
    ],
)
def test_invalid_config(table: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        DataConfig.from_dict(table)


def test_direct_construction_is_validated() -> None:
    with pytest.raises(ConfigError, match="max_rows must be an integer >= 1, but got -5"):
        DataConfig(path="a.tsv", max_rows=-5)
