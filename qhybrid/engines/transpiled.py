"""Transpile a converted circuit once per structure and target, and bind its parameters."""

from __future__ import annotations

import logging
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
    """Physical qubit that holds logical qubit i after layout and routing."""

    target_name: str
    """Name of the target the circuit was transpiled for."""

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
) -> TranspiledCircuit:
    """Return the transpiled circuit for ``(spec, target, measure)``, transpiling on the first request only.

    Without ``target_backend`` the circuit keeps its RX/RY/RZ/CX gates, which Aer
    runs natively. With one, it is transpiled to that backend's target (basis
    gates and coupling map) with a fixed ``seed_transpiler``.
    """
    target_name = "aer_simulator" if target_backend is None else target_backend.name
    key = (spec, target_name, measure, optimization_level, seed_transpiler)
    if key not in _CACHE:
        _CACHE[key] = _transpile(converted, target_backend, target_name, measure, optimization_level, seed_transpiler)
    return _CACHE[key]


def _transpile(
    converted: ConvertedCircuit,
    target_backend: Any,
    target_name: str,
    measure: bool,
    optimization_level: int,
    seed_transpiler: int,
) -> TranspiledCircuit:
    global _TRANSPILE_COUNT
    _TRANSPILE_COUNT += 1

    circuit = converted.circuit.copy()
    if measure:
        circuit.add_register(ClassicalRegister(converted.n_qubits, "meas"))
        circuit.measure(range(converted.n_qubits), range(converted.n_qubits))

    if target_backend is None:
        transpiled = circuit
        physical = tuple(range(converted.n_qubits))
    else:
        transpiled = transpile(
            circuit, backend=target_backend, optimization_level=optimization_level, seed_transpiler=seed_transpiler
        )
        physical = tuple(transpiled.layout.final_index_layout()[: converted.n_qubits])
    logger.info("Transpiled %d-qubit circuit for %s (depth %d)", converted.n_qubits, target_name, transpiled.depth())

    if not measure:
        transpiled = transpiled.copy()
        transpiled.save_probabilities(list(physical), label="probs")

    parameters = tuple(transpiled.parameters)
    slots = np.array([parameter.index for parameter in parameters], dtype=np.int64)
    return TranspiledCircuit(transpiled, parameters, slots, physical, target_name)
