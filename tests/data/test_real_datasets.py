"""Row and class counts of the real datasets, as stated in each dataset's README.txt.

The data root comes from QHYBRID_DATA_ROOT, or ``<repo>/../shared/datasets``. The tests
are skipped when it is absent.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from qhybrid.data import DataConfig, load_splits, read_csv, read_lambeq, read_tsv

pytestmark = pytest.mark.needs_data

NEL = "\u0085"


@pytest.mark.parametrize("name", ["amazon_cells", "imdb", "yelp"])
def test_uci_sentiment_counts(data_root, name: str) -> None:
    data = read_tsv(data_root / "uci_sentiment_labelled" / f"{name}_labelled.txt")

    assert len(data) == 1000
    assert Counter(data.labels) == {"0": 500, "1": 500}


def test_imdb_keeps_next_line_characters(data_root) -> None:
    data = read_tsv(data_root / "uci_sentiment_labelled" / "imdb_labelled.txt")

    assert sum(NEL in text for text in data.texts) == 2
    assert all(text == text.strip() for text in data.texts)
    assert any('"' in text for text in data.texts)


def test_banking77_train(data_root) -> None:
    data = read_csv(data_root / "banking77" / "train.csv")
    counts = Counter(data.labels)

    assert len(data) == 10003
    assert len(counts) == 77
    assert (min(counts.values()), max(counts.values())) == (35, 187)


def test_banking77_test(data_root) -> None:
    data = read_csv(data_root / "banking77" / "test.csv")
    counts = Counter(data.labels)

    assert len(data) == 3080
    assert len(counts) == 77
    assert set(counts.values()) == {40}


def test_banking77_labels_in_categories(data_root) -> None:
    categories = json.loads((data_root / "banking77" / "categories.json").read_text())

    assert len(categories) == 77
    assert set(read_csv(data_root / "banking77" / "train.csv").labels) == set(categories)


@pytest.mark.parametrize(
    ("name", "rows", "label_counts"),
    [
        ("mc_train_data.txt", 70, {"1": 39, "0": 31}),
        ("mc_dev_data.txt", 30, {"1": 11, "0": 19}),
        ("mc_test_data.txt", 30, {"1": 15, "0": 15}),
        ("rp_train_data.txt", 74, {"1": 46, "0": 28}),
        ("rp_test_data.txt", 31, {"1": 19, "0": 12}),
    ],
)
def test_lambeq_counts(data_root, name: str, rows: int, label_counts: dict[str, int]) -> None:
    data = read_lambeq(data_root / "lambeq_mc_rp" / name)

    assert len(data) == rows
    assert Counter(data.labels) == label_counts
    assert all(text and not text[0].isspace() for text in data.texts)


def test_banking77_splits_with_category_order(data_root) -> None:
    config = DataConfig.from_dict({
        "format": "csv",
        "train": "banking77/train.csv",
        "test": "banking77/test.csv",
        "label_order": "banking77/categories.json",
    })
    categories = json.loads((data_root / "banking77" / "categories.json").read_text())

    splits = load_splits(config, data_root, seed=0)

    assert splits.label_map.labels == tuple(categories)
    assert len(splits.train) + len(splits.validation) == 10003
    assert len(splits.validation) == pytest.approx(1000, abs=77)
    assert len(set(splits.validation.labels)) == 77
    assert len(splits.test) == 3080


def test_yelp_single_file_split(data_root) -> None:
    config = DataConfig.from_dict({"path": "uci_sentiment_labelled/yelp_labelled.txt"})

    summary = load_splits(config, data_root, seed=0).summary()

    assert summary["splits"]["train"]["class_counts"] == {"0": 400, "1": 400}
    assert summary["splits"]["validation"]["class_counts"] == {"0": 50, "1": 50}
    assert summary["splits"]["test"]["class_counts"] == {"0": 50, "1": 50}
