"""ZNE on the Aer engine: a known ideal value recovered from depolarizing noise."""

from __future__ import annotations

import warnings

import pytest
import torch

from qhybrid.engines.aer import AerEngine
from qhybrid.exceptions import IllConditionedExtrapolationWarning
from qhybrid.mitigation import ZNE, Mitigation
from qhybrid.noise import NoiseSpec

from .conftest import SPEC

NOISE = NoiseSpec(depolarizing_1q=0.002, depolarizing_2q=0.02)
MAX_ERROR_RATIO = 1 / 3
"""Mitigated error must be at most this fraction of the raw error (exact density-matrix values)."""


@pytest.mark.parametrize(
    "zne",
    [
        ZNE(),
        ZNE(folding="local"),
        ZNE(extrapolation="linear", scale_factors=(1.0, 2.0, 3.0)),
        ZNE(extrapolation="polynomial", order=2, scale_factors=(1.0, 2.0, 3.0, 4.0)),
        ZNE(extrapolation="exponential"),
    ],
    ids=["richardson", "local", "linear", "polynomial", "exponential"],
)
def test_zne_recovers_ideal_values(zne, angles, weights):
    ideal = AerEngine(SPEC).expvals(angles, weights)
    raw = AerEngine(SPEC, noise=NOISE).expvals(angles, weights)
    mitigated = AerEngine(SPEC, seed=0, noise=NOISE, mitigation=Mitigation(zne=zne)).expvals(angles, weights)

    raw_error = float((raw - ideal).abs().mean())
    assert float((mitigated - ideal).abs().mean()) <= MAX_ERROR_RATIO * raw_error


def test_zne_on_fake_backend_with_readout(angles, weights):
    ideal = AerEngine(SPEC).expvals(angles, weights)
    raw = AerEngine(SPEC, noise="fake_manila").expvals(angles, weights)
    mitigation = Mitigation(readout="matrix", zne=ZNE())
    mitigated = AerEngine(SPEC, seed=0, noise="fake_manila", mitigation=mitigation).expvals(angles, weights)
    assert float((mitigated - ideal).abs().mean()) <= MAX_ERROR_RATIO * float((raw - ideal).abs().mean())


def test_scaled_circuits_are_noisier(angles, weights):
    # Folding must survive into the simulation: the values at scale 5 decay further than at scale 1.
    ideal = AerEngine(SPEC).expvals(angles, weights)
    engine = AerEngine(SPEC, seed=0, noise=NOISE, mitigation=Mitigation(zne=ZNE(scale_factors=(1.0, 3.0, 5.0))))
    pipeline = engine.executor.pipeline
    captured = []
    reduce = pipeline.reduce
    pipeline.reduce = lambda values: captured.append(values) or reduce(values)
    engine.expvals(angles, weights)

    per_scale = torch.from_numpy(captured[0])  # (K, M, n_qubits)
    errors = [float((per_scale[k] - ideal).abs().mean()) for k in range(3)]
    assert errors[0] < errors[1] < errors[2]


def test_zne_with_shots_stays_in_range(angles, weights):
    engine = AerEngine(SPEC, shots=256, seed=0, noise=NOISE, mitigation=Mitigation(zne=ZNE()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IllConditionedExtrapolationWarning)  # clipping is what this test checks
        values = engine.expvals(angles, weights)
    assert float(values.abs().max()) <= 1.0
