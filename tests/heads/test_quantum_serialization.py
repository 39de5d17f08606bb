"""Saving and loading QuantumHead, as a whole module and through its state_dict."""

from __future__ import annotations

import io

import pytest
import torch

from .conftest import BATCH, PENNYLANE_BACKENDS, make_features, make_head


def _round_trip(obj):
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=False)


# Exact equality is required on every backend: each one simulates deterministically,
# so the same weights and inputs must reproduce the same bits.

@pytest.mark.parametrize("backend", PENNYLANE_BACKENDS)
def test_whole_module_round_trip(backend):
    head = make_head(backend)
    features = make_features(batch=BATCH, dtype=torch.float32)
    with torch.no_grad():
        before = head(features)  # builds the QNode, which must not be pickled

    loaded = _round_trip(head)

    with torch.no_grad():
        assert torch.equal(loaded(features), before)
    assert loaded.backend == backend
    loaded(features).sum().backward()
    assert loaded.weights.grad is not None


@pytest.mark.parametrize("backend", PENNYLANE_BACKENDS)
def test_state_dict_round_trip(backend):
    head = make_head(backend, seed=1)
    features = make_features(batch=BATCH, dtype=torch.float32)
    fresh = make_head(backend, seed=2)

    fresh.load_state_dict(_round_trip(head.state_dict()))

    with torch.no_grad():
        assert torch.equal(fresh(features), head(features))


def test_state_dict_loads_with_weights_only():
    head = make_head("default.qubit")
    buffer = io.BytesIO()
    torch.save(head.state_dict(), buffer)
    buffer.seek(0)

    state = torch.load(buffer, weights_only=True)

    assert state.keys() == head.state_dict().keys()
