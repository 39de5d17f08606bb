"""The submission workflow: dry-run plans, resumable jobs, failures and retries, texts files."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch

from qhybrid.exceptions import BackendError, ConfigError, DataFileNotFoundError
from qhybrid.features import EncoderConfig
from qhybrid.ibm import retry
from qhybrid.ibm.journal import JOURNAL_NAME, JobJournal
from qhybrid.ibm.submit import SubmitConfig, plan_submission, run_submission
from tests.ibm.conftest import HEAD_NAME, IN_FEATURES, N_TEST

pytest.importorskip("qiskit_ibm_runtime")
import qiskit_ibm_runtime  # noqa: E402
from qiskit_ibm_runtime.exceptions import RuntimeJobFailureError  # noqa: E402

JOB_SIZE = 16
"""max_circuits_per_job in these tests: 40 test samples become jobs of 16, 16 and 8."""


class EstimatorSpy:
    """Wraps ``EstimatorV2.run`` to count the bindings each job sends and to inject failures.

    Args:
        fail: maps a call number (1-based) to the error that call raises instead of submitting.
        wrap_job: wraps each submitted job, e.g. to make its result fail.
    """

    def __init__(
        self,
        monkeypatch: pytest.MonkeyPatch,
        fail: dict[int, Exception] | None = None,
        wrap_job: Callable[[Any], Any] | None = None,
    ) -> None:
        self.fail = fail or {}
        self.wrap_job = wrap_job
        self.calls = 0
        self.rows: list[int] = []
        """Bindings per successful submission."""

        original = qiskit_ibm_runtime.EstimatorV2.run
        spy = self

        def run(estimator: Any, pubs: list[Any], *args: Any, **kwargs: Any) -> Any:
            spy.calls += 1
            if spy.calls in spy.fail:
                raise spy.fail[spy.calls]
            spy.rows.append(int(pubs[0][2].shape[0]))
            job = original(estimator, pubs, *args, **kwargs)
            return job if spy.wrap_job is None else spy.wrap_job(job)

        monkeypatch.setattr(qiskit_ibm_runtime.EstimatorV2, "run", run)


class FailingJob:
    """A submitted job whose result fails the way a job that errored on the QPU does."""

    def __init__(self, job: Any) -> None:
        self.job = job

    def job_id(self) -> str:
        return self.job.job_id()

    def result(self) -> Any:
        raise RuntimeJobFailureError("Unable to retrieve job result. Error code 1517; calibration drifted")

    def error_message(self) -> str:
        return "Error code 1517; calibration drifted"


class FeatureStub:
    """Stands in for FrozenEncoder: 'positive' texts map near +1, the others near -1."""

    def __init__(self, config: EncoderConfig) -> None:
        self.config = config

    def encode(self, texts: list[str], progress: bool = True) -> torch.Tensor:
        signs = torch.tensor([1.0 if "positive" in text else -1.0 for text in texts])
        return signs[:, None] * torch.ones(len(texts), IN_FEATURES)


@pytest.fixture
def run_dir(trained_run: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(trained_run, tmp_path / "run"))


@pytest.fixture
def no_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waits: list[float] = []
    monkeypatch.setattr(retry, "_sleep", waits.append)
    return waits


def config_for(run_dir: Path, **overrides: Any) -> SubmitConfig:
    return SubmitConfig(run_dir=str(run_dir), backend="fake_manila", shots=1024, max_circuits_per_job=JOB_SIZE, **overrides)


def assert_samples_covered_once(jobs: list[dict[str, Any]]) -> None:
    covered = sorted(index for job in jobs for index in range(job["sample_start"], job["sample_stop"]))
    assert covered == list(range(N_TEST))


def test_dry_run_matches_jobs_sent(run_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = EstimatorSpy(monkeypatch)
    plan = plan_submission(config_for(run_dir, dry_run=True))

    assert spy.calls == 0
    assert not plan.out_dir.exists()
    assert plan.jobs == [(0, 16), (16, 32), (32, 40)]
    assert plan.estimate.n_jobs == 3

    result = run_submission(config_for(run_dir))

    assert spy.calls == len(plan.jobs)
    assert spy.rows == [stop - start for start, stop in plan.jobs]
    assert [(job["sample_start"], job["sample_stop"]) for job in result.results["jobs"]] == plan.jobs


def test_resume_after_failure_evaluates_each_sample_once(run_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = EstimatorSpy(monkeypatch, fail={3: RuntimeError("injected: QPU went offline")})

    with pytest.raises(BackendError, match=r"samples 32-39 to fake_manila failed: RuntimeError: injected.*--resume"):
        run_submission(config_for(run_dir))
    journal = JobJournal(config_for(run_dir).out_dir(HEAD_NAME) / JOURNAL_NAME)
    assert [job.sample_start for job in journal.completed_jobs()] == [0, 16]
    plan = plan_submission(config_for(run_dir, resume=True, dry_run=True))
    assert plan.n_done == 32
    assert plan.jobs == [(32, 40)]

    result = run_submission(config_for(run_dir, resume=True))

    assert sum(spy.rows) == N_TEST
    assert spy.rows == [16, 16, 8]
    assert [job["source"] for job in result.results["jobs"]] == ["journal", "journal", "submitted"]
    assert_samples_covered_once(result.results["jobs"])
    assert all(len(sample["expvals"]) == 4 for sample in result.results["samples"])


def test_failed_job_names_id_backend_and_reason(run_dir: Path, monkeypatch: pytest.MonkeyPatch, no_waits: list[float]) -> None:
    EstimatorSpy(monkeypatch, wrap_job=FailingJob)

    with pytest.raises(BackendError, match=r"Job [0-9a-f-]{36} \(samples 0-15\) on fake_manila failed: .*calibration drifted"):
        run_submission(config_for(run_dir))
    events = JobJournal(config_for(run_dir).out_dir(HEAD_NAME) / JOURNAL_NAME).events()
    assert [event["event"] for event in events] == ["started", "submitted", "failed"]
    assert no_waits == []


def test_transient_submission_error_is_retried(run_dir: Path, monkeypatch: pytest.MonkeyPatch, no_waits: list[float]) -> None:
    spy = EstimatorSpy(monkeypatch, fail={2: ConnectionError("connection reset")})

    result = run_submission(config_for(run_dir))

    assert no_waits == [2.0]
    assert spy.rows == [16, 16, 8]
    assert_samples_covered_once(result.results["jobs"])


def test_existing_journal_needs_resume(run_dir: Path) -> None:
    run_submission(config_for(run_dir))
    with pytest.raises(ConfigError, match="pass --resume to finish it"):
        run_submission(config_for(run_dir))


def test_resume_with_other_shots_rejected(run_dir: Path) -> None:
    run_submission(config_for(run_dir))
    with pytest.raises(ConfigError, match="written with shots=1024, but this submission has shots=2048"):
        run_submission(SubmitConfig(run_dir=str(run_dir), backend="fake_manila", shots=2048, resume=True))


def test_resume_of_finished_submission_sends_nothing(run_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = run_submission(config_for(run_dir))
    spy = EstimatorSpy(monkeypatch)

    second = run_submission(config_for(run_dir, resume=True))

    assert spy.calls == 0
    assert second.results["accuracy"] == first.results["accuracy"]


def test_results_file_contents(run_dir: Path) -> None:
    result = run_submission(config_for(run_dir, mitigation={"readout": "matrix", "readout_shots": 2048}))
    saved = json.loads((result.out_dir / "results.json").read_text())

    assert saved == json.loads(json.dumps(result.results))
    assert saved["backend"] == "fake_manila"
    assert saved["execution"] == "local testing mode"
    assert saved["n_jobs"] == 3
    assert 0.0 <= saved["accuracy"] <= 1.0
    assert saved["applied_options"]["client_side"]["readout"] == {"method": "matrix", "calibration_shots": 2048}
    assert len(saved["applied_options"]["readout_error_rates"]) == 4
    assert saved["qpu_estimate"]["kind"] == "estimate"
    assert saved["samples"][0]["predicted_label"] in ("negative", "positive")


def test_texts_file_is_classified(run_dir: Path) -> None:
    config = json.loads((run_dir / "config.json").read_text())
    (run_dir / "config.json").write_text(json.dumps({**config, "encoder": {"model": "all-MiniLM-L6-v2"}}))
    texts = run_dir / "new_texts.txt"
    texts.write_text("a positive review\n\na negative review\n")

    result = run_submission(config_for(run_dir, texts=str(texts)), encoder_factory=FeatureStub)

    assert result.out_dir.name == f"fake_manila-{HEAD_NAME}-texts-new_texts"
    assert result.results["accuracy"] is None
    assert [sample["text"] for sample in result.results["samples"]] == ["a positive review", "a negative review"]


def test_missing_texts_file_rejected(run_dir: Path) -> None:
    with pytest.raises(DataFileNotFoundError, match="texts file .*missing.txt not found"):
        run_submission(config_for(run_dir, texts=str(run_dir / "missing.txt")), encoder_factory=FeatureStub)


def test_unknown_head_lists_checkpoints(run_dir: Path) -> None:
    with pytest.raises(ConfigError, match=rf"head 'quantum_other' has no checkpoint.*\['{HEAD_NAME}'\]"):
        plan_submission(config_for(run_dir, head="quantum_other"))


def test_run_folder_without_config_rejected(tmp_path: Path) -> None:
    with pytest.raises(DataFileNotFoundError, match="config.json not found"):
        plan_submission(config_for(tmp_path))


def test_submit_config_rejects_unknown_keys() -> None:
    with pytest.raises(ConfigError, match=r"Unknown submit option\(s\) \['shot'\]; valid options are"):
        SubmitConfig.from_dict({"run_dir": "runs/x", "backend": "fake_manila", "shot": 10})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"backend": "../escape"}, "backend must be a name"),
        ({"shots": 0}, "shots must be a positive integer"),
        ({"mode": "stream"}, "mode must be one of"),
        ({"optimization_level": 4}, "optimization_level must be 0, 1, 2 or 3"),
    ],
)
def test_submit_config_validation(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        SubmitConfig.from_dict({"run_dir": "runs/x", "backend": "fake_manila", **overrides})
