"""Unitary folding of transpiled circuits, the noise scaling of zero-noise extrapolation.

Folding follows mitiq's ``fold_global`` and ``fold_gates_at_random``
(Giurgica-Tiron et al., arXiv:2005.10921) but works on Qiskit circuits that
still contain unbound parameters and are already transpiled. mitiq 1.1 converts
Qiskit circuits through OpenQASM, which needs the optional ``ply`` package and
returns gates outside the device basis, where the noise model would not apply.
Here every inverse gate is written in the basis gates (SX^dagger becomes
RZ(pi) SX RZ(pi)), and the folded circuit is never transpiled again, so no
optimization pass can cancel G G^dagger.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import CircuitInstruction, Gate, Instruction
from qiskit.circuit.equivalence_library import SessionEquivalenceLibrary
from qiskit.transpiler import PassManager
from qiskit.transpiler.passes import BasisTranslator

from qhybrid.exceptions import BackendError, ConfigError
from qhybrid.mitigation.config import FOLDING_METHODS

_TRANSLATIONS: dict[tuple[str, int, tuple[str, ...]], list[tuple[Instruction, tuple[int, ...]]]] = {}
"""Inverse gates without parameters, written in a basis, by (name, n_qubits, basis)."""


def fold_circuit(
    circuit: QuantumCircuit,
    scale_factor: float,
    folding: str,
    basis_gates: Sequence[str],
    noisy_gates: frozenset[str] | None = None,
    seed: int | None = None,
) -> tuple[QuantumCircuit, float]:
    """Scale the noise of a unitary circuit by folding its gates.

    Only gates that carry noise are counted and folded, because RZ is exact on
    IBM devices and folding it would add no noise. When the circuit has none of
    them, every gate counts. With d counted gates and scale factor lambda,
    (lambda - 1) / 2 * d gate folds are made, rounded to whole gates.

    Args:
        circuit: transpiled circuit without measurements or save instructions.
        scale_factor: requested noise scale factor, >= 1.
        folding: ``"global"`` appends (U^dagger U) n times, then the inverse and
            the repeat of a final segment. ``"local"`` folds every counted gate n
            times and a random subset once more.
        basis_gates: gates the inverse gates are written in.
        noisy_gates: names of the gates that carry errors; None counts every gate.
        seed: seeds the gate choice of local folding.

    Returns:
        ``(folded circuit, realized scale factor)``; the realized factor
        1 + 2 * folds / d differs from ``scale_factor`` when the folds round.

    Raises:
        ConfigError: if ``scale_factor`` < 1 or ``folding`` is unknown.
        BackendError: if an inverse gate cannot be written in ``basis_gates``.
    """
    if isinstance(scale_factor, bool) or not math.isfinite(scale_factor) or scale_factor < 1:
        raise ConfigError(f"scale_factor must be a finite number >= 1, got {scale_factor!r}.")
    if folding not in FOLDING_METHODS:
        raise ConfigError(f"Unknown folding {folding!r}; choose one of {list(FOLDING_METHODS)}.")

    counted = _counted_positions(circuit, noisy_gates)
    n_counted = len(counted)
    if n_counted == 0:
        return circuit.copy(), float(scale_factor)
    full_folds = math.floor((scale_factor - 1) / 2 + 1e-9)
    extra_folds = round(((scale_factor - 1) / 2 - full_folds) * n_counted)

    basis = tuple(basis_gates)
    if folding == "global":
        folded = _fold_global(circuit, counted, full_folds, extra_folds, basis)
    else:
        folded = _fold_local(circuit, counted, full_folds, extra_folds, basis, seed)
    return folded, 1.0 + 2.0 * (full_folds * n_counted + extra_folds) / n_counted


def count_gates(circuit: QuantumCircuit, names: frozenset[str]) -> int:
    """Return how many instructions of ``circuit`` are gates named in ``names``."""
    return sum(1 for instruction in circuit.data if instruction.operation.name in names)


def _counted_positions(circuit: QuantumCircuit, noisy_gates: frozenset[str] | None) -> list[int]:
    gates = [i for i, instruction in enumerate(circuit.data) if isinstance(instruction.operation, Gate)]
    if noisy_gates is not None:
        noisy = [i for i in gates if circuit.data[i].operation.name in noisy_gates]
        if noisy:
            return noisy
    return gates


def _fold_global(
    circuit: QuantumCircuit, counted: list[int], full_folds: int, extra_folds: int, basis: tuple[str, ...]
) -> QuantumCircuit:
    folded = circuit.copy()
    instructions = list(circuit.data)
    for _ in range(full_folds):
        _append_inverse(folded, instructions, basis)
        _append(folded, instructions)

    if extra_folds:
        tail = instructions[counted[-extra_folds] :]  # shortest suffix with extra_folds counted gates
        _append_inverse(folded, tail, basis)
        _append(folded, tail)
    return folded


def _fold_local(
    circuit: QuantumCircuit,
    counted: list[int],
    full_folds: int,
    extra_folds: int,
    basis: tuple[str, ...],
    seed: int | None,
) -> QuantumCircuit:
    rng = np.random.default_rng(seed)
    extra = set(rng.choice(counted, size=extra_folds, replace=False).tolist()) if extra_folds else set()
    folds = {position: full_folds + (position in extra) for position in counted}

    folded = circuit.copy_empty_like()
    for position, instruction in enumerate(circuit.data):
        folded.append(instruction)
        for _ in range(folds.get(position, 0)):
            _append_inverse(folded, [instruction], basis)
            folded.append(instruction)
    return folded


def _append(circuit: QuantumCircuit, instructions: list[CircuitInstruction]) -> None:
    for instruction in instructions:
        circuit.append(instruction)


def _append_inverse(circuit: QuantumCircuit, instructions: list[CircuitInstruction], basis: tuple[str, ...]) -> None:
    for instruction in reversed(instructions):
        inverse = instruction.operation.inverse()
        if inverse.name in basis or not isinstance(inverse, Gate):
            circuit.append(inverse, instruction.qubits)
            continue
        for operation, qubit_indices in _translated(inverse, basis):
            circuit.append(operation, [instruction.qubits[i] for i in qubit_indices])


def _translated(operation: Instruction, basis: tuple[str, ...]) -> list[tuple[Instruction, tuple[int, ...]]]:
    if operation.params:
        return _translate(operation, basis)
    key = (operation.name, operation.num_qubits, basis)
    if key not in _TRANSLATIONS:
        _TRANSLATIONS[key] = _translate(operation, basis)
    return _TRANSLATIONS[key]


def _translate(operation: Instruction, basis: tuple[str, ...]) -> list[tuple[Instruction, tuple[int, ...]]]:
    """Write one gate in the basis with Qiskit's BasisTranslator alone, which never cancels gates."""
    single = QuantumCircuit(operation.num_qubits)
    single.append(operation, range(operation.num_qubits))
    try:
        translated = PassManager([BasisTranslator(SessionEquivalenceLibrary, list(basis))]).run(single)
    except Exception as error:  # the translator raises TranspilerError subclasses
        raise BackendError(
            f"cannot write the inverse gate {operation.name!r} in the basis {list(basis)} for folding: {error}"
        ) from error
    return [
        (instruction.operation, tuple(translated.find_bit(qubit).index for qubit in instruction.qubits))
        for instruction in translated.data
    ]
