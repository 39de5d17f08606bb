"""Noise models for the Aer engine: fake IBM backends, declarative specs and Qiskit NoiseModels.

``QuantumHead(backend="aer", noise=...)`` accepts any of them; :func:`resolve_noise`
turns the option into the noise model and the target the circuit is transpiled to.
"""

from qhybrid.noise.backends import fake_backend, fake_backend_names
from qhybrid.noise.resolve import (
    NoiseOption,
    ResolvedNoise,
    apply_readout_errors,
    readout_error_rates,
    resolve_noise,
)
from qhybrid.noise.spec import SPEC_BASIS_GATES, NoiseSpec

__all__ = [
    "SPEC_BASIS_GATES",
    "NoiseOption",
    "NoiseSpec",
    "ResolvedNoise",
    "apply_readout_errors",
    "fake_backend",
    "fake_backend_names",
    "readout_error_rates",
    "resolve_noise",
]
