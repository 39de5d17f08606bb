"""Small circuits and inputs shared by the mitigation tests: the same ones as the noise tests."""

from __future__ import annotations

from tests.noise.conftest import SPEC, angles, weights

__all__ = ["SPEC", "angles", "weights"]
