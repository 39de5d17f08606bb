"""Fixtures of the experiment tests: the synthetic experiment and encoder factories."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from qhybrid.features import EncoderConfig
from tests.experiment.synthetic import FakeEncoder, write_synthetic_experiment


@pytest.fixture
def synthetic(tmp_path: Path) -> tuple[Path, Path]:
    """``(data_root, config_path)`` of the synthetic experiment in a temporary folder."""
    return write_synthetic_experiment(tmp_path)


@pytest.fixture
def counting_factory() -> tuple[Callable[[EncoderConfig], FakeEncoder], list[EncoderConfig]]:
    """An encoder factory that builds FakeEncoders, and the list of configs it was called with."""
    calls: list[EncoderConfig] = []

    def build(config: EncoderConfig) -> FakeEncoder:
        calls.append(config)
        return FakeEncoder(config)

    return build, calls


@pytest.fixture(autouse=True)
def single_torch_thread():
    """Run each test with one torch intra-op thread, as `qhybrid run` does by default, then restore."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
