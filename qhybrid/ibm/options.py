"""Map a :class:`qhybrid.mitigation.Mitigation` to IBM Runtime ``EstimatorOptions``, or to client-side steps.

On a QPU every technique runs server-side:

============================  ====================================================================
Mitigation field              EstimatorOptions
============================  ====================================================================
``readout``                   ``resilience.measure_mitigation`` and ``twirling.enable_measure``
                              (TREX, van den Berg et al., arXiv:2012.09738)
``zne``                       ``resilience.zne_mitigation``, ``resilience.zne.noise_factors``,
                              ``.extrapolator`` and ``.amplifier = "gate_folding"``
``twirling``                  ``twirling.enable_gates`` and ``twirling.num_randomizations``
``dynamical_decoupling``      ``dynamical_decoupling.enable`` and ``.sequence_type``
============================  ====================================================================

``resilience_level`` is always 0, so nothing runs that the configuration does
not ask for (the runtime's default level 1 would turn on TREX).

Local testing mode ignores every option above except the shot count
(qiskit-ibm-runtime 0.45 warns and drops them), so there each technique runs
client-side with :mod:`qhybrid.mitigation`'s passes instead: folded and twirled
circuit variants, padding, readout correction and extrapolation.
:class:`MitigationPlan` records which path each technique took.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from qhybrid.exceptions import ConfigError
from qhybrid.ibm.isa import ClientSteps

logger = logging.getLogger(__name__)

MAX_RUNTIME_POLYNOMIAL_DEGREE = 7
"""Highest ``polynomial_degree_k`` extrapolator that IBM Runtime offers (qiskit-ibm-runtime 0.45)."""


@dataclass(frozen=True)
class MitigationPlan:
    """The execution path of each requested technique: IBM Runtime's options, or client-side steps."""

    runtime_options: dict[str, Any]
    """``EstimatorOptions`` fields sent with every job, as a nested dict."""

    client_steps: ClientSteps | None = None
    """ZNE, twirling and dynamical decoupling applied to the circuits client-side, or None."""

    client_readout: str | None = None
    """Readout method applied client-side after the jobs, or None."""

    client_readout_shots: int = 0
    """Shots per calibration circuit for client-side readout mitigation."""

    noise_factors: tuple[float, ...] = (1.0,)
    """ZNE noise factors that IBM Runtime runs, for the cost estimate; ``(1.0,)`` otherwise."""

    requested: dict[str, Any] | None = None
    """The requested mitigation as a dict, None for none."""

    notes: tuple[str, ...] = field(default=())
    """Substitutions made, e.g. a folding method mapped to the runtime's amplifier."""

    def describe(self) -> dict[str, Any]:
        """Return a JSON-ready record of what is applied where, for results files."""
        steps = self.client_steps
        client = {
            "readout": None if self.client_readout is None else {
                "method": self.client_readout, "calibration_shots": self.client_readout_shots,
            },
            "zne": None if steps is None or steps.zne is None else steps.zne.to_dict(),
            "twirling_randomizations": None if steps is None else steps.twirling_randomizations,
            "dynamical_decoupling": None if steps is None else steps.dynamical_decoupling,
        }
        return {
            "requested": self.requested,
            "runtime_options": self.runtime_options,
            "client_side": client,
            "notes": list(self.notes),
        }


def coerce_mitigation(mitigation: Any) -> Any:
    """Return a ``qhybrid.mitigation.Mitigation`` for a ``Mitigation``, its dict form, or None.

    Raises:
        ConfigError: for another type, or a dict that ``Mitigation.from_dict`` rejects.
    """
    from qhybrid.mitigation import Mitigation

    if mitigation is None or isinstance(mitigation, Mitigation):
        return mitigation
    if isinstance(mitigation, dict):
        return Mitigation.from_dict(mitigation)
    raise ConfigError(
        f"mitigation must be a qhybrid.mitigation.Mitigation, its dict form, or None; got {type(mitigation).__name__}."
    )


def plan_mitigation(mitigation: Any, shots: int, seed: int | None, local: bool) -> MitigationPlan:
    """Turn a ``Mitigation`` (or None) into runtime options and client-side steps.

    Args:
        mitigation: a ``qhybrid.mitigation.Mitigation``, its dict form, or None.
        shots: shots per circuit, sent as ``default_shots``.
        seed: the runtime's ``seed_estimator`` on a QPU, and the seed of client-side
            twirling and folding in local testing mode; None for unseeded.
        local: True for local testing mode.

    Raises:
        ConfigError: if the mitigation is invalid, or requests an extrapolation IBM Runtime does not offer.
    """
    mitigation = coerce_mitigation(mitigation)
    if local:
        return _local_plan(mitigation, shots, seed)
    return _runtime_plan(mitigation, shots, seed)


def _runtime_plan(mitigation: Any, shots: int, seed: int | None) -> MitigationPlan:
    readout = mitigation is not None and mitigation.readout is not None
    twirling = mitigation is not None and mitigation.twirling
    sequence = None if mitigation is None else mitigation.dynamical_decoupling

    options: dict[str, Any] = {
        "default_shots": shots,
        "resilience_level": 0,
        "resilience": {"measure_mitigation": readout, "zne_mitigation": False},
        "twirling": {"enable_gates": twirling, "enable_measure": readout},
        "dynamical_decoupling": {"enable": sequence is not None},
    }
    if seed is not None:
        options["seed_estimator"] = seed
    if twirling:
        options["twirling"]["num_randomizations"] = mitigation.twirling_randomizations
    if sequence is not None:
        options["dynamical_decoupling"]["sequence_type"] = sequence

    notes: list[str] = []
    noise_factors: tuple[float, ...] = (1.0,)
    if readout:
        notes.append(f"readout={mitigation.readout!r} runs as IBM Runtime's TREX measurement mitigation.")
    if mitigation is not None and mitigation.zne is not None:
        options["resilience"]["zne_mitigation"] = True
        options["resilience"]["zne"] = _runtime_zne(mitigation.zne, notes)
        noise_factors = tuple(mitigation.zne.scale_factors)
    _validate_runtime_options(options)

    return MitigationPlan(
        runtime_options=options,
        noise_factors=noise_factors,
        requested=None if mitigation is None else mitigation.to_dict(),
        notes=tuple(notes),
    )


def _validate_runtime_options(options: dict[str, Any]) -> None:
    from qhybrid.ibm.runtime import import_runtime

    import_runtime()
    from qiskit_ibm_runtime.options import EstimatorOptions

    try:
        EstimatorOptions(**options)
    except ValueError as error:  # pydantic's ValidationError subclasses ValueError
        raise ConfigError(f"IBM Runtime rejects the estimator options {options}: {error}") from error


def _runtime_zne(zne: Any, notes: list[str]) -> dict[str, Any]:
    if zne.folding == "global":
        # IBM Runtime folds two-qubit gates only; it has no whole-circuit folding.
        notes.append(
            "zne.folding='global' has no IBM Runtime equivalent; the runtime amplifier 'gate_folding' "
            "(two-qubit gate folding) runs instead."
        )
        logger.warning("ZNE folding 'global' is not available on IBM Runtime; using amplifier 'gate_folding'.")
    factors = list(zne.scale_factors)
    return {"amplifier": "gate_folding", "noise_factors": factors, "extrapolator": _runtime_extrapolator(zne, len(factors))}


def _runtime_extrapolator(zne: Any, n_factors: int) -> str:
    if zne.extrapolation in ("linear", "exponential"):
        return zne.extrapolation

    # Richardson extrapolation is the polynomial of degree n - 1 through all n points.
    degree = n_factors - 1 if zne.extrapolation == "richardson" else zne.order
    if not 1 <= degree <= MAX_RUNTIME_POLYNOMIAL_DEGREE:
        raise ConfigError(
            f"zne: {zne.extrapolation} extrapolation of degree {degree} is not available on IBM Runtime, "
            f"which offers degrees 1 to {MAX_RUNTIME_POLYNOMIAL_DEGREE}; use fewer scale factors or a lower order."
        )
    return f"polynomial_degree_{degree}"


def _local_plan(mitigation: Any, shots: int, seed: int | None) -> MitigationPlan:
    # The simulator seed is set per job by EstimatorRunner, so jobs do not share shot noise.
    options: dict[str, Any] = {"default_shots": shots}
    if mitigation is None or not mitigation.active:
        return MitigationPlan(runtime_options=options, requested=None if mitigation is None else mitigation.to_dict())

    steps = ClientSteps(
        zne=mitigation.zne,
        twirling_randomizations=mitigation.twirling_randomizations if mitigation.twirling else None,
        dynamical_decoupling=mitigation.dynamical_decoupling,
        seed=seed,
    )
    notes = ["Local testing mode ignores IBM Runtime's mitigation options, so every requested technique ran client-side."]
    if mitigation.readout is not None:
        notes.append(
            f"readout={mitigation.readout!r}: per-qubit error rates calibrated with mthree on the backend, "
            "inverted on each <Z_i> (exact for independent readout errors)."
        )
    return MitigationPlan(
        runtime_options=options,
        client_steps=steps,
        client_readout=mitigation.readout,
        client_readout_shots=mitigation.readout_shots if mitigation.readout is not None else 0,
        requested=mitigation.to_dict(),
        notes=tuple(notes),
    )
