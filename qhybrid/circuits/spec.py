"""The circuit that every quantum head runs, written once in PennyLane."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pennylane as qml

from qhybrid.circuits.ansatze import ANSATZE
from qhybrid.circuits.embeddings import EMBEDDINGS
from qhybrid.exceptions import BackendError, ConfigError


@dataclass(frozen=True)
class CircuitSpec:
    """Structure of a variational circuit: embedding, then ansatz, then one <Z> per qubit."""

    n_qubits: int
    """Number of qubits; also the number of input angles and of measured expectation values."""

    n_layers: int
    """Number of ansatz layers."""

    embedding: str = "angle"
    """Embedding name, a key of ``qhybrid.circuits.EMBEDDINGS``."""

    ansatz: str = "strongly_entangling"
    """Ansatz name, a key of ``qhybrid.circuits.ANSATZE``."""

    def __post_init__(self) -> None:
        if not isinstance(self.n_qubits, int) or isinstance(self.n_qubits, bool) or self.n_qubits < 1:
            raise ConfigError(f"n_qubits must be a positive integer, got {self.n_qubits!r}.")
        if not isinstance(self.n_layers, int) or isinstance(self.n_layers, bool) or self.n_layers < 1:
            raise ConfigError(f"n_layers must be a positive integer, got {self.n_layers!r}.")
        if self.embedding not in EMBEDDINGS:
            raise BackendError(
                f"Unknown embedding {self.embedding!r}; choose one of {sorted(EMBEDDINGS)}."
            )
        if self.ansatz not in ANSATZE:
            raise BackendError(f"Unknown ansatz {self.ansatz!r}; choose one of {sorted(ANSATZE)}.")

    @property
    def weight_shape(self) -> tuple[int, int, int]:
        """Shape of the trainable weights, (n_layers, n_qubits, params_per_qubit)."""
        return (self.n_layers, self.n_qubits, ANSATZE[self.ansatz].params_per_qubit)

    @property
    def n_weights(self) -> int:
        """Number of trainable circuit angles."""
        n_layers, n_qubits, per_qubit = self.weight_shape
        return n_layers * n_qubits * per_qubit

    def apply(self, angles: Any, weights: Any) -> None:
        """Queue the embedding of ``angles`` (..., n_qubits) and the ansatz with ``weights``."""
        wires = list(range(self.n_qubits))
        EMBEDDINGS[self.embedding](angles, wires)
        ANSATZE[self.ansatz].apply(weights, wires)

    def measurements(self) -> list[Any]:
        """Return one Pauli-Z expectation value per qubit, in wire order."""
        return [qml.expval(qml.PauliZ(i)) for i in range(self.n_qubits)]

    def circuit(self, angles: Any, weights: Any) -> list[Any]:
        """Queue the whole circuit; the body of a QNode."""
        self.apply(angles, weights)
        return self.measurements()
