"""IBM Quantum engine: batched Estimator jobs on a QPU, or on a fake backend in local testing mode.

``QuantumHead(..., backend="ibm", shots=4096, backend_options={"ibm_backend": "fake_manila"})``
runs the head's circuit through qiskit-ibm-runtime's ``EstimatorV2``. Binding
and parameter-shift code are shared with the Aer engine (:class:`BatchedEngine`):
a forward pass sends B bindings, a training step B * (1 + 2 S). The circuit is
transpiled once to the backend's ISA, and the bindings are packed into as few
jobs as the backend's limits allow (:mod:`qhybrid.ibm.limits`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np

from qhybrid.circuits import CircuitSpec
from qhybrid.engines.batched import BatchedEngine, Executor
from qhybrid.engines.conversion import ConvertedCircuit
from qhybrid.exceptions import BackendError
from qhybrid.ibm.backends import ResolvedBackend, is_local_name, resolve_backend
from qhybrid.ibm.cost import QPUEstimate, circuit_duration_seconds, estimate_qpu_seconds, rep_delay_seconds
from qhybrid.ibm.estimator import EXECUTION_MODES, EstimatorRunner, JobResult
from qhybrid.ibm.isa import ISAProgram, build_isa_program
from qhybrid.ibm.limits import JobLimits, plan_jobs, read_job_limits
from qhybrid.ibm.options import MitigationPlan, coerce_mitigation, plan_mitigation
from qhybrid.ibm.readout import calibrate_readout
from qhybrid.mitigation import Extrapolator
from qhybrid.mitigation.readout import ReadoutCalibration
from qhybrid.ibm.retry import RetryPolicy
from qhybrid.ibm.runtime import import_runtime

logger = logging.getLogger(__name__)

IBM_OPTIONS = (
    "ibm_backend",
    "mode",
    "mitigation",
    "optimization_level",
    "max_circuits_per_job",
    "channel",
    "account_file",
    "retry",
    "offline",
)
"""Keys of ``backend_options`` that ``backend="ibm"`` accepts."""


class IBMExecutor(Executor):
    """Runs bindings as Estimator jobs on one IBM backend.

    Building the executor resolves the backend, transpiles the circuit once and
    plans the mitigation. For a QPU it reads the credentials first and only then
    connects. No job is sent until :meth:`run` or :meth:`run_job`.

    Args:
        converted: the Qiskit form of the head's circuit.
        ibm_backend: a backend name (``"fake_manila"``, ``"ibm_brisbane"``) or a ``BackendV2`` object.
        shots: shots per binding.
        seed: seeds the transpiler's layout, the twirling randomizations and the
            local simulator (or the runtime's ``seed_estimator``).
        mode: ``"job"``, ``"batch"`` or ``"session"``.
        mitigation: a ``qhybrid.mitigation.Mitigation``, or None.
        optimization_level: preset pass-manager level, 0 to 3.
        max_circuits_per_job: lower circuit count per job than the backend allows, or None.
        channel: IBM Quantum channel; None reads ``QISKIT_IBM_CHANNEL`` or the saved account.
        account_file: saved-account file; None reads ``~/.qiskit/qiskit-ibm.json``.
        retry: retry policy for transient failures.
        offline: never contact IBM; a QPU name resolves to its fake snapshot, and
            only planning and estimates work (for dry runs).

    Raises:
        BackendError: for an unknown backend, a circuit larger than the backend, or
            an option this backend cannot apply.
        CredentialsError: for a QPU without credentials, before any network call.
    """

    def __init__(
        self,
        converted: ConvertedCircuit,
        ibm_backend: str | Any,
        shots: int,
        seed: int | None = None,
        mode: str = "job",
        mitigation: Any = None,
        optimization_level: int = 1,
        max_circuits_per_job: int | None = None,
        channel: str | None = None,
        account_file: str | None = None,
        retry: RetryPolicy | None = None,
        offline: bool = False,
    ) -> None:
        self.shots = shots
        self.resolved: ResolvedBackend = resolve_backend(
            ibm_backend, offline=offline, channel=channel, account_file=account_file
        )
        backend = self.resolved.backend
        self.plan: MitigationPlan = plan_mitigation(mitigation, shots, seed, local=self.resolved.testing_mode)
        self.program: ISAProgram = build_isa_program(
            converted,
            backend,
            optimization_level=optimization_level,
            seed_transpiler=0 if seed is None else seed,
            client=self.plan.client_steps,
        )
        self.extrapolator = _extrapolator(self.plan, self.program)
        self.limits: JobLimits = read_job_limits(backend, max_circuits_per_job)
        self.shots_per_circuit = self.program.shots_per_circuit(shots)
        self.bindings_per_job = self.limits.samples_per_job(self.program.circuits_per_binding, self.shots_per_circuit)

        options = {**self.plan.runtime_options, "default_shots": self.shots_per_circuit}
        self.runner = EstimatorRunner(self.resolved, mode, options, retry or RetryPolicy(), seed=seed)
        self.calibration: ReadoutCalibration | None = None

    @property
    def backend_name(self) -> str:
        """Name of the backend the jobs go to."""
        return self.resolved.name

    def plan_jobs(self, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Split binding ranges ``[(start, stop), ...]`` into the ranges that each job covers."""
        return plan_jobs(ranges, self.bindings_per_job)

    def run(self, bindings: np.ndarray) -> np.ndarray:
        jobs = self.plan_jobs([(0, len(bindings))])
        logger.info("Sending %d bindings to %s in %d jobs", len(bindings), self.backend_name, len(jobs))
        raw = [self.run_job(bindings[start:stop], (start, stop)).expvals for start, stop in jobs]
        return self.mitigate(np.concatenate(raw, axis=1))

    def run_job(
        self,
        bindings: np.ndarray,
        samples: tuple[int, int],
        on_submitted: Callable[[str], None] | None = None,
    ) -> JobResult:
        """Submit one job of ``bindings`` (M, n_slots) and wait for its raw expectation values.

        Args:
            bindings: slot angles in radians, at most ``bindings_per_job`` rows.
            samples: ``(start, stop)`` that the rows cover, for messages and the journal.
            on_submitted: called with the job id as soon as the job is submitted.

        Raises:
            BackendError: if the backend is an offline snapshot, or the job fails
                (the message names the job id, the backend and the reason).
        """
        if self.resolved.snapshot_of is not None:
            raise BackendError(
                f"{self.backend_name} was resolved offline to {self.resolved.backend.name} for planning; "
                "build the executor with offline=False to submit jobs."
            )
        job = self.runner.submit(self.program.pubs(bindings), samples)
        if on_submitted is not None:
            on_submitted(job.job_id())
        logger.info("Submitted job %s for samples %d-%d to %s", job.job_id(), samples[0], samples[1] - 1, self.backend_name)
        return self.runner.wait(job, samples)

    def mitigate(self, raw: np.ndarray) -> np.ndarray:
        """Reduce raw values per circuit variant to one <Z_i> per binding, with the client-side steps.

        Readout correction comes first, then the average over twirled copies,
        then extrapolation to zero noise, as in :class:`qhybrid.mitigation.MitigationPipeline`.

        Args:
            raw: <Z_i> per circuit variant and binding, shape (K * R, M, n_qubits).

        Returns:
            <Z_i> per binding, shape (M, n_qubits).
        """
        values = raw
        if self.plan.client_readout is not None:
            if self.calibration is None:
                self.calibration = calibrate_readout(
                    self.resolved.backend, self.program.physical_qubits, self.plan.client_readout_shots
                )
            values = self.calibration.correct(values)
        n_scales, n_copies = len(self.program.scale_factors), self.program.randomizations
        per_scale = values.reshape(n_scales, n_copies, *values.shape[1:]).mean(axis=1)  # (K, M, n_qubits)
        if self.extrapolator is None:
            return per_scale[0]
        return self.extrapolator.extrapolate(per_scale)

    def estimate(self, n_bindings: int) -> QPUEstimate:
        """Estimate the QPU time of running ``n_bindings`` bindings, see :mod:`qhybrid.ibm.cost`."""
        backend = self.resolved.backend
        durations = [
            circuit_duration_seconds(circuit, backend.target, self.program.physical_qubits)
            for circuit in self.program.circuits
        ]
        return estimate_qpu_seconds(
            n_jobs=len(self.plan_jobs([(0, n_bindings)])) if n_bindings else 0,
            n_bindings=n_bindings,
            shots=self.shots_per_circuit,
            circuit_seconds=durations,
            rep_delay=rep_delay_seconds(backend),
            noise_factors=self.plan.noise_factors,
        )

    def close(self) -> None:
        """Close the batch or session, if one is open."""
        self.runner.close()

    def describe(self) -> dict[str, Any]:
        return {
            "ibm_backend": self.backend_name,
            "execution": _execution(self.resolved),
            "mode": self.runner.mode,
            "shots_per_circuit": self.shots_per_circuit,
            "circuits_per_binding": self.program.circuits_per_binding,
            "realized_scale_factors": list(self.program.scale_factors),
            "extrapolation_amplification": None if self.extrapolator is None else self.extrapolator.amplification,
            "physical_qubits": list(self.program.physical_qubits),
            "transpiled_depth": self.program.circuit.depth(),
            "transpiled_two_qubit_gates": self.program.two_qubit_gate_count(),
            "job_limits": self.limits.to_dict(),
            "bindings_per_job": self.bindings_per_job,
            "mitigation": self.plan.describe(),
            "readout_error_rates": None if self.calibration is None else self.calibration.rates.tolist(),
        }


class IBMEngine(BatchedEngine):
    """``QuantumHead(backend="ibm")``: batched parameter-shift execution through IBM Runtime's EstimatorV2.

    Args:
        spec: circuit structure.
        shots: shots per circuit; required, because a QPU only samples.
        seed: seeds layout, twirling and local simulation.
        ibm_backend: backend name or object, see :class:`IBMExecutor`; the other
            keyword arguments are those of :class:`IBMExecutor`.

    Raises:
        BackendError: if ``ibm_backend`` or ``shots`` is missing or an option is invalid.
        MissingDependencyError: if qiskit-ibm-runtime is not installed.

    Example:
        >>> head = QuantumHead(384, 2, backend="ibm", shots=4096,
        ...                    backend_options={"ibm_backend": "fake_manila"})  # doctest: +SKIP
    """

    name = "ibm"

    def __init__(
        self,
        spec: CircuitSpec,
        shots: int | None = None,
        seed: int | None = None,
        ibm_backend: str | Any = None,
        mode: str = "job",
        mitigation: Any = None,
        optimization_level: int = 1,
        max_circuits_per_job: int | None = None,
        channel: str | None = None,
        account_file: str | None = None,
        retry: RetryPolicy | dict[str, Any] | None = None,
        offline: bool = False,
    ) -> None:
        import_runtime()
        _check_engine_arguments(ibm_backend, shots, mode)
        super().__init__(spec, shots, seed)
        self.ibm_backend = ibm_backend
        self.mode = mode
        self.mitigation = coerce_mitigation(mitigation)
        self.optimization_level = optimization_level
        self.max_circuits_per_job = max_circuits_per_job
        self.channel = channel
        self.account_file = account_file
        self.retry = RetryPolicy(**retry) if isinstance(retry, dict) else retry
        self.offline = offline
        if isinstance(ibm_backend, str):
            # Reject options this backend cannot apply now rather than at the first forward pass.
            plan_mitigation(self.mitigation, shots, seed, local=is_local_name(ibm_backend))

    @classmethod
    def from_options(
        cls, spec: CircuitSpec, shots: int | None, seed: int | None, options: dict[str, Any]
    ) -> IBMEngine:
        """Build the engine from ``QuantumHead``'s ``backend_options``, rejecting unknown keys.

        Raises:
            BackendError: for an unknown key, a ``token`` key, or a noise model.
        """
        options = dict(options)
        if "token" in options:
            raise BackendError(
                "backend_options must not contain 'token': credentials come from QISKIT_IBM_TOKEN or a saved "
                "account, so the token never reaches a checkpoint or results file."
            )
        if options.pop("noise", None) is not None:
            raise BackendError(
                "backend='ibm' takes no noise model: a QPU has its own noise, and a fake_* backend applies its "
                "snapshot's noise model. Use backend='aer' to simulate a noise model."
            )
        unknown = sorted(set(options) - set(IBM_OPTIONS))
        if unknown:
            raise BackendError(f"Unknown option(s) {unknown} for backend 'ibm'; valid options are {list(IBM_OPTIONS)}.")
        return cls(spec, shots=shots, seed=seed, **options)

    def _make_executor(self) -> IBMExecutor:
        return IBMExecutor(
            self.converted,
            self.ibm_backend,
            shots=self.shots,
            seed=self.seed,
            mode=self.mode,
            mitigation=self.mitigation,
            optimization_level=self.optimization_level,
            max_circuits_per_job=self.max_circuits_per_job,
            channel=self.channel,
            account_file=self.account_file,
            retry=self.retry,
            offline=self.offline,
        )

    @property
    def executor(self) -> IBMExecutor:
        """The executor, built on first use; building it resolves the backend and transpiles."""
        return super().executor  # type: ignore[return-value]

    def close(self) -> None:
        """Close the executor's batch or session, if one is open."""
        if self._executor is not None:
            self.executor.close()


def _extrapolator(plan: MitigationPlan, program: ISAProgram) -> Extrapolator | None:
    steps = plan.client_steps
    if steps is None or steps.zne is None:
        return None
    # The realized scale factors can differ from the requested ones when folds round to whole gates.
    return Extrapolator(program.scale_factors, steps.zne.extrapolation, steps.zne.order)


def _check_engine_arguments(ibm_backend: Any, shots: int | None, mode: str) -> None:
    if ibm_backend is None:
        raise BackendError(
            "backend='ibm' needs backend_options={'ibm_backend': NAME}, e.g. 'fake_manila' for local testing "
            "mode or 'ibm_brisbane' for a QPU."
        )
    if shots is None or isinstance(shots, bool) or not isinstance(shots, int) or shots < 1:
        raise BackendError(f"backend='ibm' needs shots as a positive integer (e.g. 4096), got {shots!r}.")
    if mode not in EXECUTION_MODES:
        raise BackendError(f"mode must be one of {list(EXECUTION_MODES)}, got {mode!r}.")


def _execution(resolved: ResolvedBackend) -> str:
    if resolved.snapshot_of is not None:
        return f"offline snapshot {resolved.backend.name} (planning only)"
    return "local testing mode" if resolved.local else "IBM Quantum"
