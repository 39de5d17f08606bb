"""Convert a :class:`CircuitSpec` written in PennyLane into one parameterized Qiskit circuit.

The PennyLane templates are traced once with a distinct marker value for every
input angle and weight, decomposed into RX/RY/RZ/CNOT/CZ, and each rotation
becomes a gate with its own Qiskit ``Parameter`` (a "slot"). The marker that
reaches a gate identifies the input or weight that feeds that slot. Because each slot
is one Pauli rotation exp(-i theta P / 2), the two-term parameter-shift rule
with shift pi/2 is exact for every slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pennylane as qml
from qiskit import QuantumCircuit
from qiskit.circuit import ParameterVector
from qiskit.quantum_info import SparsePauliOp

from qhybrid.circuits import CircuitSpec
from qhybrid.exceptions import BackendError

_ROTATIONS = {"RX": "rx", "RY": "ry", "RZ": "rz"}
_ENTANGLERS = {"CNOT": "cx", "CZ": "cz"}
_MARKER_OFFSET = 1000.0
"""Marker k is the float 1000 + k, far from any angle a template would compute itself."""


@dataclass(frozen=True)
class ConvertedCircuit:
    """A parameterized Qiskit circuit equivalent to a :class:`CircuitSpec`."""

    circuit: QuantumCircuit
    """Circuit over ``n_qubits`` qubits with one parameter per rotation slot, no measurements."""

    slot_leaf: np.ndarray
    """Int array (n_slots,): which leaf feeds each slot. Leaves are the n_qubits input
    angles followed by the flattened ansatz weights."""

    n_qubits: int
    """Number of logical qubits; qubit i of ``circuit`` is PennyLane wire i."""

    @property
    def n_slots(self) -> int:
        """Number of rotation gates, one parameter each."""
        return len(self.slot_leaf)

    @property
    def n_leaves(self) -> int:
        """Number of inputs plus weights: n_qubits + spec.n_weights."""
        return int(self.slot_leaf.max()) + 1 if self.n_slots else self.n_qubits

    def observables(self) -> list[SparsePauliOp]:
        """Return Z_i for every logical qubit i, in Qiskit's little-endian convention."""
        return [SparsePauliOp.from_sparse_list([("Z", [i], 1.0)], self.n_qubits) for i in range(self.n_qubits)]


@lru_cache(maxsize=32)
def convert(spec: CircuitSpec) -> ConvertedCircuit:
    """Trace ``spec`` once and return its Qiskit form; cached per structure.

    Raises:
        BackendError: if a template computes a gate angle from several inputs or
            uses a gate this converter does not know.
    """
    n_leaves = spec.n_qubits + spec.n_weights
    markers = np.arange(n_leaves, dtype=float) + _MARKER_OFFSET
    angles = markers[: spec.n_qubits]
    weights = markers[spec.n_qubits :].reshape(spec.weight_shape)

    tape = qml.tape.make_qscript(spec.apply)(angles, weights)
    [decomposed], _ = qml.transforms.decompose(tape, gate_set=set(_ROTATIONS) | set(_ENTANGLERS))

    slots = ParameterVector("theta", sum(op.name in _ROTATIONS for op in decomposed.operations))
    circuit = QuantumCircuit(spec.n_qubits)
    slot_leaf: list[int] = []
    for op in decomposed.operations:
        wires = [int(w) for w in op.wires]
        if op.name in _ENTANGLERS:
            getattr(circuit, _ENTANGLERS[op.name])(*wires)
            continue
        if op.name not in _ROTATIONS:
            raise BackendError(f"Cannot convert gate {op.name!r} of {spec}; only RX, RY, RZ, CNOT and CZ are supported.")

        slot_leaf.append(_leaf_of(float(op.parameters[0]), n_leaves, op.name))
        getattr(circuit, _ROTATIONS[op.name])(slots[len(slot_leaf) - 1], wires[0])

    return ConvertedCircuit(circuit=circuit, slot_leaf=np.asarray(slot_leaf, dtype=np.int64), n_qubits=spec.n_qubits)


def _leaf_of(value: float, n_leaves: int, gate: str) -> int:
    leaf = round(value - _MARKER_OFFSET)
    if not (0 <= leaf < n_leaves and value == leaf + _MARKER_OFFSET):
        raise BackendError(
            f"Gate {gate} has angle {value}, which is not a single input or weight; the batched "
            "engines need templates that pass each angle straight to one rotation."
        )
    return leaf
