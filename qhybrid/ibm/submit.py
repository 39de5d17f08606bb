"""Evaluate a trained head from a run folder on an IBM backend, in resumable jobs.

:func:`plan_submission` reports what a submission would send (a dry run, with
no contact to IBM); :func:`run_submission` sends it. Results go to
``RUN_DIR/submissions/<backend>-<head>/``: ``jobs.jsonl`` (see
:mod:`qhybrid.ibm.journal`) and ``results.json``, written atomically at the end.

Example:
    >>> config = SubmitConfig(run_dir="runs/lambeq_mc", backend="fake_manila", shots=4096)
    >>> result = run_submission(config)  # doctest: +SKIP
    >>> result.results["accuracy"]  # doctest: +SKIP
    0.93
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import torch

from qhybrid.engines import parameter_shift
from qhybrid.engines.ibm import IBMEngine, IBMExecutor
from qhybrid.exceptions import BackendError, ConfigError, DataError
from qhybrid.features import FrozenEncoder, extract_features
from qhybrid.features.extract import EncoderFactory
from qhybrid.heads import QuantumHead, load_checkpoint
from qhybrid.ibm.cost import QPUEstimate
from qhybrid.ibm.estimator import EXECUTION_MODES, JobResult
from qhybrid.ibm.journal import JOURNAL_NAME, JobJournal
from qhybrid.ibm.run_folder import RunFolder, TestSplit, open_run_folder, read_texts
from qhybrid.io import write_json_atomic

logger = logging.getLogger(__name__)

SUBMISSIONS_DIR = "submissions"
RESULTS_NAME = "results.json"
DEFAULT_SHOTS = 4096
_SAFE_NAME = re.compile(r"[A-Za-z0-9_.-]+")

EventCallback = Callable[[str], None]
"""Receives one line per job event, for the command line to print."""


@dataclass(frozen=True)
class SubmitConfig:
    """A submission request: the run folder and head to evaluate, the backend and the execution settings."""

    run_dir: str
    """Run folder written by ``qhybrid run``."""

    backend: str
    """IBM backend name: ``fake_*`` for local testing mode, else a QPU such as ``ibm_brisbane``."""

    head: str | None = None
    """Head to evaluate; None takes the first quantum head of the run."""

    mode: str = "job"
    """IBM Runtime execution mode: ``"job"``, ``"batch"`` or ``"session"``."""

    shots: int = DEFAULT_SHOTS
    """Shots per sample."""

    texts: str | None = None
    """File with one text per line to classify instead of the test split; features come
    from the run's encoder config, and no accuracy is computed."""

    dry_run: bool = False
    """Plan and estimate only; nothing is sent and nothing is written."""

    resume: bool = False
    """Reuse the finished jobs in ``jobs.jsonl`` and submit only the missing samples."""

    seed: int = 0
    """Seeds the transpiler layout, twirling and local simulation."""

    mitigation: dict[str, Any] | None = None
    """``qhybrid.mitigation.Mitigation`` fields, e.g. ``{"readout": "mthree"}``; None for none."""

    max_circuits_per_job: int | None = None
    """Smaller jobs than the backend allows; None uses the backend's limit."""

    optimization_level: int = 1
    """Preset pass-manager optimization level, 0 to 3."""

    def __post_init__(self) -> None:
        if not isinstance(self.backend, str) or not _SAFE_NAME.fullmatch(self.backend):
            raise ConfigError(
                f"backend must be a name of letters, digits, '_', '.' or '-' such as 'fake_manila', got {self.backend!r}."
            )
        if isinstance(self.shots, bool) or not isinstance(self.shots, int) or self.shots < 1:
            raise ConfigError(f"shots must be a positive integer (shots per sample), got {self.shots!r}.")
        if self.mode not in EXECUTION_MODES:
            raise ConfigError(f"mode must be one of {list(EXECUTION_MODES)}, got {self.mode!r}.")
        if self.optimization_level not in (0, 1, 2, 3):
            raise ConfigError(f"optimization_level must be 0, 1, 2 or 3, got {self.optimization_level!r}.")
        if self.head is not None and not _SAFE_NAME.fullmatch(self.head):
            raise ConfigError(f"head must be a head name of letters, digits, '_', '.' or '-', got {self.head!r}.")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SubmitConfig:
        """Build a config from a mapping, rejecting unknown keys.

        Raises:
            ConfigError: for an unknown key (the message lists the valid ones) or an invalid value.
        """
        valid = [field.name for field in dataclasses.fields(cls)]
        unknown = sorted(set(data) - set(valid))
        if unknown:
            raise ConfigError(f"Unknown submit option(s) {unknown}; valid options are {valid}.")
        return cls(**data)

    def out_dir(self, head: str) -> Path:
        """Return the submission folder ``RUN_DIR/submissions/<backend>-<head>[-texts-<stem>]``."""
        name = f"{self.backend}-{head}"
        if self.texts is not None:
            name += "-texts-" + re.sub(r"[^A-Za-z0-9_.-]", "_", Path(self.texts).stem)
        return Path(self.run_dir) / SUBMISSIONS_DIR / name


@dataclass(frozen=True)
class SubmissionPlan:
    """The jobs, circuit and QPU-time estimate of a submission, as a dry run reports them."""

    backend: str
    head: str
    out_dir: Path
    n_samples: int
    """Samples to evaluate in all."""

    n_done: int
    """Samples whose results ``jobs.jsonl`` already contains (``--resume``)."""

    shots: int
    jobs: list[tuple[int, int]]
    """``(start, stop)`` sample range of each job to send."""

    circuit_drawing: str
    """Text drawing of the ISA circuit that is sent."""

    estimate: QPUEstimate
    execution: dict[str, Any]
    """The executor's description: layout, limits, applied options."""

    @property
    def n_bindings(self) -> int:
        """Parameter bindings to send, one per missing sample."""
        return sum(stop - start for start, stop in self.jobs)


@dataclass(frozen=True)
class SubmissionResult:
    """A finished submission."""

    out_dir: Path
    results: dict[str, Any]
    """The contents of ``results.json``."""


@dataclass
class _Submission:
    """Everything a submission needs, loaded once from the config."""

    config: SubmitConfig
    run: RunFolder
    head_name: str
    head: QuantumHead
    split: TestSplit
    bindings: np.ndarray
    """Slot angles per sample, shape (N, n_slots)."""

    journal: JobJournal

    @property
    def executor(self) -> IBMExecutor:
        engine: IBMEngine = self.head.engine  # type: ignore[assignment]
        return engine.executor


def plan_submission(config: SubmitConfig, encoder_factory: EncoderFactory = FrozenEncoder) -> SubmissionPlan:
    """Plan a submission without contacting IBM Quantum: jobs, shots, circuit and estimated QPU time.

    A QPU name is planned against its fake snapshot (``ibm_brisbane`` -> ``fake_brisbane``).

    Raises:
        ConfigError, DataError, DataFileNotFoundError: for an invalid run folder or option.
        BackendError: if the circuit does not fit the backend or an option cannot be applied.
    """
    submission = _prepare(config, offline=True, encoder_factory=encoder_factory)
    if config.resume:
        submission.journal.check_resumable(_description(submission))
    done = _completed_samples(submission) if config.resume else np.zeros(len(submission.bindings), dtype=bool)
    executor = submission.executor
    jobs = executor.plan_jobs(_missing_ranges(done))
    n_missing = int((~done).sum())
    return SubmissionPlan(
        backend=config.backend,
        head=submission.head_name,
        out_dir=config.out_dir(submission.head_name),
        n_samples=len(submission.bindings),
        n_done=int(done.sum()),
        shots=config.shots,
        jobs=jobs,
        circuit_drawing=str(executor.program.circuit.draw(output="text", idle_wires=False, fold=120)),
        estimate=executor.estimate(n_missing),
        execution=executor.describe(),
    )


def run_submission(
    config: SubmitConfig,
    on_event: EventCallback | None = None,
    encoder_factory: EncoderFactory = FrozenEncoder,
) -> SubmissionResult:
    """Evaluate the head on the backend and write ``jobs.jsonl`` and ``results.json``.

    Args:
        config: the submission; ``config.dry_run`` is ignored here (see :func:`plan_submission`).
        on_event: receives a line per submitted and finished job.
        encoder_factory: builds the encoder for ``config.texts``.

    Returns:
        The results, also written to ``results.json``.

    Raises:
        ConfigError: if ``jobs.jsonl`` exists without ``resume``, or was written with other settings.
        CredentialsError: for a QPU without credentials, before any network call.
        BackendError: if a job fails; the message names the job id, the backend and
            the reason, and finished jobs stay in ``jobs.jsonl`` for ``resume``.
    """
    started = time.perf_counter()
    notify = on_event or (lambda line: None)
    submission = _prepare(config, offline=False, encoder_factory=encoder_factory)
    _start_journal(submission)

    shape = (submission.executor.program.circuits_per_binding, len(submission.bindings), submission.head.spec.n_qubits)
    raw = np.full(shape, np.nan)  # (P, N, n_qubits): per circuit variant, sample and qubit
    stds = np.full_like(raw, np.nan)
    jobs = _collect_finished(submission, raw, stds, notify)
    try:
        jobs += _send_missing(submission, raw, stds, notify)
    finally:
        submission.executor.close()

    results = _results(submission, raw, stds, jobs, time.perf_counter() - started)
    out_dir = config.out_dir(submission.head_name)
    write_json_atomic(out_dir / RESULTS_NAME, results)
    logger.info("Wrote %s", out_dir / RESULTS_NAME)
    return SubmissionResult(out_dir=out_dir, results=results)


def _prepare(config: SubmitConfig, offline: bool, encoder_factory: EncoderFactory) -> _Submission:
    run = open_run_folder(config.run_dir)
    head_name = run.choose_head(config.head)
    head = _load_head(run, head_name, config, offline)
    split = _load_split(run, config, encoder_factory)
    journal = JobJournal(config.out_dir(head_name) / JOURNAL_NAME)
    return _Submission(
        config=config,
        run=run,
        head_name=head_name,
        head=head,
        split=split,
        bindings=_bindings(head, split.features),
        journal=journal,
    )


def _load_head(run: RunFolder, head_name: str, config: SubmitConfig, offline: bool) -> QuantumHead:
    options: dict[str, Any] = {
        "ibm_backend": config.backend,
        "mode": config.mode,
        "optimization_level": config.optimization_level,
        "max_circuits_per_job": config.max_circuits_per_job,
        "offline": offline,
    }
    # A head trained with a simulated noise model or mitigation gets neither on IBM unless requested here.
    overrides: dict[str, Any] = {
        "backend": "ibm",
        "shots": config.shots,
        "diff_method": None,
        "backend_options": options,
        "noise": None,
        "mitigation": config.mitigation,
    }

    head, _, _ = load_checkpoint(run.checkpoint_path(head_name), overrides=overrides)
    if not isinstance(head, QuantumHead):
        raise ConfigError(f"head {head_name!r} is not a quantum head; pass --head with a quantum head's name.")
    # load_checkpoint builds heads unseeded; the executor, built on first use, reads this seed.
    head.engine.seed = config.seed
    head.eval()
    return head


def _load_split(run: RunFolder, config: SubmitConfig, encoder_factory: EncoderFactory) -> TestSplit:
    if config.texts is None:
        return run.test_split()
    texts = read_texts(config.texts)
    features = extract_features(texts, run.encoder_config(), cache_dir=None, progress=False, encoder_factory=encoder_factory)
    return TestSplit(features=features, labels=None, texts=texts)


def _bindings(head: QuantumHead, features: torch.Tensor) -> np.ndarray:
    # The same leaves as BatchedEngine.evaluate builds: input angles, then the flattened weights.
    with torch.no_grad():
        angles = head.angles(features).double().numpy()  # (N, n_qubits)
    weights = head.weights.detach().double().numpy().reshape(1, -1)  # (1, n_weights)
    leaves = np.concatenate([angles, np.broadcast_to(weights, (len(angles), weights.shape[1]))], axis=1)
    return parameter_shift.slot_values(leaves, head.engine.converted.slot_leaf)  # (N, n_slots)


def _description(submission: _Submission) -> dict[str, Any]:
    features = submission.split.features.detach().contiguous().numpy()
    return {
        "backend": submission.config.backend,
        "head": submission.head_name,
        "shots": submission.config.shots,
        "mode": submission.config.mode,
        "n_samples": len(submission.bindings),
        "features_sha256": hashlib.sha256(features.tobytes()).hexdigest(),
        "mitigation": submission.config.mitigation,
        "mode_is_local": submission.executor.resolved.testing_mode,
    }


def _start_journal(submission: _Submission) -> None:
    journal, config = submission.journal, submission.config
    description = _description(submission)
    if journal.exists() and not config.resume:
        raise ConfigError(
            f"{journal.path} already records jobs of an earlier submission; pass --resume to finish it, "
            f"or delete {journal.path.parent} to start over."
        )
    if config.resume:
        journal.check_resumable(description)
    journal.start(description, resumed=config.resume and journal.exists())


def _completed_samples(submission: _Submission) -> np.ndarray:
    done = np.zeros(len(submission.bindings), dtype=bool)
    for job in submission.journal.completed_jobs():
        done[job.sample_start : job.sample_stop] = True
    return done


def _missing_ranges(done: np.ndarray) -> list[tuple[int, int]]:
    """Return the ``(start, stop)`` runs of samples that are not done."""
    ranges: list[tuple[int, int]] = []
    start = None
    for index, is_done in enumerate(done.tolist() + [True]):
        if not is_done and start is None:
            start = index
        elif is_done and start is not None:
            ranges.append((start, index))
            start = None
    return ranges


def _collect_finished(
    submission: _Submission, raw: np.ndarray, stds: np.ndarray, notify: EventCallback
) -> list[dict[str, Any]]:
    """Fill ``raw`` from completed jobs in the journal, and from unfinished QPU jobs that can still be retrieved."""
    if not submission.config.resume:
        return []
    jobs: list[dict[str, Any]] = []
    for job in submission.journal.completed_jobs():
        if not np.isnan(raw[:, job.sample_start : job.sample_stop]).all():
            continue  # a range already filled is never counted twice
        _check_shape(job.expvals, raw[:, job.sample_start : job.sample_stop], job.job_id, submission.journal)
        raw[:, job.sample_start : job.sample_stop] = job.expvals
        stds[:, job.sample_start : job.sample_stop] = job.stds
        jobs.append(_job_entry(job.job_id, (job.sample_start, job.sample_stop), job.usage_seconds, "journal"))
        notify(f"job {job.job_id}: samples {job.sample_start}-{job.sample_stop - 1} reused from {JOURNAL_NAME}")

    for event in submission.journal.unfinished_jobs():
        samples = (int(event["sample_start"]), int(event["sample_stop"]))
        if not np.isnan(raw[:, samples[0] : samples[1]]).all():
            continue
        entry = _retrieve(submission, event["job_id"], samples, raw, stds, notify)
        if entry is not None:
            jobs.append(entry)
    return jobs


def _retrieve(
    submission: _Submission,
    job_id: str,
    samples: tuple[int, int],
    raw: np.ndarray,
    stds: np.ndarray,
    notify: EventCallback,
) -> dict[str, Any] | None:
    runner = submission.executor.runner
    job = runner.retrieve(job_id)
    if job is None:
        notify(f"job {job_id}: cannot be retrieved; samples {samples[0]}-{samples[1] - 1} will be submitted again")
        submission.journal.failed(job_id, samples, "not retrievable; resubmitted")
        return None
    try:
        result = runner.wait(job, samples)
    except BackendError as error:
        submission.journal.failed(job_id, samples, str(error))
        notify(f"job {job_id}: {error}; its samples will be submitted again")
        return None
    _store(submission, result, samples, raw, stds)
    notify(f"job {job_id}: samples {samples[0]}-{samples[1] - 1} retrieved after the interruption")
    return _job_entry(job_id, samples, result.usage_seconds, "retrieved")


def _send_missing(
    submission: _Submission, raw: np.ndarray, stds: np.ndarray, notify: EventCallback
) -> list[dict[str, Any]]:
    executor = submission.executor
    jobs = executor.plan_jobs(_missing_ranges(~np.isnan(raw[0, :, 0])))
    entries = []
    for number, samples in enumerate(jobs, start=1):
        result = _send_one(submission, samples, f"{number}/{len(jobs)}", notify)
        _store(submission, result, samples, raw, stds)
        entries.append(_job_entry(result.job_id, samples, result.usage_seconds, "submitted"))
    return entries


def _send_one(submission: _Submission, samples: tuple[int, int], label: str, notify: EventCallback) -> JobResult:
    journal = submission.journal
    submitted: list[str] = []

    def record(job_id: str) -> None:
        submitted.append(job_id)
        journal.submitted(job_id, samples)
        notify(f"job {label} {job_id}: submitted samples {samples[0]}-{samples[1] - 1}")

    try:
        return submission.executor.run_job(submission.bindings[samples[0] : samples[1]], samples, on_submitted=record)
    except BackendError as error:
        journal.failed(submitted[-1] if submitted else None, samples, str(error))
        raise BackendError(
            f"{error} Finished jobs are recorded in {journal.path}; rerun with --resume to submit only the missing samples."
        ) from error


def _store(
    submission: _Submission, result: JobResult, samples: tuple[int, int], raw: np.ndarray, stds: np.ndarray
) -> None:
    submission.journal.completed(result, samples)
    raw[:, samples[0] : samples[1]] = result.expvals
    stds[:, samples[0] : samples[1]] = result.stds


def _check_shape(values: np.ndarray, target: np.ndarray, job_id: str, journal: JobJournal) -> None:
    if values.shape != target.shape:
        raise DataError(
            f"{journal.path}: job {job_id} contains values of shape {values.shape}, but this submission expects "
            f"{target.shape} (circuit variants, samples, qubits); delete {journal.path.parent} to start over."
        )


def _job_entry(job_id: str, samples: tuple[int, int], usage: float | None, source: str) -> dict[str, Any]:
    return {"job_id": job_id, "sample_start": samples[0], "sample_stop": samples[1], "usage_seconds": usage, "source": source}


def _results(
    submission: _Submission, raw: np.ndarray, stds: np.ndarray, jobs: list[dict[str, Any]], wall_seconds: float
) -> dict[str, Any]:
    executor, head, split = submission.executor, submission.head, submission.split
    expvals = executor.mitigate(raw)  # (N, n_qubits)
    with torch.no_grad():
        logits = head.post(torch.from_numpy(expvals).to(head.post.weight.dtype))  # (N, n_classes)
    predictions = logits.argmax(dim=1)
    accuracy = None if split.labels is None else float((predictions == split.labels).double().mean())

    description = executor.describe()
    return {
        "backend": submission.config.backend,
        "execution": description["execution"],
        "head": submission.head_name,
        "mode": submission.config.mode,
        "shots": submission.config.shots,
        "seed": submission.config.seed,
        "n_samples": len(expvals),
        "n_jobs": len(jobs),
        "accuracy": accuracy,
        "reference_accuracy": submission.run.reference_accuracy(submission.head_name),
        "wall_seconds": wall_seconds,
        "usage_seconds": sum(job["usage_seconds"] or 0.0 for job in jobs),
        "qpu_estimate": executor.estimate(len(expvals)).to_dict(),
        "applied_options": {**description["mitigation"], "readout_error_rates": description["readout_error_rates"]},
        "transpilation": {
            "optimization_level": submission.config.optimization_level,
            "physical_qubits": description["physical_qubits"],
            "depth": description["transpiled_depth"],
            "two_qubit_gates": description["transpiled_two_qubit_gates"],
        },
        "job_limits": description["job_limits"],
        "jobs": jobs,
        "samples": _per_sample(submission, predictions, expvals, raw, stds),
        "versions": _versions(),
    }


def _per_sample(
    submission: _Submission, predictions: torch.Tensor, expvals: np.ndarray, raw: np.ndarray, stds: np.ndarray
) -> list[dict[str, Any]]:
    label_map, split = submission.run.label_map, submission.split
    rows = []
    for index, predicted in enumerate(predictions.tolist()):
        label = None if split.labels is None else int(split.labels[index])
        rows.append(
            {
                "index": index,
                "text": split.texts[index],
                "label": label,
                "prediction": predicted,
                "predicted_label": None if label_map is None else label_map.labels[predicted],
                "expvals": expvals[index].tolist(),
                "raw_expvals": raw[:, index].tolist(),
                "stds": stds[:, index].tolist(),
            }
        )
    return rows


def _versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for package in ("qhybrid", "qiskit", "qiskit-ibm-runtime", "qiskit-aer"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    return versions
