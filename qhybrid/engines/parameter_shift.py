"""Parameter-shift bindings for a whole mini-batch, and the Jacobians they give.

For a rotation exp(-i theta P / 2) with P a Pauli word, the exact derivative is
d<O>/d theta = (<O>(theta + pi/2) - <O>(theta - pi/2)) / 2 (Mitarai et al.,
arXiv:1803.00745; Schuld et al., arXiv:1811.11184). Every slot of a
:class:`ConvertedCircuit` is such a rotation, so shifting one slot at a time
gives the full Jacobian. This module only builds and reduces parameter arrays,
so any executor (Aer, IBM Runtime) can run the bindings.
"""

from __future__ import annotations

import numpy as np

SHIFT = np.pi / 2


def slot_values(leaves: np.ndarray, slot_leaf: np.ndarray) -> np.ndarray:
    """Gather each slot's angle from the leaves (inputs then weights), shape (B, n_slots)."""
    return leaves[:, slot_leaf]


def shift_bindings(values: np.ndarray, with_gradient: bool) -> np.ndarray:
    """Stack the unshifted bindings and, if requested, every +shift and -shift binding.

    Args:
        values: slot angles, shape (B, S).
        with_gradient: whether to add the 2 * B * S shifted rows.

    Returns:
        Bindings of shape (B, S) without gradient, else (B * (1 + 2 S), S), ordered
        as [unshifted (B)], [+shift, sample-major then slot (B * S)], [-shift (B * S)].
    """
    if not with_gradient:
        return values

    batch, n_slots = values.shape
    shifts = SHIFT * np.eye(n_slots)  # (S, S): row s shifts slot s
    plus = (values[:, None, :] + shifts[None]).reshape(batch * n_slots, n_slots)
    minus = (values[:, None, :] - shifts[None]).reshape(batch * n_slots, n_slots)
    return np.concatenate([values, plus, minus], axis=0)


def split_results(
    results: np.ndarray, batch: int, n_slots: int, with_gradient: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """Split executor results into expectation values and the slot Jacobian.

    Args:
        results: expectation values for every binding of :func:`shift_bindings`, shape (M, n_out).

    Returns:
        ``(expvals (B, n_out), slot_jacobian (B, S, n_out) or None)``.
    """
    expvals = results[:batch]
    if not with_gradient:
        return expvals, None

    n_out = results.shape[1]
    plus = results[batch : batch + batch * n_slots].reshape(batch, n_slots, n_out)
    minus = results[batch + batch * n_slots :].reshape(batch, n_slots, n_out)
    return expvals, (plus - minus) / 2.0


def leaf_jacobian(slot_jacobian: np.ndarray, slot_leaf: np.ndarray, n_leaves: int) -> np.ndarray:
    """Sum slot derivatives into leaf derivatives, (B, S, n_out) -> (B, n_leaves, n_out).

    A leaf that feeds several rotations gets the sum of their derivatives (chain rule).
    """
    batch, _, n_out = slot_jacobian.shape
    jacobian = np.zeros((batch, n_leaves, n_out), dtype=slot_jacobian.dtype)
    np.add.at(jacobian, (slice(None), slot_leaf), slot_jacobian)
    return jacobian
