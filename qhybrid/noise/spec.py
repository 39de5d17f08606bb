"""``NoiseSpec``: a declarative noise model of depolarizing gate errors and symmetric readout flips."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Real
from typing import Any

from qiskit_aer.noise import NoiseModel, ReadoutError, depolarizing_error

from qhybrid.exceptions import ConfigError

SPEC_BASIS_GATES: tuple[str, ...] = ("rz", "sx", "x", "cx")
"""Gates a circuit is transpiled to under a :class:`NoiseSpec`, the basis of IBM's Falcon devices."""

SPEC_NOISY_1Q_GATES: tuple[str, ...] = ("sx", "x")
"""Single-qubit gates that carry ``depolarizing_1q``. RZ stays exact because IBM devices
implement it as a virtual frame change, and their Qiskit noise models give it no error."""

SPEC_NOISY_2Q_GATES: tuple[str, ...] = ("cx",)
"""Two-qubit gates that carry ``depolarizing_2q``."""


@dataclass(frozen=True)
class NoiseSpec:
    """Uniform noise on every qubit, as a config table such as ``{depolarizing_2q = 0.01}``.

    Example:
        >>> NoiseSpec(depolarizing_2q=0.01, readout_flip=0.02).scaled(2.0)
        NoiseSpec(depolarizing_1q=0.0, depolarizing_2q=0.02, readout_flip=0.04)
    """

    depolarizing_1q: float = 0.0
    """Depolarizing probability of each SX and X gate, in [0, 1]. Probability p replaces
    the qubit's state by the maximally mixed state with probability p."""

    depolarizing_2q: float = 0.0
    """Two-qubit depolarizing probability of each CX gate, in [0, 1]."""

    readout_flip: float = 0.0
    """Probability that a measurement reports the other bit, the same for 0 and 1, in [0, 1]."""

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, Real) or not 0.0 <= value <= 1.0:
                raise ConfigError(
                    f"NoiseSpec.{field.name} must be a probability in [0, 1], got {value!r}; "
                    "pass for example 0.01."
                )
            object.__setattr__(self, field.name, float(value))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NoiseSpec:
        """Build a spec from a mapping such as a TOML ``noise`` table.

        Raises:
            ConfigError: if ``data`` is not a mapping, has an unknown key (the message
                lists the valid keys) or a probability outside [0, 1].
        """
        if not isinstance(data, Mapping):
            raise ConfigError(f"a noise spec must be a mapping of field names to values, got {data!r}.")
        valid = [field.name for field in dataclasses.fields(cls)]
        unknown = sorted(str(key) for key in data if key not in valid)
        if unknown:
            raise ConfigError(f"unknown noise spec key(s) {unknown}; valid keys are {valid}.")
        return cls(**data)

    def to_dict(self) -> dict[str, float]:
        """Return the fields as a plain dict, the inverse of :meth:`from_dict`."""
        return dataclasses.asdict(self)

    def scaled(self, factor: float) -> NoiseSpec:
        """Return a spec with every probability multiplied by ``factor`` and capped at 1.

        Raises:
            ConfigError: if ``factor`` is negative or not finite.
        """
        if isinstance(factor, bool) or not isinstance(factor, Real) or not math.isfinite(factor) or factor < 0:
            raise ConfigError(f"factor must be a finite number >= 0, got {factor!r}.")
        return NoiseSpec(**{name: min(1.0, value * factor) for name, value in self.to_dict().items()})

    def to_noise_model(self) -> NoiseModel:
        """Build the Aer noise model: depolarizing errors on the gates of :data:`SPEC_BASIS_GATES`
        listed in ``SPEC_NOISY_1Q_GATES`` and ``SPEC_NOISY_2Q_GATES``, and one readout error
        on every qubit."""
        noise_model = NoiseModel(basis_gates=list(SPEC_BASIS_GATES))
        if self.depolarizing_1q > 0:
            noise_model.add_all_qubit_quantum_error(depolarizing_error(self.depolarizing_1q, 1), SPEC_NOISY_1Q_GATES)
        if self.depolarizing_2q > 0:
            noise_model.add_all_qubit_quantum_error(depolarizing_error(self.depolarizing_2q, 2), SPEC_NOISY_2Q_GATES)
        if self.readout_flip > 0:
            p = self.readout_flip
            noise_model.add_all_qubit_readout_error(ReadoutError([[1 - p, p], [p, 1 - p]]))
        return noise_model
