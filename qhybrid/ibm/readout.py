"""Readout calibration on a local IBM backend, for client-side readout mitigation in local testing mode.

IBM Runtime's TREX does not run in local testing mode, and the Estimator returns
expectation values rather than the counts that mthree corrects. So the
per-qubit error rates p(1|0) and p(0|1) are measured with mthree's calibration
circuits (Nation et al., arXiv:2108.12518) on the backend itself, and
:class:`qhybrid.mitigation.readout.ReadoutCalibration` inverts the affine map
they give each <Z_i>, which is exact for independent readout errors. For Z_i
marginals under tensored calibrations, mthree's correction of the counts gives
the same values, so ``readout="mthree"`` and ``readout="matrix"`` both use this path.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from qhybrid.exceptions import MissingDependencyError
from qhybrid.mitigation.readout import ReadoutCalibration

logger = logging.getLogger(__name__)


def calibrate_readout(backend: Any, physical_qubits: tuple[int, ...], shots: int) -> ReadoutCalibration:
    """Measure the readout error rates of ``physical_qubits`` on a local ``backend`` with mthree.

    Args:
        backend: a local ``BackendV2`` with ``run`` (a fake backend or an Aer simulator).
        physical_qubits: physical qubit of each logical qubit, in result-column order.
        shots: shots per calibration circuit.

    Returns:
        The calibration; its ``rates`` have shape (n_qubits, 2): p(1|0), p(0|1).

    Raises:
        MissingDependencyError: if mthree is not installed.
        BackendError: if a qubit's readout is too unreliable to invert.
    """
    try:
        import mthree
    except ImportError as error:
        raise MissingDependencyError(
            f"Client-side readout mitigation needs mthree ({error}). Install it with: pip install 'qhybrid[mitigation]'"
        ) from error

    mitigator = mthree.M3Mitigation(backend)
    mitigator.cals_from_system(list(physical_qubits), shots=shots, async_cal=False)
    # mthree's 2x2 matrix per qubit has one column per prepared bit: [[p(0|0), p(0|1)], [p(1|0), p(1|1)]].
    matrices = [np.asarray(mitigator.single_qubit_cals[qubit]) for qubit in physical_qubits]
    rates = np.array([[matrix[1, 0], matrix[0, 1]] for matrix in matrices])  # (n_qubits, 2)
    logger.info("Readout error rates (p(1|0), p(0|1)) on %s qubits %s: %s", backend.name, list(physical_qubits), rates.round(4).tolist())
    return ReadoutCalibration(rates)
