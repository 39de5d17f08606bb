"""Submit Estimator jobs in job, batch or session mode, wait for them, and read their expectation values."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from qhybrid.exceptions import BackendError, CredentialsError
from qhybrid.ibm.backends import ResolvedBackend
from qhybrid.ibm.retry import RetryPolicy, call_with_retry

logger = logging.getLogger(__name__)

EXECUTION_MODES = ("job", "batch", "session")
"""IBM Runtime execution modes: independent jobs, a batch (jobs scheduled together),
or a session (the QPU is reserved between jobs and billed for wall-clock time)."""


@dataclass(frozen=True)
class JobResult:
    """The expectation values of one finished job."""

    job_id: str
    """Job id as IBM Runtime (or local testing mode) reports it."""

    expvals: np.ndarray
    """<Z_i> per circuit of the job and binding, shape (P, M, n_qubits) for P PUBs
    (circuit variants) of M bindings."""

    stds: np.ndarray
    """Standard errors of ``expvals``, shape (P, M, n_qubits)."""

    usage_seconds: float | None
    """QPU seconds that IBM reports for the job; 0 in local testing mode, None if unknown."""


class EstimatorRunner:
    """Sends PUBs to one backend's ``EstimatorV2`` and turns finished jobs into :class:`JobResult`.

    In batch and session mode the ``Batch`` or ``Session`` opens at the first
    submission and stays open until :meth:`close`.

    Args:
        resolved: the backend and, for a QPU, its service.
        mode: ``"job"``, ``"batch"`` or ``"session"``.
        options: ``EstimatorOptions`` fields as a nested dict.
        retry: retry policy for transient failures.
        seed: in local testing mode, seeds each job's simulator with a value derived
            from ``seed`` and the job's first sample, so a job's shot noise is
            reproducible and differs between jobs; None leaves it unseeded.
    """

    def __init__(
        self,
        resolved: ResolvedBackend,
        mode: str,
        options: dict[str, Any],
        retry: RetryPolicy,
        seed: int | None = None,
    ) -> None:
        if mode not in EXECUTION_MODES:
            raise BackendError(f"mode must be one of {list(EXECUTION_MODES)}, got {mode!r}.")
        self.resolved = resolved
        self.mode = mode
        self.options = options
        self.retry = retry
        self.seed = seed
        self._context: Any = None
        self._estimator: Any = None

    def submit(self, pubs: list[Any], samples: tuple[int, int]) -> Any:
        """Submit one job holding ``pubs``, retrying transient failures.

        Args:
            pubs: Estimator PUBs for the job.
            samples: ``(start, stop)`` of the samples or bindings the job covers, for messages.

        Returns:
            The submitted job; ``job.job_id()`` is its id.

        Raises:
            BackendError: if the submission fails for a reason that is not transient,
                or transient failures persist through every attempt.
            CredentialsError: if IBM rejects the credentials.
        """
        action = f"Submitting the job for samples {samples[0]}-{samples[1] - 1} to {self.resolved.name}"
        estimator = self._primitive()
        if self.resolved.local and self.seed is not None:
            estimator.options.simulator.seed_simulator = job_seed(self.seed, samples[0])
        try:
            return call_with_retry(lambda: estimator.run(pubs), self.retry, action, redact=self.resolved.redactor)
        except (BackendError, CredentialsError):
            raise
        except Exception as error:  # noqa: BLE001 - every runtime error is reported with the backend and reason
            raise self._error(f"{action} failed", error) from None

    def wait(self, job: Any, samples: tuple[int, int]) -> JobResult:
        """Wait for ``job`` and return its expectation values.

        Raises:
            BackendError: naming the job id, the backend and the reason, if the job
                failed, was cancelled, or waiting failed through every attempt.
        """
        job_id = job.job_id()
        action = f"Job {job_id} (samples {samples[0]}-{samples[1] - 1}) on {self.resolved.name}"
        try:
            result = call_with_retry(job.result, self.retry, f"Waiting for {action}", redact=self.resolved.redactor)
        except Exception as error:  # noqa: BLE001 - every runtime error is reported with the job id and reason
            raise self._error(f"{action} failed", error, job) from None

        return JobResult(
            job_id=job_id,
            expvals=np.stack([np.asarray(pub.data.evs, dtype=np.float64) for pub in result]),  # (P, M, n)
            stds=np.stack([np.asarray(pub.data.stds, dtype=np.float64) for pub in result]),  # (P, M, n)
            usage_seconds=_usage(job),
        )

    def retrieve(self, job_id: str) -> Any | None:
        """Return a job submitted earlier, or None if it cannot be retrieved.

        Local testing mode keeps jobs in memory only, so their ids cannot be
        retrieved after the process that submitted them ends.
        """
        if self.resolved.local or self.resolved.service is None:
            return None
        try:
            return self.resolved.service.job(job_id)
        except Exception as error:  # noqa: BLE001 - a job that cannot be found is resubmitted, so log and go on
            logger.warning(
                "Cannot retrieve job %s from %s: %s: %s; its samples will be submitted again",
                job_id, self.resolved.name, type(error).__name__, self.resolved.redactor(str(error)),
            )
            return None

    def close(self) -> None:
        """Close the batch or session, if one is open; jobs already submitted still finish."""
        if self._context is not None:
            try:
                self._context.close()
            finally:
                self._context = None
                self._estimator = None

    def _primitive(self) -> Any:
        if self._estimator is not None:
            return self._estimator
        from qiskit_ibm_runtime import Batch, EstimatorV2, Session

        mode: Any = self.resolved.backend
        if self.mode == "batch":
            self._context = mode = Batch(backend=self.resolved.backend)
        elif self.mode == "session":
            self._context = mode = Session(backend=self.resolved.backend)
        self._estimator = EstimatorV2(mode=mode, options=self.options)
        return self._estimator

    def _error(self, context: str, error: BaseException, job: Any = None) -> BackendError | CredentialsError:
        reason = f"{type(error).__name__}: {self.resolved.redactor(str(error))}"
        detail = _job_error_message(job, self.resolved.redactor)
        if detail and detail not in reason:
            reason = f"{reason} ({detail})"
        if type(error).__name__ == "IBMNotAuthorizedError":
            return CredentialsError(f"{context}: IBM Quantum rejected the credentials: {reason}.")
        return BackendError(f"{context}: {reason}.")


def job_seed(seed: int, first_sample: int) -> int:
    """Return the simulator seed of the job that starts at ``first_sample``, in [1, 2**31).

    Local testing mode skips a seed of 0 as unset, so 0 is never returned.
    """
    return int(np.random.SeedSequence([seed, first_sample]).generate_state(1)[0] % (2**31 - 1)) + 1


def _usage(job: Any) -> float | None:
    try:
        return float(job.usage())
    except Exception:  # noqa: BLE001 - usage is informational; some job types do not report it
        return None


def _job_error_message(job: Any, redact: Any) -> str:
    if job is None:
        return ""
    try:
        return redact(job.error_message() or "")
    except Exception:  # noqa: BLE001 - the message is an optional detail of an error already being raised
        return ""
