"""qhybrid: variational quantum circuits as torch heads on frozen BERT features.

The public API is re-exported here and imported on first access, so ``import qhybrid``
and the ``qhybrid`` command start without loading torch, PennyLane or Qiskit::

    from qhybrid import load_experiment_config, run_experiment
    config = load_experiment_config("experiments/lambeq_mc.toml")
    result = run_experiment(config, data_root="/path/to/datasets", out_dir="runs")
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qhybrid.circuits import CircuitSpec
    from qhybrid.data import DataConfig, load_splits
    from qhybrid.experiment import ExperimentConfig, run_experiment
    from qhybrid.features import EncoderConfig, extract_features
    from qhybrid.heads import HeadConfig, LinearHead, MLPHead, QuantumHead
    from qhybrid.train import TrainConfig, evaluate, train_head

_EXPORTS: dict[str, str] = {
    "QuantumHead": "qhybrid.heads",
    "LinearHead": "qhybrid.heads",
    "MLPHead": "qhybrid.heads",
    "HeadConfig": "qhybrid.heads",
    "CircuitSpec": "qhybrid.circuits",
    "EncoderConfig": "qhybrid.features",
    "extract_features": "qhybrid.features",
    "DataConfig": "qhybrid.data",
    "load_splits": "qhybrid.data",
    "TrainConfig": "qhybrid.train",
    "train_head": "qhybrid.train",
    "evaluate": "qhybrid.train",
    "ExperimentConfig": "qhybrid.experiment",
    "load_experiment_config": "qhybrid.experiment",
    "run_experiment": "qhybrid.experiment",
}
"""Public name -> module that defines it."""

# Mitigation is exported only where the qhybrid.mitigation subpackage is present, so a
# tree without it still imports.
if importlib.util.find_spec("qhybrid.mitigation") is not None:
    _EXPORTS["Mitigation"] = "qhybrid.mitigation"

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first access (PEP 562)."""
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'qhybrid' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
