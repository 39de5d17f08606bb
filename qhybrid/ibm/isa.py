"""Transpile a converted circuit once to a backend's ISA, build its client-side variants, and pack Estimator PUBs.

IBM QPUs accept only ISA circuits: the backend's basis gates on physically
connected qubits. The circuit is transpiled once with a seeded preset pass
manager, and the observables Z_i follow logical qubit i through the initial
layout and any final permutation from routing
(``SparsePauliOp.apply_layout(circuit.layout)``).

In local testing mode, where IBM Runtime's mitigation options do not run, the
ISA circuit is expanded into variants with :mod:`qhybrid.mitigation`'s passes:
R Pauli-twirled copies, each folded to K noise scale factors and padded with
dynamical decoupling. All K * R variants of a binding go into the same job, as
one PUB each, ordered scale-factor-major like
:class:`qhybrid.mitigation.MitigationPipeline`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import generate_preset_pass_manager

from qhybrid.engines.conversion import ConvertedCircuit
from qhybrid.exceptions import BackendError

logger = logging.getLogger(__name__)

NOISELESS_OPERATIONS = frozenset({"rz", "delay", "barrier", "measure", "reset", "for_loop", "if_else", "switch_case", "while_loop"})
"""Operations that folding never counts: virtual RZ, timing, measurement and control flow."""


@dataclass(frozen=True)
class ClientSteps:
    """Mitigation steps applied to the circuits before submission (local testing mode only)."""

    zne: Any = None
    """A ``qhybrid.mitigation.ZNE`` whose scale factors become folded variants, or None."""

    twirling_randomizations: int | None = None
    """Pauli-twirled copies per circuit, or None for no twirling."""

    dynamical_decoupling: str | None = None
    """``"XX"`` or ``"XY4"`` padding of idle windows, or None."""

    seed: int | None = None
    """Seeds twirling and local folding."""


@dataclass(frozen=True)
class ISAProgram:
    """The ISA circuits that one binding runs, their observables and how bindings map to parameters."""

    circuits: tuple[QuantumCircuit, ...]
    """K * R ISA circuits, scale-factor-major; one circuit without client-side steps."""

    observables: tuple[SparsePauliOp, ...]
    """Z_i of logical qubit i, laid out on the backend's physical qubits, n_qubits entries."""

    parameter_slots: np.ndarray
    """Int array: the slot of :class:`ConvertedCircuit` that feeds each parameter of the
    circuits, in ``circuit.parameters`` order (the same for every variant)."""

    physical_qubits: tuple[int, ...]
    """Physical qubit measured for logical qubit i, after layout and routing."""

    scale_factors: tuple[float, ...] = (1.0,)
    """Noise scale factors the K variant groups realize, ``(1.0,)`` without client-side ZNE."""

    randomizations: int = 1
    """Twirled copies R per scale factor."""

    @property
    def circuit(self) -> QuantumCircuit:
        """The first circuit: unfolded, and untwirled unless twirling is on."""
        return self.circuits[0]

    @property
    def circuits_per_binding(self) -> int:
        """Number of circuits that one parameter binding runs, K * R."""
        return len(self.circuits)

    def shots_per_circuit(self, shots: int) -> int:
        """Return ceil(shots / R): twirling splits a binding's shots over its copies."""
        return -(-shots // self.randomizations)

    def pubs(self, bindings: np.ndarray) -> list[tuple[Any, ...]]:
        """Pack bindings into one Estimator PUB per circuit.

        Shots are not part of the PUB: the estimator's ``default_shots`` option
        sets them, because IBM Runtime derives its own shot count from a PUB's precision.

        Args:
            bindings: slot angles in radians, shape (M, n_slots).

        Returns:
            PUBs ``(circuit, observables (1, n_qubits), parameter_values (M, 1, n_parameters))``;
            each PUB's ``evs`` have shape (M, n_qubits).
        """
        values = bindings[:, self.parameter_slots][:, None, :]  # (M, 1, n_parameters)
        observables = [list(self.observables)]  # (1, n_qubits), broadcast against (M, 1)
        return [(circuit, observables, values) for circuit in self.circuits]

    def two_qubit_gate_count(self) -> int:
        """Number of two-qubit gates in the first ISA circuit."""
        return sum(1 for instruction in self.circuit.data if instruction.operation.num_qubits == 2)


def build_isa_program(
    converted: ConvertedCircuit,
    backend: Any,
    optimization_level: int = 1,
    seed_transpiler: int = 0,
    client: ClientSteps | None = None,
) -> ISAProgram:
    """Transpile ``converted`` to ``backend``'s ISA and build the client-side variants.

    Args:
        converted: the Qiskit form of a :class:`~qhybrid.circuits.CircuitSpec`.
        backend: a ``BackendV2`` whose target fixes basis gates and coupling map.
        optimization_level: preset pass-manager level, 0 to 3.
        seed_transpiler: seeds layout and routing, so the layout is reproducible.
        client: mitigation steps to apply to the circuit here, or None.

    Raises:
        BackendError: if the circuit needs more qubits than the backend has.
        ConfigError: if dynamical decoupling needs gate durations the target lacks.
    """
    _check_fits(converted, backend)

    pass_manager = generate_preset_pass_manager(
        optimization_level=optimization_level, backend=backend, seed_transpiler=seed_transpiler
    )
    isa = pass_manager.run(converted.circuit)
    observables, physical = _laid_out_observables(converted, isa)
    slots = np.array([parameter.index for parameter in isa.parameters], dtype=np.int64)
    logger.info(
        "Transpiled %d-qubit circuit for %s: depth %d, physical qubits %s",
        converted.n_qubits, backend.name, isa.depth(), physical,
    )

    client = client or ClientSteps()
    # Twirling, folding and padding keep every qubit in place, so the observables laid out above stay valid.
    circuits, scale_factors = _variants(isa, backend, client)
    for circuit in circuits:
        if tuple(circuit.parameters) != tuple(isa.parameters):
            raise BackendError("A mitigation pass changed the circuit's parameters; this is a bug, please report it.")
    return ISAProgram(
        circuits=tuple(circuits),
        observables=observables,
        parameter_slots=slots,
        physical_qubits=physical,
        scale_factors=tuple(scale_factors),
        randomizations=client.twirling_randomizations or 1,
    )


def _laid_out_observables(
    converted: ConvertedCircuit, isa: QuantumCircuit
) -> tuple[tuple[SparsePauliOp, ...], tuple[int, ...]]:
    if isa.layout is None:
        # A target without a coupling map (e.g. a plain AerSimulator) leaves the qubits in place.
        return tuple(converted.observables()), tuple(range(converted.n_qubits))
    observables = tuple(observable.apply_layout(isa.layout) for observable in converted.observables())
    physical = tuple(int(qubit) for qubit in isa.layout.final_index_layout()[: converted.n_qubits])
    return observables, physical


def noisy_gate_names(backend: Any) -> frozenset[str]:
    """Return the gates of ``backend``'s target that have a nonzero error on some qubits, for folding."""
    noisy = set()
    for name in backend.target.operation_names:
        if name in NOISELESS_OPERATIONS:
            continue
        properties = backend.target[name] or {}
        if any(prop is not None and prop.error for prop in properties.values()):
            noisy.add(name)
    return frozenset(noisy)


def _variants(isa: QuantumCircuit, backend: Any, client: ClientSteps) -> tuple[list[QuantumCircuit], list[float]]:
    from qhybrid.mitigation.decoupling import add_dynamical_decoupling
    from qhybrid.mitigation.folding import fold_circuit
    from qhybrid.mitigation.twirling import twirled_circuits

    copies = [isa]
    if client.twirling_randomizations is not None:
        copies = twirled_circuits(isa, client.twirling_randomizations, client.seed, target=backend.target)

    requested = (1.0,) if client.zne is None else client.zne.scale_factors
    basis = sorted(name for name in backend.operation_names if name == "rz" or name not in NOISELESS_OPERATIONS)
    noisy = noisy_gate_names(backend)
    circuits: list[QuantumCircuit] = []
    realized: list[float] = []
    for scale in requested:
        achieved = []
        for index, copy in enumerate(copies):
            folded, factor = copy, 1.0
            if scale != 1.0:
                seed = None if client.seed is None else client.seed + index
                folded, factor = fold_circuit(copy, scale, client.zne.folding, basis, noisy, seed)
            if client.dynamical_decoupling is not None:
                folded = add_dynamical_decoupling(folded, client.dynamical_decoupling, backend)
            circuits.append(folded)
            achieved.append(factor)
        realized.append(float(np.mean(achieved)))
    return circuits, realized


def _check_fits(converted: ConvertedCircuit, backend: Any) -> None:
    n_available = backend.num_qubits
    if n_available is not None and converted.n_qubits > n_available:
        raise BackendError(
            f"The circuit needs {converted.n_qubits} qubits but backend {backend.name!r} has {n_available}; "
            f"use n_qubits <= {n_available} or a larger backend."
        )
