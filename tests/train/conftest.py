"""Synthetic classification data for the training tests."""

from __future__ import annotations

import pytest
import torch


def make_blobs(n_per_class: int, in_features: int, n_classes: int, separation: float, seed: int):
    """Return features (N, in_features) and int64 labels (N,) of Gaussian blobs, one per class.

    Class c is centred at ``separation`` times the c-th unit vector, with unit variance.
    The samples are interleaved by class so that any prefix is roughly balanced.
    """
    generator = torch.Generator().manual_seed(seed)
    labels = torch.arange(n_classes).repeat(n_per_class)  # (N,)
    centres = separation * torch.eye(n_classes, in_features)  # (n_classes, in_features)
    features = centres[labels] + torch.randn(len(labels), in_features, generator=generator)
    return features, labels


@pytest.fixture
def separable_split():
    """Train and validation splits of 3 well-separated blobs in 6 dimensions."""
    train_x, train_y = make_blobs(30, 6, 3, separation=12.0, seed=0)
    val_x, val_y = make_blobs(10, 6, 3, separation=12.0, seed=1)
    return train_x, train_y, val_x, val_y


@pytest.fixture(autouse=True)
def single_torch_thread():
    """Run each test with one torch intra-op thread, then restore the previous count.

    The tensors here are tiny, so threads only add synchronization. On the 2-core
    test machine, with other processes busy, 40 epochs of a LinearHead took about
    5 s with torch's default 2 threads and 0.07 s with one.
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
