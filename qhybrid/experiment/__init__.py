"""Experiments: a TOML file that names a dataset, an encoder and heads, run end to end into a results folder.

``qhybrid run experiments/lambeq_mc.toml`` calls::

    config = load_experiment_config("experiments/lambeq_mc.toml")
    result = run_experiment(config, data_root="/path/to/datasets", out_dir="runs",
                            config_path="experiments/lambeq_mc.toml")
    result.result("quantum").test_accuracy
"""

from qhybrid.experiment.config import TOP_LEVEL_KEYS, ExperimentConfig, load_experiment_config
from qhybrid.experiment.features import (
    CACHE_DIR_ENV,
    DEFAULT_CACHE_DIR,
    EncodedSplits,
    SplitTensors,
    encode_splits,
    resolve_cache_dir,
)
from qhybrid.experiment.results import ExperimentResult, HeadResult
from qhybrid.experiment.run_folder import RunFolder, load_test_features
from qhybrid.experiment.runner import run_experiment, select_heads

__all__ = [
    "CACHE_DIR_ENV",
    "DEFAULT_CACHE_DIR",
    "TOP_LEVEL_KEYS",
    "EncodedSplits",
    "ExperimentConfig",
    "ExperimentResult",
    "HeadResult",
    "RunFolder",
    "SplitTensors",
    "encode_splits",
    "load_experiment_config",
    "load_test_features",
    "resolve_cache_dir",
    "run_experiment",
    "select_heads",
]
