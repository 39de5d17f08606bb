"""``Mitigation`` and ``ZNE``: which error mitigation techniques run, as written in a config file.

The field names are fixed: the IBM Quantum submission maps them to Qiskit Runtime
estimator options, and the Aer engine implements them locally.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

from qhybrid.exceptions import ConfigError

FOLDING_METHODS: tuple[str, ...] = ("global", "local")
"""Values of :attr:`ZNE.folding`."""

EXTRAPOLATIONS: tuple[str, ...] = ("richardson", "linear", "polynomial", "exponential")
"""Values of :attr:`ZNE.extrapolation`."""

READOUT_METHODS: tuple[str, ...] = ("mthree", "matrix")
"""Values of :attr:`Mitigation.readout` besides None."""

DD_SEQUENCES: tuple[str, ...] = ("XX", "XY4")
"""Values of :attr:`Mitigation.dynamical_decoupling` besides None."""


@dataclass(frozen=True)
class ZNE:
    """Zero-noise extrapolation by unitary folding (Giurgica-Tiron et al., arXiv:2005.10921).

    Example:
        >>> ZNE.from_dict({"scale_factors": [1, 2, 3], "extrapolation": "linear"})
        ZNE(scale_factors=(1.0, 2.0, 3.0), folding='global', extrapolation='linear', order=2)
    """

    scale_factors: tuple[float, ...] = (1.0, 3.0, 5.0)
    """Noise scale factors, each >= 1 and all distinct; 1 runs the circuit unfolded.
    Odd integers fold exactly, other values fold part of the circuit once more."""

    folding: str = "global"
    """``"global"`` appends (U^dagger U) to the whole circuit U; ``"local"`` replaces
    randomly chosen gates G by G G^dagger G, seeded by the engine's seed."""

    extrapolation: str = "richardson"
    """``"richardson"`` (the polynomial through all points), ``"linear"`` (least squares
    line), ``"polynomial"`` (least squares of degree ``order``) or ``"exponential"``
    (a * exp(-b * scale), asymptote 0)."""

    order: int = 2
    """Degree of the ``"polynomial"`` fit; needs at least order + 1 scale factors."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "scale_factors", _check_scale_factors(self.scale_factors))
        if self.folding not in FOLDING_METHODS:
            raise ConfigError(f"Unknown ZNE folding {self.folding!r}; choose one of {list(FOLDING_METHODS)}.")
        if self.extrapolation not in EXTRAPOLATIONS:
            raise ConfigError(
                f"Unknown ZNE extrapolation {self.extrapolation!r}; choose one of {list(EXTRAPOLATIONS)}."
            )
        if isinstance(self.order, bool) or not isinstance(self.order, int) or self.order < 1:
            raise ConfigError(f"ZNE order must be a positive integer (polynomial degree), got {self.order!r}.")
        if self.extrapolation == "polynomial" and len(self.scale_factors) < self.order + 1:
            raise ConfigError(
                f"ZNE polynomial extrapolation of order {self.order} needs at least {self.order + 1} scale "
                f"factors, got {list(self.scale_factors)}; add scale factors or lower order."
            )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ZNE:
        """Build the config from a mapping such as a TOML ``zne`` table, rejecting unknown keys."""
        return cls(**_checked_keys(cls, data, "ZNE"))

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a TOML- and JSON-ready dict, the inverse of :meth:`from_dict`."""
        return {**dataclasses.asdict(self), "scale_factors": list(self.scale_factors)}


@dataclass(frozen=True)
class Mitigation:
    """Error mitigation applied to every circuit an engine runs.

    On the Aer engine every technique keeps one ``AerSimulator.run`` call per
    mini-batch: scale factors and twirling randomizations become extra circuits
    of the same call. Readout correction (``"matrix"``), folding, twirling and
    Richardson, linear and polynomial extrapolation are linear in the results of
    each binding, so parameter-shift gradients of the mitigated values are exact.
    ``"mthree"`` solves a linear system per binding (also linear up to its
    iterative solver's tolerance), and ``"exponential"`` is non-linear; see
    :mod:`qhybrid.mitigation.extrapolation` for the gradient it gives.

    Example:
        >>> Mitigation.from_dict({"readout": "matrix", "zne": {"scale_factors": [1, 3, 5]}})
        Mitigation(readout='matrix', readout_shots=8192, zne=ZNE(scale_factors=(1.0, 3.0, 5.0), folding='global', extrapolation='richardson', order=2), twirling=False, twirling_randomizations=16, dynamical_decoupling=None)
    """

    readout: str | None = None
    """Readout error mitigation: None, ``"mthree"`` (matrix-free measurement mitigation,
    Nation et al., arXiv:2108.12518; needs shots) or ``"matrix"`` (inverse of per-qubit
    confusion matrices, assumes independent readout errors)."""

    readout_shots: int = 8192
    """Shots per calibration circuit of the readout mitigation."""

    zne: ZNE | None = None
    """Zero-noise extrapolation settings, or None for none."""

    twirling: bool = False
    """Pauli twirling of two-qubit gates (Wallman and Emerson, arXiv:1512.01098),
    averaged over ``twirling_randomizations`` seeded random circuits."""

    twirling_randomizations: int = 16
    """Random twirled copies of each circuit. With shots, each copy runs
    ceil(shots / twirling_randomizations) shots, so twirling keeps the shot budget."""

    dynamical_decoupling: str | None = None
    """Dynamical decoupling sequence in idle windows: None, ``"XX"`` or ``"XY4"``.
    Needs gate durations, so only a fake backend noise target supports it."""

    def __post_init__(self) -> None:
        if isinstance(self.zne, Mapping):
            object.__setattr__(self, "zne", ZNE.from_dict(self.zne))
        if self.readout is not None and self.readout not in READOUT_METHODS:
            raise ConfigError(
                f"Unknown readout mitigation {self.readout!r}; choose None or one of {list(READOUT_METHODS)}."
            )
        _check_positive_int("readout_shots", self.readout_shots)
        if self.zne is not None and not isinstance(self.zne, ZNE):
            raise ConfigError(f"zne must be a ZNE, a table of its fields, or None; got {self.zne!r}.")
        if not isinstance(self.twirling, bool):
            raise ConfigError(f"twirling must be true or false, got {self.twirling!r}.")
        _check_positive_int("twirling_randomizations", self.twirling_randomizations)
        if self.dynamical_decoupling is not None and self.dynamical_decoupling not in DD_SEQUENCES:
            raise ConfigError(
                f"Unknown dynamical_decoupling {self.dynamical_decoupling!r}; "
                f"choose None or one of {list(DD_SEQUENCES)}."
            )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Mitigation:
        """Build the config from a mapping such as a TOML ``mitigation`` table with a nested ``zne`` table.

        Raises:
            ConfigError: if a key is unknown (the message lists the valid keys) or a value is invalid.
        """
        return cls(**_checked_keys(cls, data, "mitigation"))

    def to_dict(self) -> dict[str, Any]:
        """Return a TOML- and JSON-ready dict with None fields left out, the inverse of :meth:`from_dict`."""
        data = {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}
        data["zne"] = None if self.zne is None else self.zne.to_dict()
        return {key: value for key, value in data.items() if value is not None}

    @property
    def active(self) -> bool:
        """Whether any technique is switched on."""
        return bool(self.readout or self.zne or self.twirling or self.dynamical_decoupling)


def _checked_keys(cls: type, data: Any, table: str) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise ConfigError(f"the {table} table must be a mapping of field names to values, got {data!r}.")
    valid = [field.name for field in dataclasses.fields(cls)]
    unknown = sorted(str(key) for key in data if key not in valid)
    if unknown:
        raise ConfigError(f"unknown {table} key(s) {unknown}; valid keys are {valid}.")
    return dict(data)


def _check_scale_factors(scale_factors: Any) -> tuple[float, ...]:
    rule = "a list of at least 2 distinct finite numbers >= 1, such as [1, 3, 5]"
    if isinstance(scale_factors, (str, bytes)) or not isinstance(scale_factors, Sequence):
        raise ConfigError(f"ZNE scale_factors must be {rule}; got {scale_factors!r}.")
    for value in scale_factors:
        if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value) or value < 1:
            raise ConfigError(
                f"ZNE scale_factors must be {rule}; got {list(scale_factors)}, which contains {value!r}. "
                "A scale factor below 1 would need less noise than the device has."
            )
    values = tuple(float(value) for value in scale_factors)
    if len(values) < 2 or len(set(values)) != len(values):
        raise ConfigError(f"ZNE scale_factors must be {rule}; got {list(scale_factors)}.")
    return values


def _check_positive_int(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{name} must be a positive integer, got {value!r}.")
