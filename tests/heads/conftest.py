"""Shared sizes and builders for the head tests.

Every quantum test uses 2 qubits and 1 layer so that qiskit.aer, which runs
through pennylane-qiskit and a Qiskit transpilation per circuit, stays fast.
"""

from __future__ import annotations

import pytest
import torch

from qhybrid.heads import QuantumHead

PENNYLANE_BACKENDS = ("default.qubit", "lightning.qubit", "qiskit.aer")
"""Backends that run the circuit through a PennyLane device."""

EXACT_BACKENDS = ("default.qubit", "lightning.qubit")
"""Backends that simulate the state vector in-process."""

IN_FEATURES = 3
N_CLASSES = 2
N_QUBITS = 2
N_LAYERS = 1
BATCH = 2


def make_head(backend: str, seed: int = 0, **kwargs) -> QuantumHead:
    """Return a small QuantumHead on ``backend``."""
    return QuantumHead(IN_FEATURES, N_CLASSES, n_qubits=N_QUBITS, n_layers=N_LAYERS, backend=backend, seed=seed, **kwargs)


def make_features(batch: int = BATCH, seed: int = 0, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """Return seeded standard-normal features of shape (batch, IN_FEATURES)."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(batch, IN_FEATURES, generator=generator, dtype=dtype)


@pytest.fixture(autouse=True)
def single_torch_thread():
    """Run each test with one torch intra-op thread, then restore the previous count.

    On the 2-core test machine, with other processes busy, a lightning.qubit forward
    pass of this head took about 0.2 s with torch's default 2 threads and 3 ms with
    one. The likely cause is torch's OpenMP pool and the one bundled with
    pennylane-lightning waiting on each other for the same cores.
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
