"""Submission to IBM Quantum: backends, credentials, job planning, mitigation options and resumable jobs.

The engine behind ``QuantumHead(backend="ibm")`` is :mod:`qhybrid.engines.ibm`;
``qhybrid submit`` runs :func:`run_submission`. Nothing here imports
qiskit-ibm-runtime until it is used, so ``import qhybrid.ibm`` works without it.
"""

from typing import Any

from qhybrid.ibm.backends import ResolvedBackend, is_local_name, resolve_backend
from qhybrid.ibm.cost import QPUEstimate, estimate_qpu_seconds
from qhybrid.ibm.credentials import AccountInfo, find_account
from qhybrid.ibm.journal import JobJournal
from qhybrid.ibm.limits import JobLimits, plan_jobs, read_job_limits
from qhybrid.ibm.options import MitigationPlan, plan_mitigation
from qhybrid.ibm.retry import RetryPolicy
from qhybrid.ibm.runtime import INSTALL_HINT, import_runtime

# The submission workflow imports qhybrid.engines.ibm, which imports this package,
# so its names are loaded on first access instead of here.
_SUBMIT_NAMES = ("SubmissionPlan", "SubmissionResult", "SubmitConfig", "plan_submission", "run_submission")

__all__ = [
    "INSTALL_HINT",
    "AccountInfo",
    "JobJournal",
    "JobLimits",
    "MitigationPlan",
    "QPUEstimate",
    "ResolvedBackend",
    "RetryPolicy",
    "estimate_qpu_seconds",
    "find_account",
    "import_runtime",
    "is_local_name",
    "plan_jobs",
    "plan_mitigation",
    "read_job_limits",
    "resolve_backend",
    *_SUBMIT_NAMES,
]


def __getattr__(name: str) -> Any:
    if name in _SUBMIT_NAMES:
        from qhybrid.ibm import submit

        return getattr(submit, name)
    raise AttributeError(f"module 'qhybrid.ibm' has no attribute {name!r}")
