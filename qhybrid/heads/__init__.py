"""Heads: the quantum head and its classical baselines, all ``torch.nn.Module``."""

from qhybrid.heads.checkpoint import load_checkpoint, save_checkpoint
from qhybrid.heads.classical import LinearHead, MLPHead, count_parameters, hidden_width_for
from qhybrid.heads.config import HEAD_KINDS, HeadConfig, build_head, build_heads
from qhybrid.heads.quantum import QuantumHead

__all__ = [
    "HEAD_KINDS",
    "HeadConfig",
    "LinearHead",
    "MLPHead",
    "QuantumHead",
    "build_head",
    "build_heads",
    "count_parameters",
    "hidden_width_for",
    "load_checkpoint",
    "save_checkpoint",
]
