"""Dynamical decoupling in idle windows with Qiskit's ``PadDynamicalDecoupling``."""

from __future__ import annotations

from typing import Any

from qiskit import QuantumCircuit
from qiskit.circuit.equivalence_library import SessionEquivalenceLibrary
from qiskit.circuit.library import XGate, YGate
from qiskit.transpiler import InstructionDurations, PassManager, TranspilerError
from qiskit.transpiler.passes import ALAPScheduleAnalysis, BasisTranslator, PadDynamicalDecoupling

from qhybrid.exceptions import ConfigError
from qhybrid.mitigation.config import DD_SEQUENCES

_SEQUENCES = {"XX": [XGate(), XGate()], "XY4": [XGate(), YGate(), XGate(), YGate()]}


def add_dynamical_decoupling(circuit: QuantumCircuit, sequence: str, backend: Any) -> QuantumCircuit:
    """Schedule ``circuit`` as late as possible and fill idle windows with a DD sequence.

    ``"XX"`` is two X pulses (Hahn echo pairs), ``"XY4"`` is X Y X Y (Viola et al.,
    arXiv:quant-ph/9809071). Y pulses take the duration of X on the
    same qubit and are written as RZ(pi) X afterwards, since IBM targets have no Y
    gate. Idle time that no sequence fills stays a ``Delay``, which Aer noise models
    built by ``NoiseModel.from_backend`` give thermal relaxation noise.

    Args:
        circuit: transpiled unitary circuit for ``backend``, without measurements.
        sequence: ``"XX"`` or ``"XY4"``.
        backend: fake backend whose target supplies gate durations and pulse alignment.

    Returns:
        The padded circuit, in the backend's basis gates.

    Raises:
        ConfigError: if ``sequence`` is unknown or ``backend`` has no gate durations.
    """
    if sequence not in DD_SEQUENCES:
        raise ConfigError(f"Unknown dynamical_decoupling {sequence!r}; choose one of {list(DD_SEQUENCES)}.")
    durations = _durations_with_y(backend)
    padding = PassManager(
        [
            ALAPScheduleAnalysis(durations=durations),
            PadDynamicalDecoupling(
                durations=durations, dd_sequence=_SEQUENCES[sequence], pulse_alignment=backend.target.pulse_alignment
            ),
        ]
    )
    # NOTE: circuits run without this pass contain no Delay, so Aer gives their idle
    # qubits no relaxation noise, and its noise models have no coherent idle errors
    # for DD to cancel. In these simulations DD can therefore only add error.
    padded = _without_idle_wires(padding.run(circuit), used_qubits(circuit))
    # A separate pass manager, because a scheduled circuit's node times do not survive a basis change.
    return PassManager([BasisTranslator(SessionEquivalenceLibrary, sorted(backend.operation_names))]).run(padded)


def used_qubits(circuit: QuantumCircuit) -> set[int]:
    """Return the indices of the qubits that some instruction of ``circuit`` acts on."""
    return {circuit.find_bit(qubit).index for instruction in circuit.data for qubit in instruction.qubits}


def _without_idle_wires(circuit: QuantumCircuit, used: set[int]) -> QuantumCircuit:
    """Drop the delays the padding put on qubits the circuit never uses.

    Aer simulates only the qubits that instructions act on, and a delay with
    relaxation noise on each unused qubit of a 127-qubit device would make it
    simulate all of them.
    """
    trimmed = circuit.copy_empty_like()
    for instruction in circuit.data:
        if all(circuit.find_bit(qubit).index in used for qubit in instruction.qubits):
            trimmed.append(instruction)
    return trimmed


def _durations_with_y(backend: Any) -> InstructionDurations:
    missing = ConfigError(
        "dynamical_decoupling needs gate durations, which only a fake backend noise target provides; "
        "use for example noise='fake_manila', or set dynamical_decoupling to None."
    )
    if getattr(backend, "target", None) is None:
        raise missing
    durations = backend.target.durations()
    try:
        x_durations = [durations.get("x", [qubit], unit="dt") for qubit in range(backend.num_qubits)]
    except TranspilerError as error:
        raise missing from error
    y_durations = [("y", (qubit,), duration, "dt") for qubit, duration in enumerate(x_durations)]
    durations.update(InstructionDurations(y_durations, dt=durations.dt))
    return durations
