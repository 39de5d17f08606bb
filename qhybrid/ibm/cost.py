"""An estimate of the QPU time a submission uses, from the backend's timing and the job plan.

Model (an estimate, not IBM's billing formula)::

    qpu_seconds = n_jobs * JOB_OVERHEAD_SECONDS
                + n_bindings * shots * sum over circuits c and noise factors f of (rep_delay + f * duration_c)

A QPU runs every circuit of a job once per shot, with ``rep_delay`` between
shots (IBM's "dynamic repetition rate execution" guide). ``duration_c`` is the
scheduled duration of circuit variant c from the target's gate durations plus
the longest measurement. Under IBM Runtime's ZNE each circuit runs once per
noise factor f, with its duration scaled by f, which overestimates because gate
folding only repeats the two-qubit gates. Client-side variants (local testing
mode) are separate circuits with f = 1. Measurement-mitigation calibration
circuits that IBM Runtime adds are not counted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from qiskit import QuantumCircuit

JOB_OVERHEAD_SECONDS = 2.0
"""Assumed QPU time per job for loading and setup.
NOTE: an assumed figure, not measured on a QPU; compare it with ``job.usage()`` after a real run."""

DEFAULT_REP_DELAY_SECONDS = 250e-6
"""Delay between shots when the backend reports none; fake_manila's default_rep_delay."""


@dataclass(frozen=True)
class QPUEstimate:
    """Estimated QPU time of a submission, with the figures it is computed from."""

    seconds: float
    """Estimated QPU seconds in total."""

    n_jobs: int
    """Jobs in the plan."""

    n_bindings: int
    """Parameter bindings, one per sample."""

    circuits_per_binding: int
    """Circuit variants each binding runs."""

    shots: int
    """Shots per circuit."""

    rep_delay_seconds: float
    """Delay between shots."""

    circuit_seconds: float | None
    """Mean duration of one circuit variant, measurement included; None if the target has no gate durations."""

    noise_factors: tuple[float, ...]
    """ZNE noise factors, ``(1.0,)`` without ZNE."""

    job_overhead_seconds: float
    """Assumed per-job overhead."""

    def to_dict(self) -> dict[str, Any]:
        """Return the estimate as a JSON-ready dict, labelled as an estimate."""
        return {"kind": "estimate", **asdict(self)}


def circuit_duration_seconds(circuit: QuantumCircuit, target: Any, measured_qubits: tuple[int, ...]) -> float | None:
    """Return the scheduled duration of an ISA circuit plus its longest measurement, in seconds.

    Returns:
        The duration, or None when the target lacks gate durations (e.g. a plain ``AerSimulator``).
    """
    try:
        gates = float(circuit.estimate_duration(target, unit="s"))
    except Exception:  # noqa: BLE001 - Qiskit raises several types when a duration is missing
        return None
    measure = [_measure_duration(target, qubit) for qubit in measured_qubits]
    if any(duration is None for duration in measure):
        return None
    return gates + max(measure, default=0.0)


def rep_delay_seconds(backend: Any) -> float:
    """Return the backend's default delay between shots, in seconds."""
    try:
        value = backend.configuration().default_rep_delay
    except (AttributeError, NotImplementedError):
        value = None
    return float(value) if value else DEFAULT_REP_DELAY_SECONDS


def estimate_qpu_seconds(
    n_jobs: int,
    n_bindings: int,
    shots: int,
    circuit_seconds: list[float | None],
    rep_delay: float,
    noise_factors: tuple[float, ...] = (1.0,),
) -> QPUEstimate:
    """Estimate the QPU time of ``n_jobs`` jobs that run ``n_bindings`` bindings of every circuit variant.

    Args:
        n_jobs: jobs in the plan.
        n_bindings: parameter bindings in all jobs together.
        shots: shots per circuit.
        circuit_seconds: duration of each circuit variant; a missing duration counts as zero,
            so the estimate then covers only the overhead and the delays between shots.
        rep_delay: delay between shots, in seconds.
        noise_factors: IBM Runtime ZNE noise factors, ``(1.0,)`` without it.
    """
    durations = [duration or 0.0 for duration in circuit_seconds]
    per_shot = sum(rep_delay + factor * duration for duration in durations for factor in noise_factors)
    known = [duration for duration in circuit_seconds if duration is not None]
    return QPUEstimate(
        seconds=n_jobs * JOB_OVERHEAD_SECONDS + n_bindings * shots * per_shot,
        n_jobs=n_jobs,
        n_bindings=n_bindings,
        circuits_per_binding=len(circuit_seconds),
        shots=shots,
        rep_delay_seconds=rep_delay,
        circuit_seconds=float(np.mean(known)) if len(known) == len(circuit_seconds) and known else None,
        noise_factors=tuple(noise_factors),
        job_overhead_seconds=JOB_OVERHEAD_SECONDS,
    )


def _measure_duration(target: Any, qubit: int) -> float | None:
    try:
        properties = target["measure"][(qubit,)]
    except (KeyError, TypeError):
        return None
    return None if properties is None or properties.duration is None else float(properties.duration)
