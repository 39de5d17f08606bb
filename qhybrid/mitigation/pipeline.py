"""The circuits one mitigated execution runs, and the reduction of their results to mitigated <Z_i>.

For scale factors lambda_1..lambda_K and R twirling randomizations the pipeline
builds K * R variants of the transpiled circuit: twirl (R seeded copies), fold
each copy to every scale factor, pad idle windows with dynamical decoupling,
then add the readout. An executor runs every variant for every binding in one
simulator call and hands the results back as (K * R, M, n_qubits) values, which
:meth:`MitigationPipeline.reduce` corrects for readout errors, averages over the
randomizations and extrapolates to zero noise.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.transpiler import Target

from qhybrid.engines.readout import expvals_from_counts
from qhybrid.engines.transpiled import TranspiledCircuit, add_readout
from qhybrid.exceptions import ConfigError
from qhybrid.mitigation.config import Mitigation
from qhybrid.mitigation.decoupling import add_dynamical_decoupling
from qhybrid.mitigation.extrapolation import Extrapolator
from qhybrid.mitigation.folding import fold_circuit
from qhybrid.mitigation.readout import MthreeCorrection, ReadoutCalibration
from qhybrid.mitigation.twirling import twirled_circuits
from qhybrid.noise import ResolvedNoise

logger = logging.getLogger(__name__)


class MitigationPipeline:
    """Circuit variants for a :class:`Mitigation` and the post-processing of their results.

    Args:
        transpiled: the transpiled circuit; its ``unitary`` and physical qubits are used.
        mitigation: the techniques to apply; ``Mitigation()`` runs the circuit as is.
        noise: the noise the circuits run under, or None for an ideal simulator.
        shots: shots per binding, None for exact values.
        seed: seeds twirling, local folding and readout calibration.

    Raises:
        ConfigError: if a technique cannot run in this setting (readout mitigation
            without noise, mthree without shots, dynamical decoupling without gate durations).
    """

    def __init__(
        self,
        transpiled: TranspiledCircuit,
        mitigation: Mitigation,
        noise: ResolvedNoise | None,
        shots: int | None,
        seed: int | None,
    ) -> None:
        _check_supported(mitigation, noise, shots)
        self.mitigation = mitigation
        self.physical_qubits = transpiled.physical_qubits
        self.randomizations = mitigation.twirling_randomizations if mitigation.twirling else 1
        self.shots_per_circuit = None if shots is None else math.ceil(shots / self.randomizations)

        unitary = transpiled.unitary if transpiled.unitary is not None else transpiled.circuit
        unitaries, self.scale_factors = self._build_variants(unitary, noise, seed)
        self.circuits = [add_readout(circuit, self.physical_qubits, shots is not None) for circuit in unitaries]

        self.extrapolator = None
        if mitigation.zne is not None:
            self.extrapolator = Extrapolator(self.scale_factors, mitigation.zne.extrapolation, mitigation.zne.order)
        self.calibration, self.mthree = self._calibrate(unitary.num_qubits, noise, seed)
        logger.info(
            "Mitigation pipeline: %d circuits per binding (scale factors %s, %d randomizations), readout %s",
            len(self.circuits), [round(scale, 3) for scale in self.scale_factors], self.randomizations,
            mitigation.readout,
        )

    def _build_variants(
        self, unitary: QuantumCircuit, noise: ResolvedNoise | None, seed: int | None
    ) -> tuple[list[QuantumCircuit], list[float]]:
        mitigation = self.mitigation
        copies = [unitary]
        if mitigation.twirling:
            copies = twirled_circuits(unitary, self.randomizations, seed, _twirling_target(noise, unitary))

        requested = (1.0,) if mitigation.zne is None else mitigation.zne.scale_factors
        variants: list[QuantumCircuit] = []
        realized: list[float] = []
        for scale in requested:
            scales_of_copies = []
            for index, copy in enumerate(copies):
                folded, achieved = self._fold(copy, scale, noise, None if seed is None else seed + index)
                if mitigation.dynamical_decoupling is not None:
                    folded = add_dynamical_decoupling(folded, mitigation.dynamical_decoupling, noise.target_backend)
                variants.append(folded)
                scales_of_copies.append(achieved)
            realized.append(float(np.mean(scales_of_copies)))
        return variants, realized

    def _fold(
        self, circuit: QuantumCircuit, scale: float, noise: ResolvedNoise | None, seed: int | None
    ) -> tuple[QuantumCircuit, float]:
        zne = self.mitigation.zne
        if zne is None or scale == 1.0:
            return circuit, 1.0
        basis = noise.basis_gates if noise is not None else tuple(sorted(circuit.count_ops()))
        noisy = noise.noisy_gates if noise is not None else None
        return fold_circuit(circuit, scale, zne.folding, basis, noisy, seed)

    def _calibrate(
        self, circuit_qubits: int, noise: ResolvedNoise | None, seed: int | None
    ) -> tuple[ReadoutCalibration | None, MthreeCorrection | None]:
        readout = self.mitigation.readout
        if readout is None or noise is None:
            return None, None
        shots = self.mitigation.readout_shots
        if readout == "mthree":
            return None, MthreeCorrection(noise.noise_model, self.physical_qubits, shots, seed)
        return ReadoutCalibration.calibrate(noise.noise_model, circuit_qubits, self.physical_qubits, shots, seed), None

    def expvals_from_counts(self, counts: list[dict[str, int]]) -> np.ndarray:
        """Turn the counts of each binding into <Z_i>, through mthree when it is on; shape (M, n_qubits)."""
        if self.mthree is not None:
            return self.mthree.expvals(counts)
        return expvals_from_counts(counts, len(self.physical_qubits))

    def reduce(self, values: np.ndarray) -> np.ndarray:
        """Reduce per-variant <Z_i> to mitigated values.

        Args:
            values: <Z_i> of every variant and binding, shape (K * R, M, n_qubits), in
                the order of :attr:`circuits` (scale-factor-major).

        Returns:
            Mitigated <Z_i>, shape (M, n_qubits).
        """
        if self.calibration is not None:
            values = self.calibration.correct(values)
        n_scales = len(self.scale_factors)
        per_scale = values.reshape(n_scales, self.randomizations, *values.shape[1:]).mean(axis=1)  # (K, M, n)
        if self.extrapolator is None:
            return per_scale[0]
        return self.extrapolator.extrapolate(per_scale)

    def describe(self) -> dict[str, Any]:
        """Return a JSON-ready summary."""
        return {
            "mitigation": self.mitigation.to_dict(),
            "circuits_per_binding": len(self.circuits),
            "realized_scale_factors": list(self.scale_factors),
            "shots_per_circuit": self.shots_per_circuit,
            "extrapolation_amplification": None if self.extrapolator is None else self.extrapolator.amplification,
        }


def _check_supported(mitigation: Mitigation, noise: ResolvedNoise | None, shots: int | None) -> None:
    if mitigation.readout == "mthree" and shots is None:
        raise ConfigError(
            "readout='mthree' corrects measured counts and needs shots; set shots (e.g. 8192) or use "
            "readout='matrix', which also corrects exact expectation values."
        )
    if mitigation.dynamical_decoupling is not None and (noise is None or noise.target_backend is None):
        raise ConfigError(
            f"dynamical_decoupling={mitigation.dynamical_decoupling!r} needs gate durations, which only a fake "
            "backend noise target provides; use for example noise='fake_manila', or set dynamical_decoupling to None."
        )
    if mitigation.readout is not None and noise is None:
        logger.warning("readout=%r is set but the engine has no noise model; readout mitigation is skipped.",
                       mitigation.readout)


def _twirling_target(noise: ResolvedNoise | None, circuit: QuantumCircuit) -> Target | None:
    """Return the target that twirling Paulis are synthesized into, so the noise model applies to them."""
    if noise is None:
        return None
    if noise.target_backend is not None:
        return noise.target_backend.target
    return Target.from_configuration(basis_gates=list(noise.basis_gates), num_qubits=circuit.num_qubits)
