"""Training and evaluation of heads on precomputed features."""

from qhybrid.train.config import MONITORS, TrainConfig
from qhybrid.train.evaluation import evaluate, predict
from qhybrid.train.loop import TrainResult, train_head
from qhybrid.train.metrics import accuracy, confusion_matrix, macro_f1

__all__ = [
    "MONITORS",
    "TrainConfig",
    "TrainResult",
    "accuracy",
    "confusion_matrix",
    "evaluate",
    "macro_f1",
    "predict",
    "train_head",
]
