"""Pauli twirling of two-qubit gates with Qiskit's ``pauli_twirl_2q_gates``."""

from __future__ import annotations

from typing import Any

from qiskit import QuantumCircuit
from qiskit.circuit import pauli_twirl_2q_gates

from qhybrid.exceptions import ConfigError


def twirled_circuits(circuit: QuantumCircuit, randomizations: int, seed: int | None, target: Any = None) -> list[QuantumCircuit]:
    """Return ``randomizations`` copies of ``circuit`` with random Paulis around every CX, CZ and ECR.

    Each copy implements the same unitary; averaging their results turns the noise
    of each two-qubit gate into a Pauli channel (Wallman and Emerson, arXiv:1512.01098).

    Args:
        circuit: transpiled unitary circuit, possibly with unbound parameters.
        randomizations: number of copies, >= 1.
        seed: seeds the Pauli choice; the same seed gives the same copies.
        target: transpiler target; when given, the inserted Paulis are merged into
            the neighbouring single-qubit gates in the target's basis, as hardware
            runs them. Without it they stay as separate X, Y, Z and I gates.

    Raises:
        ConfigError: if ``randomizations`` is not a positive integer.
    """
    if isinstance(randomizations, bool) or not isinstance(randomizations, int) or randomizations < 1:
        raise ConfigError(f"randomizations must be a positive integer, got {randomizations!r}.")
    return list(pauli_twirl_2q_gates(circuit, seed=seed, num_twirls=randomizations, target=target))
