"""The shipped experiments end to end on the real datasets, with the shipped MiniLM encoder."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from qhybrid.experiment import ExperimentResult, load_experiment_config, run_experiment
from qhybrid.features import EncoderConfig, FrozenEncoder
from tests.experiment.expected import HEAD_FILES, REQUIRED_RESULT_KEYS, RUN_FILES
from tests.experiment.synthetic import refuse_encoder

pytestmark = [pytest.mark.slow, pytest.mark.needs_data]

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"

MC_QUANTUM_MIN_ACCURACY = 0.96
"""Test accuracy the quantum head of lambeq_mc.toml must reach (29 of the 30 test sentences)."""

YELP_QUANTUM_MIN_ACCURACY = 0.84
"""Test accuracy the quantum head of sentiment_yelp.toml must reach (84 of the 100 test sentences)."""


@pytest.fixture(scope="module")
def shared_encoder() -> Callable[[EncoderConfig], FrozenEncoder]:
    """An encoder factory that loads MiniLM once for the whole module."""
    encoders: dict[EncoderConfig, FrozenEncoder] = {}

    def build(config: EncoderConfig) -> FrozenEncoder:
        if config not in encoders:
            encoders[config] = FrozenEncoder(config)
        return encoders[config]

    return build


def run_shipped(
    name: str, data_root: Path, tmp_path: Path, encoder_factory: Callable, **train_changes: object
) -> ExperimentResult:
    config = load_experiment_config(EXPERIMENTS / f"{name}.toml")
    if train_changes:
        config = dataclasses.replace(config, train=dataclasses.replace(config.train, **train_changes))
    return run_experiment(
        config, data_root, tmp_path / "runs", progress=False, config_path=EXPERIMENTS / f"{name}.toml",
        cache_dir=tmp_path / "cache", encoder_factory=encoder_factory,
    )


def test_lambeq_mc_end_to_end(real_data_root: Path, tmp_path: Path, shared_encoder) -> None:
    result = run_shipped("lambeq_mc", real_data_root, tmp_path, shared_encoder)
    metrics = json.loads((result.run_dir / "metrics.json").read_text())

    for name in RUN_FILES:
        assert (result.run_dir / name).is_file(), name
    for entry in metrics["results"]:
        assert REQUIRED_RESULT_KEYS <= set(entry), entry["head"]
        assert 0.0 <= entry["test_accuracy"] <= 1.0
        for name in HEAD_FILES:
            assert (result.run_dir / "heads" / entry["head"] / name).is_file(), (entry["head"], name)
    assert [entry["head"] for entry in metrics["results"]] == ["quantum", "linear", "mlp", "mlp_matched"]
    assert result.data_summary["splits"]["validation"]["size"] == 30
    assert result.result("quantum").test_accuracy >= MC_QUANTUM_MIN_ACCURACY


def test_lambeq_mc_second_run_uses_cache(real_data_root: Path, tmp_path: Path, shared_encoder) -> None:
    first = run_shipped("lambeq_mc", real_data_root, tmp_path, shared_encoder, epochs=2)
    second = run_shipped("lambeq_mc", real_data_root, tmp_path, refuse_encoder, epochs=2)

    assert second.result("linear").test_accuracy == first.result("linear").test_accuracy


def test_lambeq_rp_carves_validation(real_data_root: Path, tmp_path: Path, shared_encoder) -> None:
    result = run_shipped("lambeq_rp", real_data_root, tmp_path, shared_encoder, epochs=2)
    splits = result.data_summary["splits"]

    # 74 training phrases, of which validation_fraction = 0.2 is carved out, stratified.
    assert splits["train"]["size"] + splits["validation"]["size"] == 74
    assert splits["validation"]["size"] == 15
    assert splits["test"]["size"] == 31


def test_sentiment_yelp_reaches_target(real_data_root: Path, tmp_path: Path, shared_encoder) -> None:
    result = run_shipped("sentiment_yelp", real_data_root, tmp_path, shared_encoder)

    assert [split["size"] for split in result.data_summary["splits"].values()] == [800, 100, 100]
    assert result.result("quantum").test_accuracy >= YELP_QUANTUM_MIN_ACCURACY
