"""Classical baselines for the quantum head: a linear layer and a one-hidden-layer MLP."""

from __future__ import annotations

import torch
from torch import nn

from qhybrid.exceptions import ConfigError
from qhybrid.heads.validation import check_features


class LinearHead(nn.Module):
    """Logistic regression on the features: ``Linear(in_features, n_classes)``."""

    def __init__(self, in_features: int, n_classes: int, seed: int | None = None) -> None:
        super().__init__()
        self.in_features = in_features
        self.n_classes = n_classes
        with _seeded(seed):
            self.linear = nn.Linear(in_features, n_classes)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """Return class logits, shape (B, n_classes)."""
        check_features(features, self.in_features, self.linear.weight.dtype)
        return self.linear(features)


class MLPHead(nn.Module):
    """``Linear -> tanh -> Linear`` with one hidden layer.

    Args:
        in_features: input width.
        n_classes: number of output logits.
        hidden: hidden width; ignored when ``match_parameters`` is given.
        match_parameters: a parameter count to match, e.g. a quantum head's; the
            hidden width is the one whose count comes closest.
        seed: seeds the initial weights.
    """

    def __init__(
        self,
        in_features: int,
        n_classes: int,
        hidden: int = 64,
        match_parameters: int | None = None,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        if match_parameters is not None:
            hidden = hidden_width_for(match_parameters, in_features, n_classes)
        if hidden < 1:
            raise ConfigError(f"hidden must be a positive integer, got {hidden!r}.")
        self.in_features = in_features
        self.n_classes = n_classes
        self.hidden = hidden
        with _seeded(seed):
            self.net = nn.Sequential(nn.Linear(in_features, hidden), nn.Tanh(), nn.Linear(hidden, n_classes))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """Return class logits, shape (B, n_classes)."""
        check_features(features, self.in_features, self.net[0].weight.dtype)
        return self.net(features)


def hidden_width_for(n_parameters: int, in_features: int, n_classes: int) -> int:
    """Return the MLP hidden width whose parameter count is closest to ``n_parameters``.

    An MLP with hidden width h has ``h * (in_features + 1 + n_classes) + n_classes`` parameters.
    """
    if n_parameters < 1:
        raise ConfigError(f"match_parameters must be a positive integer, got {n_parameters!r}.")
    per_unit = in_features + 1 + n_classes
    return max(1, round((n_parameters - n_classes) / per_unit))


def count_parameters(module: nn.Module) -> int:
    """Return the number of trainable parameters of ``module``."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


class _seeded:
    """Context manager that forks the global torch RNG and seeds it, if a seed is given."""

    def __init__(self, seed: int | None) -> None:
        self.seed = seed
        self._fork = torch.random.fork_rng(enabled=seed is not None)

    def __enter__(self) -> None:
        self._fork.__enter__()
        if self.seed is not None:
            torch.manual_seed(self.seed)

    def __exit__(self, *exc: object) -> None:
        self._fork.__exit__(*exc)
