"""Transpile a converted circuit once per structure and target, and bind its parameters."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from qiskit import ClassicalRegister, QuantumCircuit, transpile
from qiskit.circuit import Parameter

from qhybrid.circuits import CircuitSpec
from qhybrid.engines.conversion import ConvertedCircuit

logger = logging.getLogger(__name__)

_CACHE: dict[tuple[Any, ...], "TranspiledCircuit"] = {}
_TRANSPILE_COUNT = 0


@dataclass(frozen=True)
class TranspiledCircuit:
    """A converted circuit after transpilation, ready to run with parameter bindings."""

    circuit: QuantumCircuit
    """Transpiled circuit, ending in saved probabilities (exact) or measurements (shots)."""

    parameters: tuple[Parameter, ...]
    """Parameters of ``circuit``."""

    parameter_slots: np.ndarray
    """Slot index of each entry of ``parameters``."""

    physical_qubits: tuple[int, ...]
    """Physical qubit of logical qubit i after layout and routing."""

    target_name: str
    """Name of the target the circuit was transpiled for."""

    unitary: QuantumCircuit | None = None
    """The transpiled circuit before measurements or save instructions, which error
    mitigation folds, twirls and pads before :func:`add_readout` finishes it."""

    @property
    def n_qubits(self) -> int:
        """Number of logical (measured) qubits."""
        return len(self.physical_qubits)

    def parameter_binds(self, bindings: np.ndarray) -> dict[Parameter, np.ndarray]:
        """Map slot bindings (M, n_slots) to Aer's ``parameter_binds`` form."""
        return {parameter: bindings[:, slot] for parameter, slot in zip(self.parameters, self.parameter_slots)}

    def two_qubit_gate_count(self) -> int:
        """Number of two-qubit gates after transpilation."""
        return sum(1 for instruction in self.circuit.data if instruction.operation.num_qubits == 2)


def transpile_count() -> int:
    """Return how many transpilations this process has run (for tests and benchmarks)."""
    return _TRANSPILE_COUNT


def transpile_once(
    spec: CircuitSpec,
    converted: ConvertedCircuit,
    target_backend: Any = None,
    measure: bool = False,
    optimization_level: int = 1,
    seed_transpiler: int = 0,
    basis_gates: Sequence[str] | None = None,
) -> TranspiledCircuit:
    """Return the transpiled circuit for ``(spec, target, basis_gates, measure)``, transpiling on the first request only.

    Without ``target_backend`` or ``basis_gates`` the circuit keeps its
    RX/RY/RZ/CX gates, which Aer runs natively. With ``target_backend`` it is
    transpiled to that backend's target (basis gates and coupling map), and with
    only ``basis_gates`` to those gates on all-to-all connectivity (so a noise
    model's errors apply to every gate), both with a fixed ``seed_transpiler``.
    """
    basis = None if basis_gates is None or target_backend is not None else tuple(basis_gates)
    if target_backend is not None:
        target_name = target_backend.name
    else:
        target_name = "aer_simulator" if basis is None else f"aer_simulator[{','.join(basis)}]"
    key = (spec, target_name, basis, measure, optimization_level, seed_transpiler)
    if key not in _CACHE:
        _CACHE[key] = _transpile(
            converted, target_backend, basis, target_name, measure, optimization_level, seed_transpiler
        )
    return _CACHE[key]


def add_readout(circuit: QuantumCircuit, physical_qubits: Sequence[int], measure: bool) -> QuantumCircuit:
    """Return a copy of a unitary circuit that ends in measurements (shots) or saved probabilities (exact).

    Classical bit i, or bit i of the saved outcome index, is the result of ``physical_qubits[i]``.
    """
    finished = circuit.copy()
    if measure:
        finished.add_register(ClassicalRegister(len(physical_qubits), "meas"))
        finished.measure(list(physical_qubits), range(len(physical_qubits)))
    else:
        finished.save_probabilities(list(physical_qubits), label="probs")
    return finished


def circuit_parameter_binds(circuit: QuantumCircuit, bindings: np.ndarray) -> dict[Parameter, np.ndarray]:
    """Map slot bindings (M, n_slots) to Aer's ``parameter_binds`` for any circuit built from a converted one.

    Works for folded and twirled copies too, because they keep the converted
    circuit's ``ParameterVector`` elements, whose index is the slot.
    """
    return {parameter: bindings[:, parameter.index] for parameter in circuit.parameters}


def _transpile(
    converted: ConvertedCircuit,
    target_backend: Any,
    basis_gates: tuple[str, ...] | None,
    target_name: str,
    measure: bool,
    optimization_level: int,
    seed_transpiler: int,
) -> TranspiledCircuit:
    global _TRANSPILE_COUNT
    _TRANSPILE_COUNT += 1

    # The unitary part is transpiled alone and the readout appended on the final
    # physical qubits, so mitigation can change the unitary and reuse the layout.
    if target_backend is None and basis_gates is None:
        unitary = converted.circuit.copy()
    else:
        unitary = transpile(
            converted.circuit,
            backend=target_backend,
            basis_gates=None if basis_gates is None else list(basis_gates),
            optimization_level=optimization_level,
            seed_transpiler=seed_transpiler,
        )
    physical = tuple(range(converted.n_qubits))
    if unitary.layout is not None:
        physical = tuple(unitary.layout.final_index_layout()[: converted.n_qubits])
    logger.info("Transpiled %d-qubit circuit for %s (depth %d)", converted.n_qubits, target_name, unitary.depth())

    transpiled = add_readout(unitary, physical, measure)
    parameters = tuple(transpiled.parameters)
    slots = np.array([parameter.index for parameter in parameters], dtype=np.int64)
    return TranspiledCircuit(transpiled, parameters, slots, physical, target_name, unitary)
