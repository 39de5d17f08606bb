"""Hardware cost of a quantum head on IBM: transpiled circuit size, shots and estimated QPU time.

The circuit is converted to Qiskit once (:func:`qhybrid.engines.conversion.convert`)
and transpiled to the ISA of a fake IBM backend with a seeded preset pass manager
(:func:`qhybrid.ibm.isa.build_isa_program`, optimization level 1, ``seed_transpiler=0``),
the same transpilation that an IBM Quantum submission runs. The QPU time is an
estimate from :func:`qhybrid.ibm.cost.estimate_qpu_seconds`::

    qpu_seconds = n_jobs * job_overhead
                + n_predictions * shots * sum over scale factors f of (rep_delay + f * circuit_duration)

with ``circuit_duration`` the scheduled duration of the ISA circuit from the target's
gate durations plus its longest measurement, and ``n_jobs`` from the backend's per-job
limits. One prediction runs one circuit per ZNE scale factor (one without ZNE).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

from qhybrid.circuits import CircuitSpec
from qhybrid.engines.conversion import convert
from qhybrid.exceptions import ConfigError
from qhybrid.ibm.cost import QPUEstimate, circuit_duration_seconds, estimate_qpu_seconds, rep_delay_seconds
from qhybrid.ibm.isa import build_isa_program
from qhybrid.ibm.limits import read_job_limits

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CircuitCost:
    """Transpiled size of a head's circuit and the estimated QPU time of a prediction run."""

    target: str
    """Name of the backend the circuit was transpiled to, e.g. ``"fake_brisbane"``."""

    depth: int
    """Depth of the ISA circuit, without measurements."""

    two_qubit_gates: int
    """Two-qubit gates of the ISA circuit (ECR or CX), routing SWAPs included."""

    physical_qubits: tuple[int, ...]
    """Physical qubit measured for logical qubit i."""

    shots_per_circuit: int
    """Shots of each circuit run."""

    circuits_per_prediction: int
    """Circuits one prediction runs: the number of ZNE scale factors, else 1."""

    n_predictions: int
    """Predictions the estimate covers, e.g. the test split's size."""

    qpu: QPUEstimate
    """The QPU time estimate with the figures it is computed from."""

    @property
    def shots_per_prediction(self) -> int:
        """Shots that one prediction spends, over all its circuits."""
        return self.shots_per_circuit * self.circuits_per_prediction

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict; the QPU time is labelled as an estimate."""
        data = asdict(self)
        data["physical_qubits"] = list(self.physical_qubits)
        data["qpu"] = self.qpu.to_dict()
        data["shots_per_prediction"] = self.shots_per_prediction
        return data


def estimate_circuit_cost(
    spec: CircuitSpec,
    backend: Any,
    shots: int,
    n_predictions: int,
    scale_factors: tuple[float, ...] = (1.0,),
) -> CircuitCost:
    """Transpile ``spec`` to ``backend`` and estimate the QPU time of ``n_predictions`` predictions.

    Args:
        spec: The head's circuit structure.
        backend: A ``BackendV2`` with gate durations, such as a fake IBM backend.
        shots: Shots per circuit.
        n_predictions: Predictions to estimate, e.g. the test split's size.
        scale_factors: ZNE noise scale factors; ``(1.0,)`` without ZNE.

    Returns:
        Circuit depth, two-qubit gate count, shots and the QPU time estimate.

    Raises:
        ConfigError: If ``shots`` or ``n_predictions`` is not a positive integer, or
            ``scale_factors`` is empty.
        BackendError: If the circuit does not fit the backend or one prediction exceeds
            a per-job limit.
    """
    for name, value in (("shots", shots), ("n_predictions", n_predictions)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{name} must be a positive integer, got {value!r}.")
    if len(scale_factors) == 0:
        raise ConfigError("scale_factors must contain at least one factor; pass (1.0,) without ZNE.")

    program = build_isa_program(convert(spec), backend)
    circuit_seconds = circuit_duration_seconds(program.circuit, backend.target, program.physical_qubits)
    if circuit_seconds is None:
        logger.warning("Backend %s has no gate durations; the QPU estimate leaves circuit time out", backend.name)

    circuits_per_prediction = len(scale_factors)
    per_job = read_job_limits(backend).samples_per_job(circuits_per_prediction, shots)
    n_jobs = -(-n_predictions // per_job)
    estimate = estimate_qpu_seconds(
        n_jobs, n_predictions, shots, [circuit_seconds], rep_delay_seconds(backend), tuple(scale_factors)
    )
    return CircuitCost(
        target=backend.name,
        depth=program.circuit.depth(),
        two_qubit_gates=program.two_qubit_gate_count(),
        physical_qubits=program.physical_qubits,
        shots_per_circuit=shots,
        circuits_per_prediction=circuits_per_prediction,
        n_predictions=n_predictions,
        qpu=estimate,
    )
