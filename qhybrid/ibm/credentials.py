"""IBM Quantum credentials: find them offline, connect with them, and keep the token out of every output.

Credentials come, in qiskit-ibm-runtime's order, from the environment
(``QISKIT_IBM_TOKEN``, with ``QISKIT_IBM_INSTANCE`` and ``QISKIT_IBM_CHANNEL``)
or from an account saved with ``QiskitRuntimeService.save_account`` (by default
in ``~/.qiskit/qiskit-ibm.json``). :func:`find_account` only reads those, so a
missing account is reported before any network call. qhybrid never accepts a
token as an argument, so a token cannot end up in a checkpoint or a results file.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from qhybrid.exceptions import CredentialsError
from qhybrid.ibm.runtime import import_runtime

logger = logging.getLogger(__name__)

TOKEN_ENV = "QISKIT_IBM_TOKEN"
INSTANCE_ENV = "QISKIT_IBM_INSTANCE"
CHANNEL_ENV = "QISKIT_IBM_CHANNEL"
CHANNELS = ("ibm_quantum_platform", "ibm_cloud")

_REDACTED = "***"

CREDENTIALS_HELP = (
    f"Set {TOKEN_ENV} to your API key and {INSTANCE_ENV} to your instance CRN "
    f"(and {CHANNEL_ENV} to 'ibm_cloud' if you use that channel), or save an account once with "
    "QiskitRuntimeService.save_account(token=..., instance=..., set_as_default=True), "
    "which writes ~/.qiskit/qiskit-ibm.json."
)


class Redactor:
    """Replaces secrets in text with ``***``; its repr never shows them."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets = tuple(secret for secret in secrets if secret)

    def __call__(self, text: str) -> str:
        """Return ``text`` with every secret replaced."""
        for secret in self._secrets:
            text = text.replace(secret, _REDACTED)
        return text

    def __repr__(self) -> str:
        return f"Redactor({len(self._secrets)} secrets)"


@dataclass(frozen=True)
class AccountInfo:
    """Source and channel of IBM Quantum credentials, without the token."""

    channel: str
    """``"ibm_quantum_platform"`` or ``"ibm_cloud"``."""

    instance: str | None
    """Instance CRN, or None to let the service pick one."""

    source: str
    """``"environment"`` or the path of the saved-account file."""


def find_account(
    channel: str | None = None, account_file: str | os.PathLike[str] | None = None
) -> tuple[AccountInfo, Redactor]:
    """Find IBM Quantum credentials without contacting IBM.

    Args:
        channel: ``"ibm_quantum_platform"`` or ``"ibm_cloud"``; None takes
            ``QISKIT_IBM_CHANNEL`` or the channel of the saved account.
        account_file: saved-account file; None reads qiskit-ibm-runtime's default,
            ``~/.qiskit/qiskit-ibm.json``.

    Returns:
        ``(account, redactor)``: where the credentials were found, and a function
        that removes the token from any text.

    Raises:
        CredentialsError: if no account is found or the channel is invalid.
        MissingDependencyError: if qiskit-ibm-runtime is not installed.
    """
    channel = channel or os.environ.get(CHANNEL_ENV) or None
    if channel is not None and channel not in CHANNELS:
        raise CredentialsError(
            f"channel must be one of {list(CHANNELS)}, got {channel!r} (from the argument or {CHANNEL_ENV}); "
            "fix the value or unset it."
        )
    import_runtime()
    from qiskit_ibm_runtime.accounts import AccountManager
    from qiskit_ibm_runtime.accounts.exceptions import AccountNotFoundError, AccountsError

    filename = None if account_file is None else os.fspath(account_file)
    path = _account_file_path(filename)
    missing = f"No IBM Quantum account found: {TOKEN_ENV} is not set and {path} holds no saved account. {CREDENTIALS_HELP}"
    try:
        account = AccountManager.get(filename=filename, channel=channel)
    except AccountNotFoundError:
        raise CredentialsError(missing) from None
    except (AccountsError, OSError, ValueError) as error:
        # The runtime's message can quote account fields, so only the error type is shown.
        raise CredentialsError(
            f"The IBM Quantum account from {TOKEN_ENV} or {path} cannot be read ({type(error).__name__}). {CREDENTIALS_HELP}"
        ) from None
    if account is None or not account.token:
        raise CredentialsError(missing)

    source = "environment" if os.environ.get(TOKEN_ENV) else path
    info = AccountInfo(channel=account.channel, instance=account.instance, source=source)
    logger.info("Using IBM Quantum credentials from %s (channel %s)", info.source, info.channel)
    return info, Redactor([account.token])


def connect_service(
    account: AccountInfo, redactor: Redactor, account_file: str | os.PathLike[str] | None = None
) -> Any:
    """Create a ``QiskitRuntimeService`` for an account found by :func:`find_account`.

    This contacts IBM Quantum. The service reads the token from the same source
    as :func:`find_account`; an error message from the service is redacted
    before it is raised again.

    Raises:
        CredentialsError: if IBM rejects the credentials or cannot be reached.
    """
    import_runtime()
    from qiskit_ibm_runtime import QiskitRuntimeService

    filename = None if account_file is None else os.fspath(account_file)
    try:
        return QiskitRuntimeService(channel=account.channel, instance=account.instance, filename=filename)
    except Exception as error:  # noqa: BLE001 - the runtime raises many types; each is redacted and re-raised
        raise CredentialsError(
            f"Connecting to IBM Quantum with the credentials from {account.source} failed: "
            f"{type(error).__name__}: {redactor(str(error))}. Check the token and instance. {CREDENTIALS_HELP}"
        ) from None


def _account_file_path(filename: str | None) -> str:
    if filename is not None:
        return os.path.expanduser(filename)
    from qiskit_ibm_runtime.accounts import management

    return management._DEFAULT_ACCOUNT_CONFIG_JSON_FILE
