"""``jobs.jsonl``: an append-only record of every job a submission sends, for resuming after a failure.

Each line is one JSON event. ``started`` describes the submission (backend,
head, shots, samples). ``submitted`` is written as soon as IBM returns a job id,
with the sample range ``[sample_start, sample_stop)`` it covers. ``completed``
contains the job's raw expectation values, and ``failed`` contains the reason. Every line
is flushed and synced before the code goes on, so a crash loses at most the line
being written, and a truncated last line is skipped on reading.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from qhybrid.exceptions import ConfigError, DataError
from qhybrid.ibm.estimator import JobResult
from qhybrid.io import write_text_atomic

logger = logging.getLogger(__name__)

JOURNAL_NAME = "jobs.jsonl"

RESUME_KEYS = ("backend", "head", "shots", "n_samples", "features_sha256", "mitigation", "mode_is_local")
"""Fields of the ``started`` event that must match for ``--resume`` to reuse finished jobs."""


@dataclass(frozen=True)
class CompletedJob:
    """A finished job read back from the journal."""

    job_id: str
    sample_start: int
    sample_stop: int
    expvals: np.ndarray
    """Raw <Z_i> per circuit variant, before client-side mitigation, shape (P, sample_stop - sample_start, n_qubits)."""

    stds: np.ndarray
    """Standard errors, same shape as ``expvals``."""

    usage_seconds: float | None


class JobJournal:
    """Reads and appends the events of one submission folder's ``jobs.jsonl``."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def exists(self) -> bool:
        """Return whether the journal has at least one event."""
        return self.path.is_file() and self.path.stat().st_size > 0

    def start(self, description: dict[str, Any], resumed: bool) -> None:
        """Drop a truncated last line, then append the ``started`` event that describes this invocation."""
        self._drop_truncated_last_line()
        self._append({"event": "started", "resumed": resumed, **description})

    def submitted(self, job_id: str, samples: tuple[int, int]) -> None:
        """Append a ``submitted`` event; call it as soon as the job id is known."""
        self._append({"event": "submitted", "job_id": job_id, "sample_start": samples[0], "sample_stop": samples[1]})

    def completed(self, result: JobResult, samples: tuple[int, int]) -> None:
        """Append a ``completed`` event with the job's raw expectation values."""
        self._append(
            {
                "event": "completed",
                "job_id": result.job_id,
                "sample_start": samples[0],
                "sample_stop": samples[1],
                "usage_seconds": result.usage_seconds,
                "expvals": result.expvals.tolist(),
                "stds": result.stds.tolist(),
            }
        )

    def failed(self, job_id: str | None, samples: tuple[int, int], reason: str) -> None:
        """Append a ``failed`` event; ``job_id`` is None when the submission itself failed."""
        self._append(
            {"event": "failed", "job_id": job_id, "sample_start": samples[0], "sample_stop": samples[1], "reason": reason}
        )

    def events(self) -> list[dict[str, Any]]:
        """Return every event in order; a truncated last line is skipped with a warning.

        Raises:
            DataError: if a line other than the last is not valid JSON.
        """
        if not self.path.is_file():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        events = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError as error:
                if number == len(lines):
                    logger.warning("Skipping the truncated last line %d of %s", number, self.path)
                    continue
                raise DataError(f"{self.path}, line {number}: invalid JSON ({error}); fix or delete the line.") from error
        return events

    def check_resumable(self, description: dict[str, Any]) -> None:
        """Check that the first ``started`` event matches ``description`` on every key in ``RESUME_KEYS``.

        Raises:
            ConfigError: naming the first key that differs.
        """
        started = next((event for event in self.events() if event.get("event") == "started"), None)
        if started is None:
            return
        for key in RESUME_KEYS:
            if started.get(key) != description.get(key):
                raise ConfigError(
                    f"{self.path} was written with {key}={started.get(key)!r}, but this submission has "
                    f"{key}={description.get(key)!r}; resume with the same settings, or delete the folder "
                    f"{self.path.parent} to start over."
                )

    def completed_jobs(self) -> list[CompletedJob]:
        """Return every completed job, in the order the journal lists them."""
        jobs = []
        for event in self.events():
            if event.get("event") != "completed":
                continue
            jobs.append(
                CompletedJob(
                    job_id=event["job_id"],
                    sample_start=int(event["sample_start"]),
                    sample_stop=int(event["sample_stop"]),
                    expvals=np.asarray(event["expvals"], dtype=np.float64),
                    stds=np.asarray(event["stds"], dtype=np.float64),
                    usage_seconds=event.get("usage_seconds"),
                )
            )
        return jobs

    def unfinished_jobs(self) -> list[dict[str, Any]]:
        """Return ``submitted`` events whose job has neither completed nor failed."""
        finished = {event.get("job_id") for event in self.events() if event.get("event") in ("completed", "failed")}
        return [
            event for event in self.events() if event.get("event") == "submitted" and event["job_id"] not in finished
        ]

    def _drop_truncated_last_line(self) -> None:
        if not self.path.is_file():
            return
        lines = self.path.read_text(encoding="utf-8").splitlines()
        if not lines:
            return
        try:
            json.loads(lines[-1])
        except json.JSONDecodeError:
            logger.warning("Removing the truncated last line of %s before appending", self.path)
            write_text_atomic(self.path, "".join(line + "\n" for line in lines[:-1]))

    def _append(self, event: dict[str, Any]) -> None:
        record = {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"), **event}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as stream:
            stream.write(json.dumps(record) + "\n")
            stream.flush()
            os.fsync(stream.fileno())
