"""Import of qiskit-ibm-runtime, the optional dependency behind the IBM Quantum backends."""

from __future__ import annotations

from types import ModuleType

from qhybrid.exceptions import MissingDependencyError

INSTALL_HINT = "pip install 'qhybrid[ibm]'"
"""Command that installs the optional dependencies of the IBM Quantum backends."""


def import_runtime() -> ModuleType:
    """Import ``qiskit_ibm_runtime`` on first use.

    Every IBM code path calls this before importing a submodule of the runtime,
    so a missing package is reported once, with the command that installs it.

    Returns:
        The ``qiskit_ibm_runtime`` module.

    Raises:
        MissingDependencyError: if qiskit-ibm-runtime is not installed.
    """
    try:
        import qiskit_ibm_runtime
    except ImportError as error:
        raise MissingDependencyError(
            f"The IBM Quantum backends need qiskit-ibm-runtime, which cannot be imported ({error}). "
            f"Install it with: {INSTALL_HINT}"
        ) from error
    return qiskit_ibm_runtime
