"""Unitary folding of transpiled circuits: gate counts scale, the unitary does not change."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import transpile
from qiskit.quantum_info import Operator

from qhybrid.circuits import CircuitSpec
from qhybrid.engines.conversion import convert
from qhybrid.exceptions import ConfigError
from qhybrid.mitigation import count_gates, fold_circuit
from qhybrid.noise import resolve_noise


@pytest.fixture(scope="module")
def manila():
    return resolve_noise("fake_manila")


@pytest.fixture(scope="module")
def transpiled(manila):
    return transpile(
        convert(CircuitSpec(3, 1)).circuit, backend=manila.target_backend, optimization_level=1, seed_transpiler=0
    )


@pytest.mark.parametrize("folding", ["global", "local"])
@pytest.mark.parametrize("scale", [3.0, 5.0])
def test_noisy_gate_count_scales(transpiled, manila, folding, scale):
    folded, realized = fold_circuit(transpiled, scale, folding, manila.basis_gates, manila.noisy_gates, seed=0)
    assert realized == scale
    assert count_gates(folded, manila.noisy_gates) == scale * count_gates(transpiled, manila.noisy_gates)
    assert count_gates(folded, frozenset({"cx"})) == scale * count_gates(transpiled, frozenset({"cx"}))


@pytest.mark.parametrize("folding", ["global", "local"])
def test_fractional_scale_reports_realized_factor(transpiled, manila, folding):
    folded, realized = fold_circuit(transpiled, 2.0, folding, manila.basis_gates, manila.noisy_gates, seed=0)
    base = count_gates(transpiled, manila.noisy_gates)
    assert count_gates(folded, manila.noisy_gates) == pytest.approx(realized * base)
    assert abs(realized - 2.0) <= 2.0 / base  # rounding to whole gates


@pytest.mark.parametrize("folding", ["global", "local"])
def test_folding_keeps_unitary_and_basis(transpiled, manila, folding):
    folded, _ = fold_circuit(transpiled, 3.5, folding, manila.basis_gates, manila.noisy_gates, seed=1)
    values = np.linspace(0.1, 2.0, len(transpiled.parameters))
    assert Operator(transpiled.assign_parameters(values)).equiv(Operator(folded.assign_parameters(values)))
    assert set(folded.count_ops()) <= set(manila.basis_gates)  # no sxdg, which the noise model would skip


def test_scale_one_returns_copy(transpiled, manila):
    folded, realized = fold_circuit(transpiled, 1.0, "global", manila.basis_gates, manila.noisy_gates)
    assert realized == 1.0
    assert folded == transpiled
    assert folded is not transpiled


def test_scale_below_one_rejected(transpiled, manila):
    with pytest.raises(ConfigError, match="scale_factor must be a finite number >= 1, got 0.5"):
        fold_circuit(transpiled, 0.5, "global", manila.basis_gates)


def test_unknown_folding_rejected(transpiled, manila):
    with pytest.raises(ConfigError, match=r"Unknown folding 'random'; choose one of \['global', 'local'\]"):
        fold_circuit(transpiled, 3.0, "random", manila.basis_gates)
