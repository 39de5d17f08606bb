"""Retry of transient IBM Quantum failures with exponential backoff and a bounded number of attempts."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from qhybrid.exceptions import ConfigError

logger = logging.getLogger(__name__)

T = TypeVar("T")

_sleep = time.sleep
"""Waits between attempts; tests replace it to record the waits instead of sleeping."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a transient failure is retried."""

    max_attempts: int = 4
    """Attempts in all, the first one included."""

    initial_delay_seconds: float = 2.0
    """Wait before the second attempt."""

    backoff_factor: float = 2.0
    """Factor by which the wait grows after each failed attempt."""

    max_delay_seconds: float = 60.0
    """Maximum wait between two attempts."""

    def __post_init__(self) -> None:
        if isinstance(self.max_attempts, bool) or not isinstance(self.max_attempts, int) or self.max_attempts < 1:
            raise ConfigError(f"max_attempts must be a positive integer, got {self.max_attempts!r}.")
        if self.initial_delay_seconds < 0 or self.max_delay_seconds < 0:
            raise ConfigError(
                f"retry delays must be >= 0 seconds, got initial_delay_seconds={self.initial_delay_seconds!r}, "
                f"max_delay_seconds={self.max_delay_seconds!r}."
            )
        if self.backoff_factor < 1:
            raise ConfigError(f"backoff_factor must be >= 1, got {self.backoff_factor!r}.")

    def delay(self, attempt: int) -> float:
        """Return the wait in seconds after failed attempt number ``attempt`` (1-based)."""
        return min(self.initial_delay_seconds * self.backoff_factor ** (attempt - 1), self.max_delay_seconds)

    def to_dict(self) -> dict[str, Any]:
        """Return the policy as a JSON-ready dict."""
        return asdict(self)


def is_transient(error: BaseException) -> bool:
    """Return whether ``error`` is worth retrying: a network error, an API error or a wait that timed out.

    A job that ran and failed (``RuntimeJobFailureError``) is not transient: it
    would usually fail again, and rerunning it costs QPU time.
    """
    if isinstance(error, (ConnectionError, TimeoutError)):
        return True
    try:
        from qiskit_ibm_runtime.api.exceptions import RequestsApiError
        from qiskit_ibm_runtime.exceptions import RuntimeJobTimeoutError
    except ImportError:
        return False
    return isinstance(error, (RequestsApiError, RuntimeJobTimeoutError))


def call_with_retry(
    function: Callable[[], T],
    policy: RetryPolicy,
    action: str,
    redact: Callable[[str], str] = str,
) -> T:
    """Call ``function``, retrying transient failures as ``policy`` allows.

    Args:
        function: the call to make, without arguments.
        policy: attempts and waits.
        action: what the call does, for log messages, e.g. ``"submit job for samples 0-99 to fake_manila"``.
        redact: removes secrets from error messages before they are logged.

    Returns:
        What ``function`` returns.

    Raises:
        The last error, when it is not transient or the attempts are used up.
    """
    for attempt in range(1, policy.max_attempts + 1):
        try:
            return function()
        except Exception as error:
            if not is_transient(error) or attempt == policy.max_attempts:
                raise
            wait = policy.delay(attempt)
            logger.warning(
                "%s failed (attempt %d of %d): %s: %s; retrying in %.1f s",
                action, attempt, policy.max_attempts, type(error).__name__, redact(str(error)), wait,
            )
            _sleep(wait)
    raise AssertionError("unreachable: the loop returns or raises")
