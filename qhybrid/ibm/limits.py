"""Per-job limits of a backend, and the split of samples into as few jobs as those limits allow.

The split depends only on the number of samples, the circuits per sample, the
shots and the limits, so a dry run predicts exactly the jobs a submission sends.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from qhybrid.exceptions import BackendError

DEFAULT_MAX_CIRCUITS_PER_JOB = 300
"""Circuits per job when the backend configuration has no ``max_experiments``. IBM backends
have reported 300 there (e.g. fake_manila's snapshot in qiskit-ibm-runtime 0.45)."""

DEFAULT_MAX_SHOTS = 100_000
"""Shots per circuit when the backend configuration has no ``max_shots`` (fake_manila reports 100,000)."""

MAX_EXECUTIONS_PER_JOB = 5_000_000
"""Circuits times shots per job. IBM's job-limits guide has stated 5 million and, later, 10 million
for Sampler jobs; the lower value is kept so a job passes either rule."""


@dataclass(frozen=True)
class JobLimits:
    """How much one job may contain."""

    max_circuits_per_job: int
    """Circuits (PUB parameter rows times circuits per PUB) per job."""

    max_shots: int
    """Shots per circuit."""

    max_executions_per_job: int
    """Circuits times shots per job."""

    source: str
    """``"backend configuration"``, ``"defaults"`` or which override applied."""

    def samples_per_job(self, circuits_per_sample: int, shots: int) -> int:
        """Return how many samples one job contains.

        Raises:
            BackendError: if ``shots`` exceeds ``max_shots`` or one sample alone exceeds a limit.
        """
        if shots > self.max_shots:
            raise BackendError(f"shots={shots} exceeds the backend's maximum of {self.max_shots} shots per circuit; lower shots.")
        circuits = min(self.max_circuits_per_job, self.max_executions_per_job // shots)
        samples = circuits // circuits_per_sample
        if samples < 1:
            raise BackendError(
                f"One sample needs {circuits_per_sample} circuits of {shots} shots, more than one job may hold "
                f"({self.max_circuits_per_job} circuits, {self.max_executions_per_job} executions); "
                "use fewer twirling randomizations or shots."
            )
        return samples

    def to_dict(self) -> dict[str, Any]:
        """Return the limits as a JSON-ready dict."""
        return asdict(self)


def read_job_limits(backend: Any, max_circuits_per_job: int | None = None) -> JobLimits:
    """Read the per-job limits from ``backend.configuration()``, falling back to the documented defaults.

    IBM's job-limits guide states that ``max_experiments`` and ``max_shots`` are no
    longer enforced by the service. They are still read here, when present,
    because they bound the job size conservatively.

    Args:
        backend: a ``BackendV2``.
        max_circuits_per_job: a smaller circuit count per job to use instead, e.g. to
            get short jobs that fail less at a time; None keeps the backend's.

    Raises:
        BackendError: if ``max_circuits_per_job`` is not a positive integer.
    """
    configuration = _configuration(backend)
    max_circuits = _positive_attribute(configuration, "max_experiments")
    max_shots = _positive_attribute(configuration, "max_shots")
    source = "backend configuration" if max_circuits and max_shots else "defaults"
    limits = JobLimits(
        max_circuits_per_job=max_circuits or DEFAULT_MAX_CIRCUITS_PER_JOB,
        max_shots=max_shots or DEFAULT_MAX_SHOTS,
        max_executions_per_job=MAX_EXECUTIONS_PER_JOB,
        source=source,
    )
    if max_circuits_per_job is None:
        return limits

    if isinstance(max_circuits_per_job, bool) or not isinstance(max_circuits_per_job, int) or max_circuits_per_job < 1:
        raise BackendError(f"max_circuits_per_job must be a positive integer or None, got {max_circuits_per_job!r}.")
    return JobLimits(
        max_circuits_per_job=min(max_circuits_per_job, limits.max_circuits_per_job),
        max_shots=limits.max_shots,
        max_executions_per_job=limits.max_executions_per_job,
        source=f"{source}, max_circuits_per_job={max_circuits_per_job}",
    )


def plan_jobs(ranges: list[tuple[int, int]], samples_per_job: int) -> list[tuple[int, int]]:
    """Split sample ranges into job ranges of at most ``samples_per_job`` samples.

    Args:
        ranges: ``(start, stop)`` sample ranges, stop exclusive, e.g. ``[(0, N)]``
            or the ranges still missing after an interrupted submission.
        samples_per_job: from :meth:`JobLimits.samples_per_job`.

    Returns:
        ``(start, stop)`` per job, in order; ranges are never merged across gaps.
    """
    jobs: list[tuple[int, int]] = []
    for start, stop in ranges:
        for job_start in range(start, stop, samples_per_job):
            jobs.append((job_start, min(job_start + samples_per_job, stop)))
    return jobs


def _configuration(backend: Any) -> Any:
    try:
        return backend.configuration()
    except (AttributeError, NotImplementedError):
        return None


def _positive_attribute(configuration: Any, name: str) -> int | None:
    value = getattr(configuration, name, None)
    return int(value) if isinstance(value, int) and value > 0 else None
