"""Engines execute a circuit: PennyLane devices, batched Qiskit Aer, IBM Quantum."""

from qhybrid.engines.base import Engine
from qhybrid.engines.registry import available_backends, make_engine

__all__ = ["Engine", "available_backends", "make_engine"]
