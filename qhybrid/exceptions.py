"""Errors and warnings raised by qhybrid.

Every error subclasses both :class:`QHybridError` and the built-in class that
fits it (``ValueError``, ``FileNotFoundError``, ...), so callers can catch
either. Messages name the argument, the rule, the value received and the fix.
"""

from __future__ import annotations


class QHybridError(Exception):
    """Base class of every qhybrid error."""


class ConfigError(QHybridError, ValueError):
    """An experiment, head, noise or mitigation configuration is invalid."""


class DataError(QHybridError, ValueError):
    """A data file or dataset is malformed, empty or inconsistent."""


class DataFileNotFoundError(QHybridError, FileNotFoundError):
    """A data file named in a configuration does not exist."""


class FeatureError(QHybridError, ValueError):
    """Features have the wrong shape, dtype or contain NaN or infinite values."""


class BackendError(QHybridError, ValueError):
    """A quantum backend, ansatz or embedding name is unknown or misconfigured."""


class CredentialsError(QHybridError, RuntimeError):
    """IBM Quantum credentials are missing or invalid."""


class MissingDependencyError(QHybridError, ImportError):
    """An optional dependency is not installed; the message names the extra."""


class QHybridWarning(UserWarning):
    """Base class of every qhybrid warning."""


class ShotBudgetWarning(QHybridWarning):
    """A configuration will spend more shots than is usually intended."""


class IllConditionedExtrapolationWarning(QHybridWarning):
    """A zero-noise extrapolation amplifies shot noise strongly or leaves [-1, 1]."""
