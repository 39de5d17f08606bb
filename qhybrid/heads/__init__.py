"""Heads: the quantum head and its classical baselines, all ``torch.nn.Module``."""

from qhybrid.heads.classical import LinearHead, MLPHead, count_parameters, hidden_width_for
from qhybrid.heads.quantum import QuantumHead

__all__ = ["LinearHead", "MLPHead", "QuantumHead", "count_parameters", "hidden_width_for"]
