"""Ansätze: trainable layers applied after the embedding."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pennylane as qml


def strongly_entangling(weights: Any, wires: Sequence[int]) -> None:
    """Apply strongly entangling layers (Schuld et al., arXiv:1804.00633).

    Each layer is a general Rot(phi, theta, omega) on every qubit followed by a
    ring of CNOTs whose range grows with the layer index.
    """
    qml.StronglyEntanglingLayers(weights, wires=wires)


def hardware_efficient(weights: Any, wires: Sequence[int]) -> None:
    """Apply hardware-efficient layers (Kandala et al., arXiv:1704.05018).

    Each layer is RY(w[l, i, 0]) then RZ(w[l, i, 1]) on every qubit, then a CNOT
    ladder 0->1, 1->2, ..., (n-2)->(n-1). Every gate is native to IBM devices
    after at most a basis change, so the transpiled depth stays close to the
    logical depth.
    """
    n_wires = len(wires)
    for layer in range(weights.shape[0]):
        for i, wire in enumerate(wires):
            qml.RY(weights[layer, i, 0], wires=wire)
            qml.RZ(weights[layer, i, 1], wires=wire)

        for i in range(n_wires - 1):
            qml.CNOT(wires=[wires[i], wires[i + 1]])


@dataclass(frozen=True)
class Ansatz:
    """A named ansatz and the per-gate parameter count of its layers."""

    apply: Callable[[Any, Sequence[int]], None]
    """Function that queues the layers, given weights of shape (n_layers, n_qubits, params_per_qubit)."""

    params_per_qubit: int
    """Trainable angles per qubit and layer."""


ANSATZE: dict[str, Ansatz] = {
    "strongly_entangling": Ansatz(strongly_entangling, params_per_qubit=3),
    "hardware_efficient": Ansatz(hardware_efficient, params_per_qubit=2),
}
"""Ansätze by name."""
