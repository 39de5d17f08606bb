"""Turn saved probabilities or measured counts into per-qubit <Z> values."""

from __future__ import annotations

from functools import lru_cache

import numpy as np


@lru_cache(maxsize=16)
def z_signs(n_qubits: int) -> np.ndarray:
    """Return the eigenvalue of Z_i on each basis state, shape (2**n_qubits, n_qubits).

    Bit i of the outcome index is qubit i (Qiskit's little-endian order).
    """
    outcomes = np.arange(2**n_qubits)[:, None]
    bits = (outcomes >> np.arange(n_qubits)[None, :]) & 1
    return (1 - 2 * bits).astype(np.float64)


def expvals_from_probabilities(probabilities: np.ndarray, n_qubits: int) -> np.ndarray:
    """Map probabilities (M, 2**n_qubits) to <Z_i> values (M, n_qubits)."""
    return probabilities @ z_signs(n_qubits)


def expvals_from_counts(counts: list[dict[str, int]], n_qubits: int) -> np.ndarray:
    """Map Qiskit counts, one dict per experiment, to <Z_i> values (M, n_qubits).

    Count keys are bitstrings with classical bit 0 rightmost; classical bit i is the result of qubit i.
    """
    signs = z_signs(n_qubits)
    values = np.empty((len(counts), n_qubits))
    for row, experiment_counts in enumerate(counts):
        outcomes = np.fromiter((int(key.replace(" ", ""), 2) for key in experiment_counts), dtype=np.int64)
        frequencies = np.fromiter(experiment_counts.values(), dtype=np.float64)
        values[row] = frequencies @ signs[outcomes] / frequencies.sum()
    return values
