"""Turn the ``noise`` option of an engine into a noise model and the target to transpile for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from qiskit_aer.noise import NoiseModel

from qhybrid.exceptions import BackendError, ConfigError
from qhybrid.noise.backends import fake_backend
from qhybrid.noise.spec import SPEC_BASIS_GATES, NoiseSpec

NoiseOption = str | NoiseSpec | NoiseModel | Mapping[str, Any] | None
"""Type of the ``noise`` option: a fake backend name, a spec or its table, a NoiseModel, or None."""

_CONTROL_FLOW = {"for_loop", "if_else", "switch_case", "while_loop", "measure", "reset", "delay", "barrier"}


@dataclass(frozen=True)
class ResolvedNoise:
    """A noise model with everything needed to transpile and run circuits under it."""

    noise_model: NoiseModel
    """Aer noise model applied during simulation."""

    target_backend: Any
    """Fake backend whose target (coupling map, basis gates, durations) circuits are
    transpiled to, or None to transpile to ``basis_gates`` on all-to-all connectivity."""

    basis_gates: tuple[str, ...]
    """Unitary gates the transpiled circuit may contain, so that every gate meets the noise model."""

    label: str
    """Short description for logs and result files, e.g. ``"fake_manila"``."""

    @property
    def noisy_gates(self) -> frozenset[str]:
        """Names of the gates that carry an error in the noise model."""
        return frozenset(self.noise_model.noise_instructions) - _CONTROL_FLOW

    def describe(self) -> dict[str, Any]:
        """Return a JSON-ready summary."""
        return {"noise": self.label, "basis_gates": list(self.basis_gates), "noisy_gates": sorted(self.noisy_gates)}


def resolve_noise(noise: NoiseOption) -> ResolvedNoise | None:
    """Resolve a noise option into a noise model, a transpilation target and basis gates.

    Args:
        noise: a fake IBM backend name (``"fake_manila"``: its noise model from
            ``NoiseModel.from_backend``, coupling map and basis gates), a
            :class:`NoiseSpec` or its dict form, a Qiskit Aer ``NoiseModel``
            (circuits are transpiled to its ``basis_gates``), or None for no noise.

    Returns:
        The resolved noise, or None when ``noise`` is None.

    Raises:
        BackendError: if a backend name is unknown.
        ConfigError: if a spec is invalid or ``noise`` has an unsupported type.
    """
    if noise is None:
        return None
    if isinstance(noise, str):
        backend = fake_backend(noise)
        basis = tuple(sorted(gate for gate in backend.operation_names if gate not in _CONTROL_FLOW))
        return ResolvedNoise(NoiseModel.from_backend(backend), backend, basis, noise)
    if isinstance(noise, Mapping):
        noise = NoiseSpec.from_dict(noise)
    if isinstance(noise, NoiseSpec):
        return ResolvedNoise(noise.to_noise_model(), None, SPEC_BASIS_GATES, f"NoiseSpec({noise.to_dict()})")
    if isinstance(noise, NoiseModel):
        basis = tuple(gate for gate in noise.basis_gates if gate not in _CONTROL_FLOW)
        return ResolvedNoise(noise, None, basis, "custom NoiseModel")
    raise ConfigError(
        f"noise must be a fake backend name such as 'fake_manila', a NoiseSpec or its dict, "
        f"a qiskit_aer NoiseModel, or None; got {type(noise).__name__}: {noise!r}."
    )


def readout_error_rates(noise_model: NoiseModel, physical_qubits: Sequence[int]) -> np.ndarray:
    """Return each qubit's readout error probabilities in the noise model.

    Args:
        noise_model: the Aer noise model.
        physical_qubits: qubits in the order of the result columns.

    Returns:
        Array (n_qubits, 2): column 0 is P(read 1 | prepared 0), column 1 is
        P(read 0 | prepared 1). Qubits without a readout error get zeros.

    Raises:
        BackendError: if the model has a readout error that correlates several qubits.
    """
    local: dict[int, np.ndarray] = {}
    default = np.zeros(2)
    for error in noise_model.to_dict()["errors"]:
        if error["type"] != "roerror":
            continue
        matrix = np.asarray(error["probabilities"], dtype=np.float64)
        if matrix.shape != (2, 2):
            raise BackendError(
                f"readout error over several qubits (matrix shape {matrix.shape}) cannot be applied "
                "to exact expectation values; run with shots instead."
            )
        rates = np.array([matrix[0, 1], matrix[1, 0]])
        if "gate_qubits" in error:
            for (qubit,) in error["gate_qubits"]:
                local[int(qubit)] = rates
        else:
            default = rates
    return np.array([local.get(int(qubit), default) for qubit in physical_qubits]).reshape(len(physical_qubits), 2)


def apply_readout_errors(expvals: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """Apply independent per-qubit readout errors to <Z_i> values.

    With e0 = P(1|0) and e1 = P(0|1) on qubit i, the measured value is
    ``(1 - e0 - e1) <Z_i> + (e1 - e0)``, an affine map, because the marginal of
    qubit i depends only on its own readout error.

    Args:
        expvals: ideal-readout <Z_i> values, shape (M, n_qubits).
        rates: output of :func:`readout_error_rates`, shape (n_qubits, 2).

    Returns:
        Values as a noisy measurement would estimate them, shape (M, n_qubits).
    """
    p_flip_0, p_flip_1 = rates[:, 0], rates[:, 1]
    return (1.0 - p_flip_0 - p_flip_1) * expvals + (p_flip_1 - p_flip_0)
