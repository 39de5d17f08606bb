"""Embeddings: the gates that load rotation angles into the circuit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pennylane as qml


def angle_embedding_y(angles: Any, wires: Sequence[int]) -> None:
    """Apply RY(angles[..., i]) on wire i (Havlicek et al., arXiv:1804.11326, angle encoding)."""
    qml.AngleEmbedding(angles, wires=wires, rotation="Y")


def angle_embedding_x(angles: Any, wires: Sequence[int]) -> None:
    """Apply RX(angles[..., i]) on wire i."""
    qml.AngleEmbedding(angles, wires=wires, rotation="X")


EMBEDDINGS: dict[str, Callable[[Any, Sequence[int]], None]] = {
    "angle": angle_embedding_y,
    "angle_x": angle_embedding_x,
}
"""Embeddings by name. Every embedding takes one angle per qubit, in radians."""
