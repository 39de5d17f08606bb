"""Qiskit Aer engine: one Aer call per mini-batch, forward and parameter shifts together."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from qiskit import QuantumCircuit, transpile
from qiskit_aer import AerSimulator
from qiskit_aer.noise import NoiseModel

from qhybrid.circuits import CircuitSpec
from qhybrid.engines.batched import BatchedEngine, Executor
from qhybrid.engines.conversion import ConvertedCircuit
from qhybrid.engines.readout import expvals_from_counts, expvals_from_probabilities
from qhybrid.engines.transpiled import TranspiledCircuit, transpile_once
from qhybrid.exceptions import BackendError

logger = logging.getLogger(__name__)

AER_METHODS = ("automatic", "statevector", "density_matrix")

# Aer's runtime parameter binding keeps one state per binding in memory at once, so
# bindings are split into chunks of at most this many bytes of state.
STATE_MEMORY_LIMIT_BYTES = 512 * 2**20


class AerExecutor(Executor):
    """Run bindings on ``AerSimulator`` in a single ``run`` call.

    Measured on a 2-core x86-64 CPU with qiskit-aer 0.17.2 (4 qubits, 2 layers,
    14,592 bindings): ``AerSimulator.run`` with ``parameter_binds`` took 7.1 s
    per call by default, 1.7 s with ``runtime_parameter_bind_enable=True`` and
    ``fusion_enable=False``, and Aer's ``EstimatorV2`` took 14.3 s. Expectation
    values come from saved probabilities (exact) or counts (shots), one save
    instruction per circuit instead of one per observable.

    Args:
        spec: circuit structure; the transpiled circuit is cached per structure and target.
        converted: the Qiskit form of ``spec``.
        method: ``"statevector"``, ``"density_matrix"`` or ``"automatic"``
            (density matrix when a noise model is set and ``shots`` is None).
        shots: shots per binding; None gives exact values.
        seed: seeds the shot sampling of every call, in order, from one stream.
        noise_model: Aer noise model applied during simulation.
        target_backend: backend whose target the circuit is transpiled to (e.g.
            a fake IBM backend); None transpiles for the plain simulator.
    """

    def __init__(
        self,
        spec: CircuitSpec,
        converted: ConvertedCircuit,
        method: str = "automatic",
        shots: int | None = None,
        seed: int | None = None,
        noise_model: NoiseModel | None = None,
        target_backend: Any = None,
    ) -> None:
        if method not in AER_METHODS:
            raise BackendError(f"Unknown Aer method {method!r}; choose one of {list(AER_METHODS)}.")
        if method == "automatic":
            method = "density_matrix" if noise_model is not None and shots is None else "statevector"
        if method == "statevector" and noise_model is not None and shots is None:
            raise BackendError(
                "A noise model with shots=None needs method='density_matrix': a statevector "
                "simulation would sample one noise trajectory and call it exact."
            )

        self.method = method
        self.shots = shots
        self.noise_model = noise_model
        self.target_backend = target_backend
        self._seeds = np.random.default_rng(seed)
        self.simulator = AerSimulator(
            method=method,
            noise_model=noise_model,
            runtime_parameter_bind_enable=True,
            fusion_enable=False,
        )
        self.transpiled: TranspiledCircuit = transpile_once(
            spec, converted, target_backend=target_backend, measure=shots is not None
        )

    def run(self, bindings: np.ndarray) -> np.ndarray:
        circuit = self.transpiled.circuit
        chunks = np.array_split(bindings, max(1, -(-len(bindings) // self._chunk_size())))
        parameter_binds = [self.transpiled.parameter_binds(chunk) for chunk in chunks]

        run_options: dict[str, Any] = {"parameter_binds": parameter_binds}
        if self.shots is not None:
            run_options["shots"] = self.shots
            run_options["seed_simulator"] = int(self._seeds.integers(2**31 - 1))
        result = self.simulator.run([circuit] * len(chunks), **run_options).result()
        if not result.success:
            raise BackendError(f"Aer simulation failed: {result.status}")

        n_qubits = self.transpiled.n_qubits
        if self.shots is None:
            probabilities = np.array([experiment.data.probs for experiment in result.results])
            return expvals_from_probabilities(probabilities, n_qubits)
        counts = [result.get_counts(i) for i in range(len(result.results))]
        return expvals_from_counts(counts, n_qubits)

    def _chunk_size(self) -> int:
        n_qubits = self.transpiled.n_qubits
        state_bytes = 16 * (4**n_qubits if self.method == "density_matrix" else 2**n_qubits)
        return max(1, STATE_MEMORY_LIMIT_BYTES // state_bytes)

    def describe(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "target": self.transpiled.target_name,
            "noise_model": None if self.noise_model is None else "custom" ,
            "transpiled_depth": self.transpiled.circuit.depth(),
            "transpiled_two_qubit_gates": self.transpiled.two_qubit_gate_count(),
        }


class AerEngine(BatchedEngine):
    """``QuantumHead(backend="aer")``: batched parameter-shift execution on Qiskit Aer.

    Args:
        spec: circuit structure.
        shots: shots per circuit; None gives exact values.
        seed: seeds the shot sampling.
        method: Aer simulation method, see :class:`AerExecutor`.
        noise_model: an Aer ``NoiseModel``.
        target_backend: a backend object whose target the circuit is transpiled to.
    """

    name = "aer"

    def __init__(
        self,
        spec: CircuitSpec,
        shots: int | None = None,
        seed: int | None = None,
        method: str = "automatic",
        noise_model: NoiseModel | None = None,
        target_backend: Any = None,
    ) -> None:
        super().__init__(spec, shots, seed)
        if method not in AER_METHODS:
            raise BackendError(f"Unknown Aer method {method!r}; choose one of {list(AER_METHODS)}.")
        self.method = method
        self.noise_model = noise_model
        self.target_backend = target_backend

    def _make_executor(self) -> Executor:
        return AerExecutor(
            self.spec,
            self.converted,
            method=self.method,
            shots=self.shots,
            seed=self.seed,
            noise_model=self.noise_model,
            target_backend=self.target_backend,
        )
