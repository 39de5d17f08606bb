"""Retries: transient failures back off exponentially, other failures and exhausted attempts raise."""

from __future__ import annotations

import pytest

from qhybrid.exceptions import ConfigError
from qhybrid.ibm import retry
from qhybrid.ibm.retry import RetryPolicy, call_with_retry, is_transient


class FlakyCall:
    """Fails with ``error`` for the first ``failures`` calls, then returns "done"."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures, self.error, self.calls = failures, error, 0

    def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "done"


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    recorded: list[float] = []
    monkeypatch.setattr(retry, "_sleep", recorded.append)
    return recorded


def test_transient_failure_retried_with_backoff(waits: list[float]) -> None:
    call = FlakyCall(2, ConnectionError("reset by peer"))
    policy = RetryPolicy(max_attempts=4, initial_delay_seconds=1.0, backoff_factor=3.0)

    assert call_with_retry(call, policy, "test call") == "done"
    assert call.calls == 3
    assert waits == [1.0, 3.0]


def test_attempts_are_bounded(waits: list[float]) -> None:
    call = FlakyCall(10, TimeoutError("timed out"))
    with pytest.raises(TimeoutError, match="timed out"):
        call_with_retry(call, RetryPolicy(max_attempts=3), "test call")
    assert call.calls == 3
    assert len(waits) == 2


def test_permanent_failure_not_retried(waits: list[float]) -> None:
    call = FlakyCall(1, ValueError("invalid circuit"))
    with pytest.raises(ValueError, match="invalid circuit"):
        call_with_retry(call, RetryPolicy(), "test call")
    assert call.calls == 1
    assert waits == []


def test_delay_is_capped() -> None:
    policy = RetryPolicy(initial_delay_seconds=10.0, backoff_factor=10.0, max_delay_seconds=60.0)
    assert [policy.delay(attempt) for attempt in (1, 2, 3)] == [10.0, 60.0, 60.0]


def test_runtime_errors_classified() -> None:
    runtime_exceptions = pytest.importorskip("qiskit_ibm_runtime.exceptions")
    assert is_transient(runtime_exceptions.RuntimeJobTimeoutError("wait timed out"))
    assert not is_transient(runtime_exceptions.RuntimeJobFailureError("job failed"))


def test_invalid_policy_rejected() -> None:
    with pytest.raises(ConfigError, match="max_attempts must be a positive integer"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ConfigError, match="backoff_factor must be >= 1"):
        RetryPolicy(backoff_factor=0.5)
