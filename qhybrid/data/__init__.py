"""Labeled text datasets: reading files and hub datasets, label maps, and stratified splits.

The usual entry point is :func:`load_splits` with a :class:`DataConfig` read from the
``[data]`` table of an experiment TOML::

    config = DataConfig.from_dict({"format": "csv", "train": "banking77/train.csv",
                                   "test": "banking77/test.csv",
                                   "label_order": "banking77/categories.json"})
    splits = load_splits(config, data_root="/path/to/datasets", seed=0)
    y_train = splits.label_map.encode(splits.train.labels)
"""

from qhybrid.data.config import DATA_FORMATS, DataConfig
from qhybrid.data.hub import load_hf_dataset
from qhybrid.data.label_map import LabelMap
from qhybrid.data.loading import DATA_ROOT_ENV, DataSplits, load_splits, resolve_data_path
from qhybrid.data.readers import (
    FILE_FORMATS,
    FORMAT_BY_EXTENSION,
    read_csv,
    read_jsonl,
    read_labeled_file,
    read_lambeq,
    read_tsv,
    resolve_format,
)
from qhybrid.data.records import LabeledTexts
from qhybrid.data.splits import stratified_sample, stratified_split, validate_fractions

__all__ = [
    "DATA_FORMATS",
    "DATA_ROOT_ENV",
    "FILE_FORMATS",
    "FORMAT_BY_EXTENSION",
    "DataConfig",
    "DataSplits",
    "LabelMap",
    "LabeledTexts",
    "load_hf_dataset",
    "load_splits",
    "read_csv",
    "read_jsonl",
    "read_labeled_file",
    "read_lambeq",
    "read_tsv",
    "resolve_data_path",
    "resolve_format",
    "stratified_sample",
    "stratified_split",
    "validate_fractions",
]
