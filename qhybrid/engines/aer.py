"""Qiskit Aer engine: one Aer call per mini-batch, forward and parameter shifts together."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from qiskit_aer import AerSimulator
from qiskit_aer.noise import NoiseModel

from qhybrid.circuits import CircuitSpec
from qhybrid.engines.batched import BatchedEngine, Executor
from qhybrid.engines.conversion import ConvertedCircuit
from qhybrid.engines.readout import expvals_from_probabilities
from qhybrid.engines.transpiled import TranspiledCircuit, circuit_parameter_binds, transpile_once
from qhybrid.exceptions import BackendError, ConfigError

logger = logging.getLogger(__name__)

AER_METHODS = ("automatic", "statevector", "density_matrix")

# Aer's runtime parameter binding keeps one state per binding in memory at once, so
# bindings are split into chunks of at most this many bytes of state.
STATE_MEMORY_LIMIT_BYTES = 512 * 2**20

DENSITY_MATRIX_MAX_QUBITS = 10
"""With a noise model and shots, ``method="automatic"`` simulates circuits on at most
this many qubits as density matrices and samples every shot from the final state,
because a state vector runs one noise trajectory per shot. On a 2-core x86-64 CPU
with qiskit-aer 0.17.2, 30 bindings of a 4-qubit, 2-layer circuit on fake_manila
(5 qubits after routing) with 8,192 shots took 97 s as state vectors and 1.8 s as
density matrices. A 10-qubit density matrix takes 16 MiB."""


class AerExecutor(Executor):
    """Run bindings on ``AerSimulator`` in a single ``run`` call.

    Measured on a 2-core x86-64 CPU with qiskit-aer 0.17.2 (4 qubits, 2 layers,
    14,592 bindings): ``AerSimulator.run`` with ``parameter_binds`` took 7.1 s
    per call by default, 1.7 s with ``runtime_parameter_bind_enable=True`` and
    ``fusion_enable=False``, and Aer's ``EstimatorV2`` took 14.3 s. Expectation
    values come from saved probabilities (exact) or counts (shots), one save
    instruction per circuit instead of one per observable.

    With noise, the circuit is transpiled to the noise's target or basis gates so
    that every gate meets the noise model. Saved probabilities ignore readout
    errors, so exact runs apply the noise model's per-qubit readout errors to the
    expectation values afterwards (:func:`qhybrid.noise.apply_readout_errors`).
    With mitigation, every circuit variant (scale factors, twirling
    randomizations) runs for every binding in the same ``run`` call.

    Args:
        spec: circuit structure; the transpiled circuit is cached per structure and target.
        converted: the Qiskit form of ``spec``.
        method: ``"statevector"``, ``"density_matrix"`` or ``"automatic"`` (density
            matrix when a noise model is set and ``shots`` is None or the circuit
            uses at most :data:`DENSITY_MATRIX_MAX_QUBITS` qubits).
        shots: shots per binding; None gives exact values.
        seed: seeds the shot sampling of every call, in order, from one stream, and
            the mitigation's randomness.
        noise_model: Aer noise model applied during simulation; ignored when ``noise`` is given.
        target_backend: backend whose target the circuit is transpiled to (e.g.
            a fake IBM backend); None transpiles for the plain simulator.
        noise: resolved noise (:func:`qhybrid.noise.resolve_noise`); it sets the noise
            model, the target and the basis gates.
        mitigation: error mitigation (:class:`qhybrid.mitigation.Mitigation`), or None.
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
        noise: Any = None,
        mitigation: Any = None,
    ) -> None:
        from qhybrid.noise import resolve_noise

        if noise is None and noise_model is not None:
            noise = resolve_noise(noise_model)
        if noise is not None and target_backend is None:
            target_backend = noise.target_backend
        if method not in AER_METHODS:
            raise BackendError(f"Unknown Aer method {method!r}; choose one of {list(AER_METHODS)}.")

        self.shots = shots
        self.noise = noise
        self.noise_model = None if noise is None else noise.noise_model
        self.target_backend = target_backend
        self._seeds = np.random.default_rng(seed)
        basis = None if noise is None or target_backend is not None else noise.basis_gates
        self.transpiled: TranspiledCircuit = transpile_once(
            spec, converted, target_backend=target_backend, measure=shots is not None, basis_gates=basis
        )
        self._readout_rates = self._exact_readout_rates()
        self.pipeline = self._make_pipeline(mitigation, seed)

        self.simulated_qubits = max(_used_qubit_count(circuit) for circuit in self.circuits)
        self.method = _resolve_method(method, self.noise_model, shots, self.simulated_qubits)
        self.simulator = AerSimulator(
            method=self.method,
            noise_model=self.noise_model,
            runtime_parameter_bind_enable=True,
            fusion_enable=False,
        )

    def _exact_readout_rates(self) -> np.ndarray | None:
        if self.shots is not None or self.noise_model is None:
            return None
        from qhybrid.noise import readout_error_rates

        rates = readout_error_rates(self.noise_model, self.transpiled.physical_qubits)
        return rates if rates.any() else None

    def _make_pipeline(self, mitigation: Any, seed: int | None) -> Any:
        if mitigation is None:
            return None
        from qhybrid.mitigation.pipeline import MitigationPipeline

        return MitigationPipeline(self.transpiled, mitigation, self.noise, self.shots, seed)

    @property
    def circuits(self) -> list[Any]:
        """Circuits run for every binding: the transpiled circuit, or the mitigation's variants."""
        return [self.transpiled.circuit] if self.pipeline is None else self.pipeline.circuits

    def run(self, bindings: np.ndarray) -> np.ndarray:
        circuits = self.circuits
        chunks = np.array_split(bindings, max(1, -(-len(bindings) // self._chunk_size())))
        experiments = [circuit for circuit in circuits for _ in chunks]
        parameter_binds = [circuit_parameter_binds(circuit, chunk) for circuit in circuits for chunk in chunks]

        run_options: dict[str, Any] = {"parameter_binds": parameter_binds}
        if self.shots is not None:
            run_options["shots"] = self.shots if self.pipeline is None else self.pipeline.shots_per_circuit
            run_options["seed_simulator"] = int(self._seeds.integers(2**31 - 1))
        result = self.simulator.run(experiments, **run_options).result()
        if not result.success:
            raise BackendError(f"Aer simulation failed: {result.status}")

        values = self._expvals(result, len(bindings))  # (n_circuits * M, n_qubits)
        if self.pipeline is None:
            return values
        return self.pipeline.reduce(values.reshape(len(circuits), len(bindings), -1))

    def _expvals(self, result: Any, n_bindings: int) -> np.ndarray:
        n_qubits = self.transpiled.n_qubits
        if self.shots is None:
            probabilities = np.concatenate([np.atleast_2d(experiment.data.probs) for experiment in result.results])
            values = expvals_from_probabilities(probabilities, n_qubits)
            if self._readout_rates is not None:
                from qhybrid.noise import apply_readout_errors

                values = apply_readout_errors(values, self._readout_rates)
            return values
        counts = [result.get_counts(i) for i in range(len(result.results))]
        counts = [row for experiment in counts for row in (experiment if isinstance(experiment, list) else [experiment])]
        if self.pipeline is not None:
            return self.pipeline.expvals_from_counts(counts)
        from qhybrid.engines.readout import expvals_from_counts

        return expvals_from_counts(counts, n_qubits)

    def _chunk_size(self) -> int:
        n_qubits = self.simulated_qubits
        state_bytes = 16 * (4**n_qubits if self.method == "density_matrix" else 2**n_qubits)
        return max(1, STATE_MEMORY_LIMIT_BYTES // state_bytes)

    def describe(self) -> dict[str, Any]:
        description = {
            "method": self.method,
            "target": self.transpiled.target_name,
            "noise": None if self.noise is None else self.noise.label,
            "transpiled_depth": self.transpiled.circuit.depth(),
            "transpiled_two_qubit_gates": self.transpiled.two_qubit_gate_count(),
        }
        if self.pipeline is not None:
            description.update(self.pipeline.describe())
        return description


def _resolve_method(method: str, noise_model: NoiseModel | None, shots: int | None, n_qubits: int) -> str:
    if method == "automatic":
        small = shots is None or n_qubits <= DENSITY_MATRIX_MAX_QUBITS
        method = "density_matrix" if noise_model is not None and small else "statevector"
    if method == "statevector" and noise_model is not None and shots is None:
        raise BackendError(
            "A noise model with shots=None needs method='density_matrix': a statevector "
            "simulation would sample one noise trajectory and call it exact."
        )
    return method


class AerEngine(BatchedEngine):
    """``QuantumHead(backend="aer")``: batched parameter-shift execution on Qiskit Aer.

    Args:
        spec: circuit structure.
        shots: shots per circuit; None gives exact values.
        seed: seeds the shot sampling and the mitigation's randomness.
        method: Aer simulation method, see :class:`AerExecutor`.
        noise_model: an Aer ``NoiseModel``; prefer ``noise``, which also accepts one.
        target_backend: a backend object whose target the circuit is transpiled to.
        noise: a fake IBM backend name such as ``"fake_manila"``, a
            :class:`qhybrid.noise.NoiseSpec` or its dict, a Qiskit ``NoiseModel``, or None.
        mitigation: a :class:`qhybrid.mitigation.Mitigation` or its dict, or None.

    Raises:
        BackendError: for an unknown method or fake backend name.
        ConfigError: for an invalid noise spec or mitigation, or for both ``noise``
            and ``noise_model``.
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
        noise: Any = None,
        mitigation: Any = None,
    ) -> None:
        from qhybrid.mitigation import Mitigation
        from qhybrid.noise import resolve_noise

        super().__init__(spec, shots, seed)
        if method not in AER_METHODS:
            raise BackendError(f"Unknown Aer method {method!r}; choose one of {list(AER_METHODS)}.")
        if noise is not None and noise_model is not None:
            raise ConfigError("pass either noise or noise_model, not both; noise also accepts a NoiseModel.")
        if isinstance(mitigation, dict):
            mitigation = Mitigation.from_dict(mitigation)
        if mitigation is not None and not isinstance(mitigation, Mitigation):
            raise ConfigError(f"mitigation must be a Mitigation, its dict, or None; got {mitigation!r}.")

        self.method = method
        self.noise = noise
        self.noise_model = noise_model
        self.target_backend = target_backend
        self.mitigation = mitigation if mitigation is not None and mitigation.active else None
        # Resolve now so that a bad name or spec fails when the head is built, not on first use.
        self._resolved_noise = resolve_noise(noise if noise is not None else noise_model)

    def _make_executor(self) -> Executor:
        if self._resolved_noise is None and (self.noise is not None or self.noise_model is not None):
            from qhybrid.noise import resolve_noise

            self._resolved_noise = resolve_noise(self.noise if self.noise is not None else self.noise_model)
        return AerExecutor(
            self.spec,
            self.converted,
            method=self.method,
            shots=self.shots,
            seed=self.seed,
            target_backend=self.target_backend,
            noise=self._resolved_noise,
            mitigation=self.mitigation,
        )

    def __getstate__(self) -> dict[str, Any]:
        # The resolved noise contains a fake backend object, so it is rebuilt from ``noise`` on use.
        state = super().__getstate__()
        state["_resolved_noise"] = None
        return state


def _used_qubit_count(circuit: Any) -> int:
    """Count the qubits some instruction acts on; Aer simulates only those."""
    return len({circuit.find_bit(qubit).index for instruction in circuit.data for qubit in instruction.qubits})
