"""Small circuits and inputs shared by the noise tests."""

from __future__ import annotations

import pytest
import torch

from qhybrid.circuits import CircuitSpec

SPEC = CircuitSpec(n_qubits=2, n_layers=1)
"""2 qubits and 1 layer keep every density-matrix run in milliseconds."""


@pytest.fixture
def angles() -> torch.Tensor:
    """Seeded angles, shape (3, 2), float64."""
    generator = torch.Generator().manual_seed(0)
    return (torch.rand(3, SPEC.n_qubits, generator=generator, dtype=torch.float64) - 0.5) * 3.0


@pytest.fixture
def weights() -> torch.Tensor:
    """Seeded ansatz weights, shape SPEC.weight_shape, float64."""
    generator = torch.Generator().manual_seed(1)
    return torch.rand(SPEC.weight_shape, generator=generator, dtype=torch.float64) * 6.0
