"""Fake IBM backends by snake_case name, e.g. ``"fake_manila"`` for ``FakeManilaV2``."""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from typing import Any

from qhybrid.exceptions import BackendError, MissingDependencyError

_LISTED_NAMES = 12
"""How many valid names an unknown-name error lists."""


@lru_cache(maxsize=1)
def _fake_backend_classes() -> dict[str, type]:
    try:
        from qiskit_ibm_runtime import fake_provider
        from qiskit_ibm_runtime.fake_provider.fake_backend import FakeBackendV2
    except ImportError as error:
        raise MissingDependencyError(
            "fake IBM backends need qiskit-ibm-runtime; install it with pip install 'qhybrid[ibm]'."
        ) from error

    classes: dict[str, type] = {}
    for class_name in dir(fake_provider):
        candidate = getattr(fake_provider, class_name)
        if isinstance(candidate, type) and issubclass(candidate, FakeBackendV2) and candidate is not FakeBackendV2:
            classes[_snake_case(class_name)] = candidate
    return classes


def _snake_case(class_name: str) -> str:
    """Map ``FakeManilaV2`` to ``fake_manila`` and ``FakeBrisbane`` to ``fake_brisbane``."""
    stem = class_name[:-2] if class_name.endswith("V2") else class_name
    return re.sub(r"(?<!^)(?=[A-Z])", "_", stem).lower()


def fake_backend_names() -> tuple[str, ...]:
    """Return every name that :func:`fake_backend` accepts, sorted."""
    return tuple(sorted(_fake_backend_classes()))


def fake_backend(name: str) -> Any:
    """Create the fake IBM backend called ``name``, e.g. ``"fake_manila"`` or ``"fake_brisbane"``.

    The backend carries the device's coupling map, basis gates, gate durations and
    calibrated error rates, as stored in qiskit-ibm-runtime.

    Raises:
        BackendError: if no fake backend has that name; the message lists close matches
            and some valid names.
        MissingDependencyError: if qiskit-ibm-runtime is not installed.
    """
    classes = _fake_backend_classes()
    if name not in classes:
        close = difflib.get_close_matches(str(name), classes, n=3)
        hint = f" Did you mean {close}?" if close else ""
        listed = sorted(classes)[:_LISTED_NAMES]
        raise BackendError(
            f"Unknown fake backend {name!r}.{hint} Valid names include {listed} "
            f"({len(classes)} in all, see qhybrid.noise.fake_backend_names())."
        )
    return classes[name]()
