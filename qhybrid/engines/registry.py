"""Backend names and the engine factory behind ``QuantumHead(backend=...)``."""

from __future__ import annotations

from typing import Any

from qhybrid.circuits import CircuitSpec
from qhybrid.engines.base import Engine
from qhybrid.engines.pennylane_device import EXACT_DIFF_METHODS, PennyLaneEngine
from qhybrid.exceptions import BackendError

PENNYLANE_BACKENDS = tuple(EXACT_DIFF_METHODS)

NOISE_OPTIONS = ("noise", "mitigation")
"""Engine options that only ``"aer"`` implements; see :class:`qhybrid.engines.aer.AerEngine`."""


AER_OPTIONS = ("method", "noise_model", "target_backend", "noise", "mitigation")
"""Keyword options of :class:`qhybrid.engines.aer.AerEngine`."""


def available_backends() -> tuple[str, ...]:
    """Return every backend name that ``make_engine`` accepts."""
    return PENNYLANE_BACKENDS + ("aer", "ibm")


def make_engine(
    spec: CircuitSpec,
    backend: str,
    shots: int | None = None,
    seed: int | None = None,
    diff_method: str | None = None,
    options: dict[str, Any] | None = None,
) -> Engine:
    """Create the engine that runs ``spec`` on ``backend``.

    Raises:
        BackendError: if the backend is unknown or does not accept an option.
    """
    # noise=None and mitigation=None mean "none", which every backend supports.
    options = {key: value for key, value in (options or {}).items() if not (key in NOISE_OPTIONS and value is None)}
    if shots is not None and (not isinstance(shots, int) or shots < 1):
        raise BackendError(f"shots must be a positive integer or None for exact values, got {shots!r}.")

    if backend in PENNYLANE_BACKENDS:
        if options:
            raise BackendError(
                f"Backend {backend!r} takes no options, got {sorted(options)}; "
                "noise and mitigation need backend='aer'."
            )
        return PennyLaneEngine(spec, backend, shots=shots, seed=seed, diff_method=diff_method)

    if backend == "aer":
        from qhybrid.engines.aer import AerEngine

        if diff_method not in (None, "parameter-shift"):
            raise BackendError(
                f"Backend 'aer' differentiates with the parameter-shift rule only, got diff_method={diff_method!r}."
            )
        unknown = sorted(set(options) - set(AER_OPTIONS))
        if unknown:
            raise BackendError(f"Backend 'aer' has no options {unknown}; valid options are {list(AER_OPTIONS)}.")
        return AerEngine(spec, shots=shots, seed=seed, **options)

    if backend == "ibm":
        from qhybrid.engines.ibm import IBMEngine

        if diff_method not in (None, "parameter-shift"):
            raise BackendError(
                f"Backend 'ibm' differentiates with the parameter-shift rule only, got diff_method={diff_method!r}."
            )
        return IBMEngine.from_options(spec, shots=shots, seed=seed, options=options)

    raise BackendError(f"Unknown backend {backend!r}; choose one of {list(available_backends())}.")
