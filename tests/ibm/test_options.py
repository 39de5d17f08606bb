"""Mapping of Mitigation to IBM Runtime EstimatorOptions, and to client-side steps in local testing mode."""

from __future__ import annotations

import pytest

from qhybrid.exceptions import ConfigError
from qhybrid.ibm.options import coerce_mitigation, plan_mitigation
from qhybrid.mitigation import ZNE, Mitigation

pytest.importorskip("qiskit_ibm_runtime")
from qiskit_ibm_runtime.options import EstimatorOptions  # noqa: E402

SHOTS = 4096


def runtime_options(mitigation: Mitigation | None) -> dict:
    return plan_mitigation(mitigation, SHOTS, seed=7, local=False).runtime_options


def test_no_mitigation_turns_everything_off() -> None:
    options = runtime_options(None)

    assert options["resilience_level"] == 0
    assert options["default_shots"] == SHOTS
    assert options["seed_estimator"] == 7
    assert options["resilience"] == {"measure_mitigation": False, "zne_mitigation": False}
    assert options["twirling"] == {"enable_gates": False, "enable_measure": False}
    assert options["dynamical_decoupling"] == {"enable": False}


def test_readout_maps_to_trex() -> None:
    plan = plan_mitigation(Mitigation(readout="mthree"), SHOTS, seed=None, local=False)

    assert plan.runtime_options["resilience"]["measure_mitigation"] is True
    assert plan.runtime_options["twirling"]["enable_measure"] is True
    assert "seed_estimator" not in plan.runtime_options
    assert any("TREX" in note for note in plan.notes)
    assert plan.client_readout is None


def test_zne_richardson_maps_to_polynomial() -> None:
    plan = plan_mitigation(Mitigation(zne=ZNE(scale_factors=(1, 3, 5), folding="local")), SHOTS, None, local=False)
    zne = plan.runtime_options["resilience"]["zne"]

    assert plan.runtime_options["resilience"]["zne_mitigation"] is True
    assert zne == {"amplifier": "gate_folding", "noise_factors": [1.0, 3.0, 5.0], "extrapolator": "polynomial_degree_2"}
    assert plan.noise_factors == (1.0, 3.0, 5.0)
    assert plan.notes == ()


@pytest.mark.parametrize(
    ("zne", "extrapolator"),
    [
        (ZNE(scale_factors=(1, 2, 3), extrapolation="linear"), "linear"),
        (ZNE(scale_factors=(1, 2, 3), extrapolation="exponential"), "exponential"),
        (ZNE(scale_factors=(1, 2, 3, 4), extrapolation="polynomial", order=3), "polynomial_degree_3"),
    ],
)
def test_zne_extrapolators(zne: ZNE, extrapolator: str) -> None:
    assert runtime_options(Mitigation(zne=zne))["resilience"]["zne"]["extrapolator"] == extrapolator


def test_global_folding_substitution_is_recorded() -> None:
    plan = plan_mitigation(Mitigation(zne=ZNE()), SHOTS, None, local=False)
    assert any("folding='global'" in note for note in plan.notes)
    assert plan.describe()["notes"] == list(plan.notes)


def test_richardson_degree_above_runtime_rejected() -> None:
    zne = ZNE(scale_factors=tuple(range(1, 10)))
    with pytest.raises(ConfigError, match="degree 8 is not available on IBM Runtime"):
        runtime_options(Mitigation(zne=zne))


def test_twirling_and_dd_map_to_options() -> None:
    options = runtime_options(Mitigation(twirling=True, twirling_randomizations=8, dynamical_decoupling="XY4"))

    assert options["twirling"] == {"enable_gates": True, "enable_measure": False, "num_randomizations": 8}
    assert options["dynamical_decoupling"] == {"enable": True, "sequence_type": "XY4"}


def test_every_option_set_is_valid_for_runtime() -> None:
    mitigation = Mitigation(readout="matrix", zne=ZNE(), twirling=True, dynamical_decoupling="XX")
    options = EstimatorOptions(**runtime_options(mitigation))
    assert options.resilience.zne.noise_factors == [1.0, 3.0, 5.0]


def test_local_mode_runs_client_side() -> None:
    mitigation = Mitigation(readout="mthree", readout_shots=1000, zne=ZNE(), twirling=True, dynamical_decoupling="XX")
    plan = plan_mitigation(mitigation, SHOTS, seed=3, local=True)

    assert plan.runtime_options == {"default_shots": SHOTS}
    assert plan.client_readout == "mthree"
    assert plan.client_readout_shots == 1000
    assert plan.client_steps.zne == ZNE()
    assert plan.client_steps.twirling_randomizations == 16
    assert plan.client_steps.dynamical_decoupling == "XX"
    assert plan.client_steps.seed == 3
    assert plan.describe()["client_side"]["readout"] == {"method": "mthree", "calibration_shots": 1000}


def test_local_mode_without_mitigation_has_no_steps() -> None:
    plan = plan_mitigation(Mitigation(), SHOTS, seed=0, local=True)
    assert plan.client_steps is None
    assert plan.client_readout is None


def test_dict_is_coerced() -> None:
    assert coerce_mitigation({"readout": "matrix"}) == Mitigation(readout="matrix")


def test_unknown_key_rejected() -> None:
    with pytest.raises(ConfigError, match="valid keys are"):
        coerce_mitigation({"readuot": "matrix"})


def test_wrong_type_rejected() -> None:
    with pytest.raises(ConfigError, match="got str"):
        coerce_mitigation("mthree")
