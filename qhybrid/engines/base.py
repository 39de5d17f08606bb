"""The interface between a quantum head and whatever executes its circuit."""

from __future__ import annotations

import abc
from typing import Any

import torch

from qhybrid.circuits import CircuitSpec


class Engine(abc.ABC):
    """Executes a :class:`CircuitSpec` and returns differentiable expectation values.

    An engine has no trainable parameters, so a head's ``state_dict`` is the
    same whichever engine runs it.
    """

    name: str
    """Backend name as passed to ``QuantumHead(backend=...)``."""

    def __init__(self, spec: CircuitSpec, shots: int | None, seed: int | None) -> None:
        self.spec = spec
        self.shots = shots
        self.seed = seed

    @abc.abstractmethod
    def expvals(self, angles: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """Evaluate <Z_i> for every sample.

        Args:
            angles: rotation angles in radians, shape (batch, n_qubits).
            weights: ansatz weights, shape ``spec.weight_shape``.

        Returns:
            Expectation values in [-1, 1], shape (batch, n_qubits), with the dtype
            of ``angles`` and a gradient with respect to both arguments.
        """

    def describe(self) -> dict[str, Any]:
        """Return a JSON-ready summary of how this engine runs circuits."""
        return {"backend": self.name, "shots": self.shots, "seed": self.seed}
