"""Embeddings, ansätze and the circuit structure shared by every backend."""

from qhybrid.circuits.ansatze import ANSATZE, Ansatz
from qhybrid.circuits.embeddings import EMBEDDINGS
from qhybrid.circuits.spec import CircuitSpec

__all__ = ["ANSATZE", "EMBEDDINGS", "Ansatz", "CircuitSpec"]
