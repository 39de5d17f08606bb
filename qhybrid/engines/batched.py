"""A torch engine that sends a whole mini-batch, with all parameter shifts, to one executor call."""

from __future__ import annotations

import abc
import logging
from typing import Any

import numpy as np
import torch

from qhybrid.circuits import CircuitSpec
from qhybrid.engines import parameter_shift
from qhybrid.engines.base import Engine
from qhybrid.engines.conversion import ConvertedCircuit, convert

logger = logging.getLogger(__name__)


class Executor(abc.ABC):
    """Runs a converted circuit for many parameter bindings at once."""

    @abc.abstractmethod
    def run(self, bindings: np.ndarray) -> np.ndarray:
        """Evaluate <Z_i> for every binding.

        Args:
            bindings: slot angles in radians, shape (M, n_slots), in the slot order
                of :class:`ConvertedCircuit`.

        Returns:
            Expectation values, shape (M, n_qubits), float64.
        """

    def describe(self) -> dict[str, Any]:
        """Return a JSON-ready summary of how circuits are executed."""
        return {}


class BatchedEngine(Engine):
    """Engine whose forward pass and parameter-shift Jacobian come from one executor call.

    Under ``torch.no_grad()``, or when neither input requires a gradient, only the
    B unshifted bindings run. Otherwise the executor receives B * (1 + 2 S)
    bindings, S being the number of rotation slots, and the Jacobian is kept for
    the backward pass, which then costs no circuit executions.
    """

    def __init__(self, spec: CircuitSpec, shots: int | None, seed: int | None) -> None:
        super().__init__(spec, shots, seed)
        self.converted: ConvertedCircuit = convert(spec)
        self._executor: Executor | None = None

    @abc.abstractmethod
    def _make_executor(self) -> Executor:
        """Build the executor; called once, on first use and after unpickling."""

    @property
    def executor(self) -> Executor:
        """The executor, built on first use."""
        if self._executor is None:
            self._executor = self._make_executor()
        return self._executor

    def expvals(self, angles: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        needs_gradient = torch.is_grad_enabled() and (angles.requires_grad or weights.requires_grad)
        if not needs_gradient:
            values, _ = self.evaluate(angles.detach(), weights.detach(), with_gradient=False)
            return values.to(angles.dtype)
        return _BatchedExpvals.apply(angles, weights, self)

    def evaluate(
        self, angles: torch.Tensor, weights: torch.Tensor, with_gradient: bool
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Run one executor call for the batch.

        Returns:
            ``(expvals (B, n_qubits), leaf_jacobian (B, n_qubits + n_weights, n_qubits) or None)``.
        """
        batch = angles.shape[0]
        leaves = np.concatenate(
            [
                angles.cpu().numpy().astype(np.float64),
                np.broadcast_to(weights.cpu().numpy().astype(np.float64).reshape(1, -1), (batch, weights.numel())),
            ],
            axis=1,
        )
        slots = parameter_shift.slot_values(leaves, self.converted.slot_leaf)
        bindings = parameter_shift.shift_bindings(slots, with_gradient)

        results = self.executor.run(bindings)
        expvals, slot_jacobian = parameter_shift.split_results(
            results, batch, self.converted.n_slots, with_gradient
        )

        jacobian = None
        if slot_jacobian is not None:
            jacobian = torch.from_numpy(
                parameter_shift.leaf_jacobian(slot_jacobian, self.converted.slot_leaf, leaves.shape[1])
            )
        return torch.from_numpy(np.ascontiguousarray(expvals)), jacobian

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), **self.executor.describe()}

    def __getstate__(self) -> dict[str, Any]:
        # Simulators and runtime sessions do not pickle; the executor is rebuilt on use.
        state = self.__dict__.copy()
        state["_executor"] = None
        return state


class _BatchedExpvals(torch.autograd.Function):
    """Autograd bridge: the forward call also computes the Jacobian used by backward."""

    @staticmethod
    def forward(ctx: Any, angles: torch.Tensor, weights: torch.Tensor, engine: BatchedEngine) -> torch.Tensor:
        values, jacobian = engine.evaluate(angles.detach(), weights.detach(), with_gradient=True)
        n_inputs = angles.shape[1]
        assert jacobian is not None
        ctx.save_for_backward(
            jacobian[:, :n_inputs].to(angles.dtype),  # (B, n_qubits, n_out)
            jacobian[:, n_inputs:].to(weights.dtype),  # (B, n_weights, n_out)
        )
        ctx.weight_shape = weights.shape
        return values.to(angles.dtype)

    @staticmethod
    def backward(ctx: Any, grad_output: torch.Tensor) -> tuple[torch.Tensor | None, torch.Tensor | None, None]:
        input_jacobian, weight_jacobian = ctx.saved_tensors
        grad_angles = grad_weights = None
        if ctx.needs_input_grad[0]:
            grad_angles = torch.einsum("bio,bo->bi", input_jacobian, grad_output)
        if ctx.needs_input_grad[1]:
            grad_weights = torch.einsum("bwo,bo->w", weight_jacobian, grad_output).reshape(ctx.weight_shape)
        return grad_angles, grad_weights, None
