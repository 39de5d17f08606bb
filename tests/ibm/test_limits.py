"""Job limits read from the backend, and the split of samples into jobs."""

from __future__ import annotations

import pytest

from qhybrid.exceptions import BackendError
from qhybrid.ibm.limits import DEFAULT_MAX_CIRCUITS_PER_JOB, DEFAULT_MAX_SHOTS, MAX_EXECUTIONS_PER_JOB, JobLimits, plan_jobs, read_job_limits

pytest.importorskip("qiskit_ibm_runtime")
from qiskit_aer import AerSimulator  # noqa: E402
from qiskit_ibm_runtime.fake_provider import FakeManilaV2  # noqa: E402


class NoConfigurationBackend:
    name = "bare"

    def configuration(self) -> None:
        raise NotImplementedError


def test_limits_from_fake_manila_configuration() -> None:
    limits = read_job_limits(FakeManilaV2())
    assert limits.max_circuits_per_job == 300
    assert limits.max_shots == 100_000
    assert limits.source == "backend configuration"


def test_limits_default_without_configuration() -> None:
    limits = read_job_limits(NoConfigurationBackend())
    assert limits.max_circuits_per_job == DEFAULT_MAX_CIRCUITS_PER_JOB
    assert limits.max_shots == DEFAULT_MAX_SHOTS
    assert limits.source == "defaults"


def test_override_only_lowers_the_limit() -> None:
    assert read_job_limits(FakeManilaV2(), max_circuits_per_job=10).max_circuits_per_job == 10
    assert read_job_limits(FakeManilaV2(), max_circuits_per_job=10_000).max_circuits_per_job == 300


def test_override_must_be_positive() -> None:
    with pytest.raises(BackendError, match="max_circuits_per_job must be a positive integer"):
        read_job_limits(FakeManilaV2(), max_circuits_per_job=0)


def test_aer_simulator_limits_are_positive() -> None:
    limits = read_job_limits(AerSimulator())
    assert limits.max_circuits_per_job >= 1
    assert limits.max_shots >= 1


def test_samples_per_job_counts_circuits_and_executions() -> None:
    limits = JobLimits(max_circuits_per_job=300, max_shots=100_000, max_executions_per_job=MAX_EXECUTIONS_PER_JOB, source="test")
    assert limits.samples_per_job(circuits_per_sample=1, shots=4096) == 300
    assert limits.samples_per_job(circuits_per_sample=12, shots=4096) == 25
    assert limits.samples_per_job(circuits_per_sample=1, shots=100_000) == 50


def test_too_many_shots_rejected() -> None:
    limits = read_job_limits(FakeManilaV2())
    with pytest.raises(BackendError, match="shots=200000 exceeds the backend's maximum of 100000"):
        limits.samples_per_job(circuits_per_sample=1, shots=200_000)


def test_sample_larger_than_job_rejected() -> None:
    limits = read_job_limits(FakeManilaV2(), max_circuits_per_job=10)
    with pytest.raises(BackendError, match="One sample needs 12 circuits"):
        limits.samples_per_job(circuits_per_sample=12, shots=1024)


def test_plan_jobs_splits_each_range() -> None:
    assert plan_jobs([(0, 10)], 4) == [(0, 4), (4, 8), (8, 10)]
    assert plan_jobs([(0, 3), (5, 9)], 3) == [(0, 3), (5, 8), (8, 9)]
    assert plan_jobs([], 3) == []
