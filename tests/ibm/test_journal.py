"""jobs.jsonl: events written in order, truncated lines survived, resume settings checked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qhybrid.exceptions import ConfigError, DataError
from qhybrid.ibm.estimator import JobResult
from qhybrid.ibm.journal import JobJournal

DESCRIPTION = {"backend": "fake_manila", "head": "quantum", "shots": 1024, "n_samples": 4,
               "features_sha256": "abc", "mitigation": None, "mode_is_local": True}


def result(job_id: str, n_samples: int) -> JobResult:
    values = np.arange(n_samples * 2, dtype=float).reshape(1, n_samples, 2) / 10
    return JobResult(job_id=job_id, expvals=values, stds=np.zeros_like(values), usage_seconds=0.0)


def test_completed_and_unfinished_jobs(tmp_path: Path) -> None:
    journal = JobJournal(tmp_path / "jobs.jsonl")
    journal.start(DESCRIPTION, resumed=False)
    journal.submitted("job-a", (0, 2))
    journal.completed(result("job-a", 2), (0, 2))
    journal.submitted("job-b", (2, 4))

    [completed] = journal.completed_jobs()
    assert completed.job_id == "job-a"
    np.testing.assert_array_equal(completed.expvals, result("job-a", 2).expvals)
    assert [event["job_id"] for event in journal.unfinished_jobs()] == ["job-b"]


def test_truncated_last_line_dropped(tmp_path: Path) -> None:
    journal = JobJournal(tmp_path / "jobs.jsonl")
    journal.start(DESCRIPTION, resumed=False)
    journal.submitted("job-a", (0, 2))
    with journal.path.open("a") as stream:
        stream.write('{"event": "completed", "job_id": "job-a", "sam')

    assert len(journal.events()) == 2
    journal.start(DESCRIPTION, resumed=True)
    assert [event["event"] for event in journal.events()] == ["started", "submitted", "started"]


def test_corrupt_middle_line_rejected(tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    path.write_text('{"event": "started"}\nnot json\n{"event": "started"}\n')
    with pytest.raises(DataError, match="line 2: invalid JSON"):
        JobJournal(path).events()


def test_resume_with_other_settings_rejected(tmp_path: Path) -> None:
    journal = JobJournal(tmp_path / "jobs.jsonl")
    journal.start(DESCRIPTION, resumed=False)
    journal.check_resumable(DESCRIPTION)
    with pytest.raises(ConfigError, match="written with shots=1024, but this submission has shots=2048"):
        journal.check_resumable({**DESCRIPTION, "shots": 2048})
