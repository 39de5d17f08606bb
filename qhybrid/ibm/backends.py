"""Resolve an IBM backend name to a backend object: a fake backend for local testing mode, or a real QPU.

Names starting with ``fake_`` (``"fake_manila"``) select a fake backend from
``qiskit_ibm_runtime.fake_provider``. Passed as the ``mode`` of ``EstimatorV2``,
such a backend runs qiskit-ibm-runtime's local testing mode: the same
submission code as a real QPU, simulated by Aer with the fake backend's noise
model. Any other name is a QPU reached through ``QiskitRuntimeService``.
"""

from __future__ import annotations

import logging
import os
import warnings
from dataclasses import dataclass, field
from typing import Any

from qhybrid.exceptions import BackendError
from qhybrid.ibm.credentials import AccountInfo, Redactor, connect_service, find_account
from qhybrid.ibm.runtime import import_runtime

logger = logging.getLogger(__name__)

LOCAL_PREFIX = "fake_"
"""Backend names with this prefix run in qiskit-ibm-runtime's local testing mode."""


@dataclass
class ResolvedBackend:
    """A backend ready for ``EstimatorV2``, with how it was reached."""

    backend: Any
    """A ``BackendV2``: a fake backend, any other local backend (e.g. ``AerSimulator``) or an ``IBMBackend``."""

    name: str
    """Backend name as IBM reports it, e.g. ``"fake_manila"`` or ``"ibm_brisbane"``."""

    local: bool
    """True for local testing mode: nothing is sent to IBM Quantum."""

    snapshot_of: str | None = None
    """Name of the QPU that this offline snapshot represents (dry runs only), else None."""

    service: Any = None
    """The ``QiskitRuntimeService`` of a real QPU; None in local testing mode."""

    account: AccountInfo | None = None
    """Source of the credentials; None in local testing mode."""

    redactor: Redactor = field(default_factory=Redactor)
    """Removes the token from error messages."""

    @property
    def testing_mode(self) -> bool:
        """True when jobs run in local testing mode; False for a QPU or an offline snapshot of one."""
        return self.local and self.snapshot_of is None


def is_local_name(name: str) -> bool:
    """Return whether ``name`` selects a fake backend (local testing mode)."""
    return name.startswith(LOCAL_PREFIX)


def snapshot_name(name: str) -> str:
    """Return the fake backend that contains an offline snapshot of QPU ``name``: ``ibm_brisbane`` -> ``fake_brisbane``."""
    return LOCAL_PREFIX + name.removeprefix("ibm_")


def resolve_backend(
    backend: str | Any,
    offline: bool = False,
    channel: str | None = None,
    account_file: str | os.PathLike[str] | None = None,
) -> ResolvedBackend:
    """Return the backend that ``backend`` names.

    Args:
        backend: a backend name, or a ``BackendV2`` object to run in local testing
            mode (e.g. ``AerSimulator.from_backend(FakeManilaV2(), noise_model=None)``
            for noiseless runs with a real coupling map).
        offline: do not contact IBM Quantum. A QPU name then resolves to its fake
            snapshot (``ibm_brisbane`` -> ``fake_brisbane``), for dry runs.
        channel: IBM Quantum channel, see :func:`qhybrid.ibm.credentials.find_account`.
        account_file: saved-account file, see :func:`qhybrid.ibm.credentials.find_account`.

    Raises:
        BackendError: if the name is empty, no fake backend has it, or IBM has no such QPU.
        CredentialsError: for a QPU name when no credentials are found; raised before
            any network call.
        MissingDependencyError: if qiskit-ibm-runtime is not installed.
    """
    import_runtime()
    if not isinstance(backend, str):
        return _local_object(backend)
    if not backend:
        raise BackendError("ibm_backend must be a backend name such as 'fake_manila' or 'ibm_brisbane', got ''.")

    if is_local_name(backend):
        return ResolvedBackend(backend=fake_backend(backend), name=backend, local=True)
    if offline:
        snapshot = fake_backend(snapshot_name(backend), purpose=f"an offline snapshot of {backend!r}")
        return ResolvedBackend(backend=snapshot, name=backend, local=True, snapshot_of=backend)
    return _remote_backend(backend, channel, account_file)


def fake_backend(name: str, purpose: str = "local testing mode") -> Any:
    """Instantiate the fake backend called ``name`` (e.g. ``"fake_manila"``).

    Raises:
        BackendError: if no fake backend has this name; the message lists the valid names.
    """
    import_runtime()
    from qiskit_ibm_runtime.fake_provider import FakeProviderForBackendV2

    with warnings.catch_warnings():
        # Some fake backends warn on construction that their error values are not typical.
        warnings.simplefilter("ignore", UserWarning)
        backends = {candidate.name: candidate for candidate in FakeProviderForBackendV2().backends()}
    if name not in backends:
        raise BackendError(
            f"No fake backend named {name!r} for {purpose}; valid names include {sorted(backends)[:12]} "
            f"({len(backends)} in all, see qiskit_ibm_runtime.fake_provider)."
        )
    return backends[name]


def _local_object(backend: Any) -> ResolvedBackend:
    from qiskit.providers import BackendV2
    from qiskit_ibm_runtime import IBMBackend

    if isinstance(backend, IBMBackend):
        return ResolvedBackend(backend=backend, name=backend.name, local=False, service=backend.service)
    if not isinstance(backend, BackendV2):
        raise BackendError(
            f"ibm_backend must be a backend name or a qiskit BackendV2 object, got {type(backend).__name__}."
        )
    return ResolvedBackend(backend=backend, name=backend.name, local=True)


def _remote_backend(
    name: str, channel: str | None, account_file: str | os.PathLike[str] | None
) -> ResolvedBackend:
    # NOTE: this QPU path (and job retrieval in qhybrid.ibm.estimator) has run only against stubs
    # in tests, never against IBM Quantum itself, because the test machines have no network.
    account, redactor = find_account(channel=channel, account_file=account_file)
    service = connect_service(account, redactor, account_file=account_file)
    try:
        backend = service.backend(name)
    except Exception as error:  # noqa: BLE001 - the runtime raises several types; each is redacted and re-raised
        raise BackendError(
            f"IBM Quantum has no backend {name!r} available to this account: "
            f"{type(error).__name__}: {redactor(str(error))}. List yours with QiskitRuntimeService().backends()."
        ) from None
    logger.info("Resolved IBM Quantum backend %s (%d qubits)", name, backend.num_qubits)
    return ResolvedBackend(
        backend=backend, name=name, local=False, service=service, account=account, redactor=redactor
    )
