"""Credentials: found offline, missing ones reported before any network call, the token never shown."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from qhybrid.exceptions import BackendError, CredentialsError, MissingDependencyError
from qhybrid.heads import QuantumHead
from qhybrid.ibm.backends import resolve_backend
from qhybrid.ibm.credentials import Redactor, connect_service, find_account

pytest.importorskip("qiskit_ibm_runtime")
import qiskit_ibm_runtime  # noqa: E402

MARKER_TOKEN = "qhybrid-test-marker-token-5f2c9a"


class NetworkCalled(AssertionError):
    """Raised by the stand-in QiskitRuntimeService: the code tried to contact IBM."""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replace QiskitRuntimeService so that constructing it fails the test."""

    def fail_test(*args: object, **kwargs: object) -> None:
        raise NetworkCalled("QiskitRuntimeService was constructed, which contacts IBM Quantum")

    monkeypatch.setattr(qiskit_ibm_runtime, "QiskitRuntimeService", fail_test)


def test_missing_credentials_before_network(no_network: None) -> None:
    with pytest.raises(CredentialsError, match="QISKIT_IBM_TOKEN"):
        resolve_backend("ibm_brisbane")


def test_missing_credentials_from_head(no_network: None) -> None:
    head = QuantumHead(8, 2, n_qubits=4, n_layers=1, backend="ibm", shots=1024,
                       backend_options={"ibm_backend": "ibm_brisbane"})
    with pytest.raises(CredentialsError, match="save_account"):
        head.engine.executor


def test_saved_account_file_is_read(isolated_ibm_account: Path) -> None:
    saved = {"default-ibm-quantum-platform": {
        "channel": "ibm_quantum_platform", "token": MARKER_TOKEN, "instance": "crn:test", "is_default_account": True,
    }}
    isolated_ibm_account.write_text(json.dumps(saved))

    account, redactor = find_account()

    assert account.source == str(isolated_ibm_account)
    assert account.instance == "crn:test"
    assert redactor(f"bad token {MARKER_TOKEN}") == "bad token ***"


def test_environment_token_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QISKIT_IBM_TOKEN", MARKER_TOKEN)

    account, redactor = find_account()

    assert account.source == "environment"
    assert MARKER_TOKEN not in repr(account)
    assert MARKER_TOKEN not in repr(redactor)


def test_invalid_channel_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QISKIT_IBM_CHANNEL", "ibm_quantum")
    with pytest.raises(CredentialsError, match="channel must be one of"):
        find_account()


def test_service_error_is_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QISKIT_IBM_TOKEN", MARKER_TOKEN)

    def reject(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"401 Unauthorized for token {MARKER_TOKEN}")

    monkeypatch.setattr(qiskit_ibm_runtime, "QiskitRuntimeService", reject)
    account, redactor = find_account()

    with pytest.raises(CredentialsError, match="401 Unauthorized for token \\*\\*\\*") as raised:
        connect_service(account, redactor)
    assert MARKER_TOKEN not in str(raised.value)
    assert raised.value.__cause__ is None


def test_redactor_ignores_empty_secret() -> None:
    assert Redactor([None, ""])("text") == "text"


def test_token_option_rejected_without_echo() -> None:
    with pytest.raises(BackendError, match="must not contain 'token'") as raised:
        QuantumHead(8, 2, backend="ibm", shots=1024, backend_options={"ibm_backend": "fake_manila", "token": MARKER_TOKEN})
    assert MARKER_TOKEN not in str(raised.value)


def test_missing_runtime_names_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "qiskit_ibm_runtime", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'qhybrid\[ibm\]'"):
        QuantumHead(8, 2, backend="ibm", shots=1024, backend_options={"ibm_backend": "fake_manila"})
    with pytest.raises(MissingDependencyError, match=r"qhybrid\[ibm\]"):
        resolve_backend("fake_manila")
