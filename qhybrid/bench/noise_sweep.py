"""Accuracy of a trained quantum head under scaled noise on the Aer engine, with and without mitigation.

The head's trained weights (one ``state_dict`` per seed) are loaded into an
``aer`` head with noise ``NoiseSpec.scaled(s)``, and its test accuracy is
measured for every scale ``s``. Engines hold no parameters, so the weights carry
over unchanged between backends.
"""

from __future__ import annotations

import dataclasses
import logging

import torch

from qhybrid.bench.config import NoiseSweepConfig
from qhybrid.bench.dataset import PreparedDataset
from qhybrid.bench.results import FAILED_PREFIX, SKIPPED_PREFIX, STATUS_OK, NoisePoint
from qhybrid.heads import HeadConfig, build_head
from qhybrid.mitigation import Mitigation
from qhybrid.noise import NoiseSpec
from qhybrid.train import evaluate

logger = logging.getLogger(__name__)


def run_noise_sweep(
    sweep: NoiseSweepConfig,
    head: HeadConfig,
    prepared: PreparedDataset,
    states: dict[int, dict[str, torch.Tensor]],
) -> list[NoisePoint]:
    """Evaluate the trained head at every noise scale, unmitigated and (if configured) mitigated.

    Args:
        sweep: Noise at scale 1, the scales, the mitigation and the shots.
        head: Config of the trained head; its backend is replaced by ``"aer"``.
        prepared: The dataset; its test split is evaluated.
        states: Trained ``state_dict`` by seed; empty when the head did not train.

    Returns:
        One point per curve and scale, unmitigated first. A point that raises is logged
        and kept with a ``"failed: <error>"`` status.
    """
    curves: list[Mitigation | None] = [None] if sweep.mitigation is None else [None, sweep.mitigation]
    points = []
    for mitigation in curves:
        for scale in sweep.scales:
            noise = sweep.noise.scaled(scale)
            point = NoisePoint(
                dataset=prepared.name,
                head=head.name,
                scale=scale,
                noise=noise.to_dict(),
                mitigated=mitigation is not None,
                status=STATUS_OK,
            )
            points.append(_evaluate_point(point, noisy_head_config(head, noise, mitigation, sweep.shots), prepared, states))
    return points


def noisy_head_config(
    head: HeadConfig, noise: NoiseSpec, mitigation: Mitigation | None, shots: int | None
) -> HeadConfig:
    """Return ``head`` moved to the ``aer`` backend with ``noise``, ``mitigation`` and ``shots``.

    The differentiation method is reset to Aer's default, because a method such as
    ``"backprop"`` that suits ``default.qubit`` does not exist on Aer.
    """
    return dataclasses.replace(
        head, backend="aer", diff_method=None, shots=shots, noise=noise, mitigation=mitigation, backend_options={}
    )


def _evaluate_point(
    point: NoisePoint, config: HeadConfig, prepared: PreparedDataset, states: dict[int, dict[str, torch.Tensor]]
) -> NoisePoint:
    if not states:
        return dataclasses.replace(point, status=f"{SKIPPED_PREFIX}head {config.name!r} did not train on any device")

    test = prepared.encoded.test
    accuracies = []
    try:
        for seed, state in states.items():
            module = build_head(config, prepared.dim, prepared.n_classes, seed)
            module.load_state_dict(state)
            accuracies.append(evaluate(module, test.x, test.y)["accuracy"])
    except Exception as error:  # noqa: BLE001 - one failing point must not end the sweep
        logger.error("Noise sweep point %s failed", point, exc_info=True)
        return dataclasses.replace(point, status=f"{FAILED_PREFIX}{type(error).__name__}: {error}")

    logger.info(
        "%s %s at noise scale %g%s: mean test accuracy %.3f",
        point.dataset, point.head, point.scale, " (mitigated)" if point.mitigated else "",
        sum(accuracies) / len(accuracies),
    )
    return dataclasses.replace(point, accuracies=tuple(accuracies))
