"""Mitigation and ZNE configs: validation and dict round trips."""

from __future__ import annotations

import pytest

from qhybrid.exceptions import ConfigError
from qhybrid.mitigation import ZNE, Mitigation


def test_mitigation_round_trip_with_nested_zne():
    mitigation = Mitigation(readout="mthree", zne=ZNE(scale_factors=(1.0, 2.0, 3.0), folding="local"), twirling=True)
    data = mitigation.to_dict()
    assert data["zne"]["scale_factors"] == [1.0, 2.0, 3.0]
    assert "dynamical_decoupling" not in data  # None fields are left out, as TOML has no null
    assert Mitigation.from_dict(data) == mitigation


def test_zne_table_converts_lists():
    zne = ZNE.from_dict({"scale_factors": [1, 3, 5]})
    assert zne.scale_factors == (1.0, 3.0, 5.0)


def test_default_mitigation_is_inactive():
    assert not Mitigation().active
    assert Mitigation(twirling=True).active


@pytest.mark.parametrize(
    ("scale_factors", "message"),
    [
        ((0.5, 1.0, 3.0), r"contains 0\.5\. A scale factor below 1"),
        ((1.0, 1.0, 3.0), r"at least 2 distinct .* got \[1\.0, 1\.0, 3\.0\]"),
        ((1.0,), r"at least 2 distinct .* got \[1\.0\]"),
        ("135", r"got '135'"),
        ((1.0, float("nan")), r"contains nan"),
    ],
)
def test_zne_rejects_bad_scale_factors(scale_factors, message):
    with pytest.raises(ConfigError, match=message):
        ZNE(scale_factors=scale_factors)


def test_zne_rejects_unknown_extrapolation():
    with pytest.raises(ConfigError, match=r"Unknown ZNE extrapolation 'quadratic'; choose one of \['richardson'"):
        ZNE(extrapolation="quadratic")


def test_zne_rejects_unknown_folding():
    with pytest.raises(ConfigError, match=r"Unknown ZNE folding 'partial'; choose one of \['global', 'local'\]"):
        ZNE(folding="partial")


def test_polynomial_needs_enough_scale_factors():
    with pytest.raises(ConfigError, match="order 3 needs at least 4 scale factors"):
        ZNE(scale_factors=(1, 3, 5), extrapolation="polynomial", order=3)


def test_zne_rejects_bad_order():
    with pytest.raises(ConfigError, match="ZNE order must be a positive integer"):
        ZNE(order=0)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"readout": "m3"}, r"Unknown readout mitigation 'm3'; choose None or one of \['mthree', 'matrix'\]"),
        ({"readout_shots": 0}, "readout_shots must be a positive integer, got 0"),
        ({"twirling": "yes"}, "twirling must be true or false"),
        ({"twirling_randomizations": -2}, "twirling_randomizations must be a positive integer"),
        ({"dynamical_decoupling": "CPMG"}, r"Unknown dynamical_decoupling 'CPMG'; choose None or one of \['XX', 'XY4'\]"),
        ({"zne": 3}, "zne must be a ZNE, a table of its fields, or None"),
    ],
)
def test_mitigation_rejects_bad_fields(fields, message):
    with pytest.raises(ConfigError, match=message):
        Mitigation(**fields)


def test_from_dict_rejects_unknown_keys():
    with pytest.raises(ConfigError, match=r"unknown mitigation key\(s\) \['zne_factors'\]; valid keys are \['readout'"):
        Mitigation.from_dict({"zne_factors": [1, 3]})


def test_nested_zne_rejects_unknown_keys():
    with pytest.raises(ConfigError, match=r"unknown ZNE key\(s\) \['factors'\]"):
        Mitigation.from_dict({"zne": {"factors": [1, 3]}})
