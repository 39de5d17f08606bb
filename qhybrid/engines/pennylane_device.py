"""Run the circuit as a PennyLane QNode on a named PennyLane device."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

import pennylane as qml
import torch

from qhybrid.circuits import CircuitSpec
from qhybrid.engines.base import Engine
from qhybrid.exceptions import BackendError

logger = logging.getLogger(__name__)

EXACT_DIFF_METHODS: dict[str, str] = {
    "default.qubit": "backprop",
    "lightning.qubit": "adjoint",
    "qiskit.aer": "parameter-shift",
}
"""Default differentiation method per device when ``shots`` is None."""

SUPPORTED_DIFF_METHODS: dict[str, tuple[str, ...]] = {
    "default.qubit": ("backprop", "adjoint", "parameter-shift", "finite-diff"),
    "lightning.qubit": ("adjoint", "parameter-shift", "finite-diff"),
    "qiskit.aer": ("parameter-shift", "finite-diff"),
}
"""Differentiation methods each device supports in PennyLane 0.45."""

SAMPLING_DIFF_METHOD = "parameter-shift"
"""Default differentiation method when ``shots`` is set: backprop and adjoint need a state vector."""


class PennyLaneEngine(Engine):
    """Execute the circuit on ``default.qubit``, ``lightning.qubit`` or ``qiskit.aer``.

    ``shots=None`` gives exact expectation values on every device. For
    ``qiskit.aer`` that needs the statevector method, because pennylane-qiskit
    0.45 otherwise samples 1024 shots even when no shots are requested.
    """

    def __init__(
        self,
        spec: CircuitSpec,
        device_name: str,
        shots: int | None = None,
        seed: int | None = None,
        diff_method: str | None = None,
    ) -> None:
        super().__init__(spec, shots, seed)
        if device_name not in EXACT_DIFF_METHODS:
            raise BackendError(
                f"Unknown PennyLane device {device_name!r}; choose one of {sorted(EXACT_DIFF_METHODS)}."
            )
        self.name = device_name
        self.diff_method = diff_method or (
            EXACT_DIFF_METHODS[device_name] if shots is None else SAMPLING_DIFF_METHOD
        )
        if self.diff_method not in SUPPORTED_DIFF_METHODS[device_name]:
            raise BackendError(
                f"diff_method={self.diff_method!r} is not supported on {device_name!r}; "
                f"choose one of {list(SUPPORTED_DIFF_METHODS[device_name])} or None for the default."
            )
        if shots is not None and self.diff_method in ("backprop", "adjoint"):
            raise BackendError(
                f"diff_method={self.diff_method!r} needs exact simulation, but shots={shots}; "
                "use diff_method='parameter-shift' or shots=None."
            )
        self._qnode: Any = None

    def _device_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"wires": self.spec.n_qubits}
        if self.name == "qiskit.aer":
            if self.shots is None:
                kwargs["method"] = "statevector"
            if self.seed is not None:
                kwargs["seed_simulator"] = self.seed
        elif self.seed is not None:
            kwargs["seed"] = self.seed
        return kwargs

    def _build_qnode(self) -> Any:
        device = qml.device(self.name, **self._device_kwargs())
        logger.debug("Built %s QNode with diff_method=%s", self.name, self.diff_method)
        # Shots go to the QNode: PennyLane 0.45 deprecates shots on the device.
        return qml.QNode(
            self.spec.circuit, device, interface="torch", diff_method=self.diff_method, shots=self.shots
        )

    def expvals(self, angles: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        if self._qnode is None:
            self._qnode = self._build_qnode()

        # PennyLane 0.45 raises NotImplementedError when the parameter-shift rule
        # differentiates broadcast (batched) parameters, so such batches run one
        # sample at a time. Backprop and adjoint broadcast fine.
        needs_loop = self.diff_method == "parameter-shift" and angles.requires_grad
        with _default_dtype(angles.dtype):
            if needs_loop:
                rows = [torch.stack(self._qnode(row, weights), dim=-1) for row in angles]
                values = torch.stack(rows, dim=0)
            else:
                values = torch.stack(self._qnode(angles, weights), dim=-1)
                if values.dim() == 1:  # a batch of one is not broadcast by PennyLane
                    values = values.unsqueeze(0)
        return values.to(angles.dtype)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "diff_method": self.diff_method}

    def __getstate__(self) -> dict[str, Any]:
        # QNodes and devices do not pickle; the QNode is rebuilt on first use.
        state = self.__dict__.copy()
        state["_qnode"] = None
        return state


@contextlib.contextmanager
def _default_dtype(dtype: torch.dtype) -> Iterator[None]:
    """Make float64 the torch default dtype while float64 angles run, then restore it.

    lightning.qubit 0.45 returns each expectation value as a Python float, and
    PennyLane's torch interface turns a Python float into a tensor of the default
    dtype, usually float32. Without this, ``head.double()`` on lightning.qubit
    would compute outputs to float32 precision only (errors of about 1e-8).
    """
    previous = torch.get_default_dtype()
    if dtype != torch.float64 or previous == torch.float64:
        yield
        return
    # NOTE: the default dtype is process-wide, so another thread that creates
    # tensors during a float64 circuit run gets float64 ones.
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)
