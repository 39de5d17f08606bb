"""Tests of qhybrid.data.hub.

The hub itself is never contacted. Without ``datasets`` only the missing-dependency path
and argument checks run. With it, a local ``datasets.Dataset`` stands in for a downloaded
split through the ``load_dataset`` argument.
"""

from __future__ import annotations

import functools
import sys

import pytest

from qhybrid.data import DataConfig, load_hf_dataset, load_splits
from qhybrid.exceptions import DataError, MissingDependencyError


def test_missing_dependency_names_extra(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "datasets", None)

    with pytest.raises(MissingDependencyError, match=r"pip install 'qhybrid\[hub\]'"):
        load_hf_dataset("imdb", "train")


def test_empty_name_rejected_before_import(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "datasets", None)

    with pytest.raises(DataError, match="name must be a non-empty string, but got ''"):
        load_hf_dataset("", "train")


@pytest.fixture
def local_loader():
    """Return a ``load_dataset`` stand-in that serves splits of local ``datasets.Dataset`` objects."""
    datasets = pytest.importorskip("datasets")
    features = datasets.Features(
        {"sentence": datasets.Value("string"), "label": datasets.ClassLabel(names=["negative", "positive"])}
    )
    splits = {
        "train": datasets.Dataset.from_dict(
            {"sentence": [" great film ", "dull plot", "loved it"], "label": [1, 0, 1]}, features=features
        ),
        "test": datasets.Dataset.from_dict({"sentence": ["unlabeled"], "label": [-1]}, features=features),
        "plain": datasets.Dataset.from_dict({"sentence": ["a", "b"], "label": [3, 7]}),
    }
    requests = []

    def load_dataset(name, config_name=None, *, split):
        requests.append((name, config_name, split))
        return splits[split]

    load_dataset.requests = requests
    return load_dataset


def test_class_label_names(local_loader) -> None:
    data = load_hf_dataset(
        "local", "train", "sentence", "label", config_name="sst", load_dataset=local_loader
    )

    assert data.texts == ("great film", "dull plot", "loved it")
    assert data.labels == ("positive", "negative", "positive")
    assert data.source == "hf:local/sst:train"
    assert local_loader.requests == [("local", "sst", "train")]


def test_plain_integer_labels(local_loader) -> None:
    data = load_hf_dataset("local", "plain", "sentence", "label", load_dataset=local_loader)

    assert data.labels == ("3", "7")


def test_unlabeled_split(local_loader) -> None:
    with pytest.raises(DataError, match=r"hf:local:test: row 0 has no label \(-1 in column 'label'\)"):
        load_hf_dataset("local", "test", "sentence", "label", load_dataset=local_loader)


def test_missing_column(local_loader) -> None:
    with pytest.raises(DataError, match=r"hf:local:train has no column 'text'; its columns are \['sentence', 'label'\]"):
        load_hf_dataset("local", "train", "text", "label", load_dataset=local_loader)


def test_load_splits_reads_hub_splits(local_loader, monkeypatch) -> None:
    # load_splits has no loader argument, so the module's reference to load_hf_dataset is replaced.
    monkeypatch.setattr(
        "qhybrid.data.loading.load_hf_dataset", functools.partial(load_hf_dataset, load_dataset=local_loader)
    )
    config = DataConfig.from_dict({
        "format": "hf",
        "hf_name": "local",
        "train": "train",
        "validation": "train",
        "test": "train",
        "hf_text_field": "sentence",
    })

    splits = load_splits(config, None, seed=0)

    assert splits.label_map.labels == ("negative", "positive")
    assert splits.test.labels == ("positive", "negative", "positive")
    assert local_loader.requests == [("local", None, "train")] * 3
