"""Error mitigation for the Aer engine: readout correction, ZNE, Pauli twirling, dynamical decoupling.

``QuantumHead(backend="aer", noise=..., mitigation=Mitigation(...))`` applies the
techniques to every circuit the head runs; :class:`MitigationPipeline` builds the
circuit variants and reduces their results.
"""

from qhybrid.mitigation.config import DD_SEQUENCES, EXTRAPOLATIONS, FOLDING_METHODS, READOUT_METHODS, ZNE, Mitigation
from qhybrid.mitigation.extrapolation import Extrapolator, extrapolation_weights
from qhybrid.mitigation.folding import count_gates, fold_circuit
from qhybrid.mitigation.pipeline import MitigationPipeline

__all__ = [
    "DD_SEQUENCES",
    "EXTRAPOLATIONS",
    "FOLDING_METHODS",
    "READOUT_METHODS",
    "ZNE",
    "Extrapolator",
    "Mitigation",
    "MitigationPipeline",
    "count_gates",
    "extrapolation_weights",
    "fold_circuit",
]
