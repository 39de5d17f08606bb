"""``QuantumHead``: a dressed variational circuit as a ``torch.nn.Module``."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from qhybrid.circuits import CircuitSpec
from qhybrid.engines import Engine, make_engine
from qhybrid.exceptions import ConfigError
from qhybrid.heads.validation import check_features


class QuantumHead(nn.Module):
    """A dressed quantum circuit (Mari et al., arXiv:1912.08278) on frozen features.

    ``features (B, in_features) -> Linear -> pi * tanh -> circuit -> <Z_i> (B, n_qubits)
    -> Linear -> logits (B, n_classes)``.

    The circuit is written once in PennyLane (``CircuitSpec``), and ``backend`` only
    chooses the engine that executes it. Engines have no parameters, so the
    ``state_dict`` is the same on every backend.

    Args:
        in_features: width of the input features, e.g. 384 for all-MiniLM-L6-v2.
        n_classes: number of output logits.
        n_qubits: qubits, which is also the width of the bottleneck.
        n_layers: ansatz layers.
        embedding: embedding name, see ``qhybrid.circuits.EMBEDDINGS``.
        ansatz: ansatz name, see ``qhybrid.circuits.ANSATZE``.
        backend: ``"default.qubit"`` (backprop), ``"lightning.qubit"`` (adjoint),
            ``"qiskit.aer"`` (pennylane-qiskit, parameter-shift) or ``"aer"``
            (qhybrid's batched Aer engine).
        shots: shots per circuit evaluation; None gives exact expectation values.
        diff_method: PennyLane differentiation method; None picks the backend's default.
        seed: seeds the initial weights and the shot sampling.
        backend_options: extra engine options (for ``"aer"``: method, target_backend).
        noise: noise for ``backend="aer"``: a fake IBM backend name such as
            ``"fake_manila"``, a :class:`qhybrid.noise.NoiseSpec` or its dict, or a
            Qiskit Aer ``NoiseModel``; None for none.
        mitigation: error mitigation for ``backend="aer"``: a
            :class:`qhybrid.mitigation.Mitigation` or its dict; None for none.

    Note:
        With gradients enabled, the ``aer`` and ``ibm`` backends run the
        parameter-shift circuits in the same call as the forward pass. Evaluate
        under ``torch.no_grad()`` to run only the forward circuits.

    Example:
        >>> head = QuantumHead(384, 2, n_qubits=4, n_layers=2, seed=0)
        >>> head(torch.randn(8, 384)).shape
        torch.Size([8, 2])
    """

    def __init__(
        self,
        in_features: int,
        n_classes: int,
        n_qubits: int = 4,
        n_layers: int = 2,
        embedding: str = "angle",
        ansatz: str = "strongly_entangling",
        backend: str = "default.qubit",
        shots: int | None = None,
        diff_method: str | None = None,
        seed: int | None = None,
        backend_options: dict[str, Any] | None = None,
        noise: Any = None,
        mitigation: Any = None,
    ) -> None:
        super().__init__()
        _check_positive("in_features", in_features)
        _check_positive("n_classes", n_classes, minimum=2)
        self.spec = CircuitSpec(n_qubits=n_qubits, n_layers=n_layers, embedding=embedding, ansatz=ansatz)
        self.in_features = in_features
        self.n_classes = n_classes
        options = dict(backend_options or {})
        for key, value in (("noise", noise), ("mitigation", mitigation)):
            if value is not None:
                options[key] = value
        self.engine: Engine = make_engine(
            self.spec, backend, shots=shots, seed=seed, diff_method=diff_method, options=options
        )

        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        self.pre = nn.Linear(in_features, n_qubits)
        self.weights = nn.Parameter(torch.empty(self.spec.weight_shape))
        self.post = nn.Linear(n_qubits, n_classes)
        self._reset_parameters(generator)

    def _reset_parameters(self, generator: torch.Generator | None) -> None:
        # nn.Linear's own init draws from the global generator; redraw from ours so
        # that a seed fixes every initial weight.
        for linear in (self.pre, self.post):
            bound = 1.0 / math.sqrt(linear.in_features)
            with torch.no_grad():
                linear.weight.uniform_(-bound, bound, generator=generator)
                linear.bias.uniform_(-bound, bound, generator=generator)
        with torch.no_grad():
            self.weights.uniform_(0.0, 2 * math.pi, generator=generator)

    @property
    def backend(self) -> str:
        """Name of the backend that executes the circuit."""
        return self.engine.name

    def angles(self, features: torch.Tensor) -> torch.Tensor:
        """Map features (B, in_features) to rotation angles (B, n_qubits) in (-pi, pi)."""
        check_features(features, self.in_features, self.pre.weight.dtype)
        return math.pi * torch.tanh(self.pre(features))

    def expvals(self, features: torch.Tensor) -> torch.Tensor:
        """Return the circuit outputs <Z_i>, shape (B, n_qubits)."""
        angles = self.angles(features)
        return self.engine.expvals(angles, self.weights.to(angles.dtype))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """Return class logits, shape (B, n_classes)."""
        return self.post(self.expvals(features))

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, n_classes={self.n_classes}, n_qubits={self.spec.n_qubits}, "
            f"n_layers={self.spec.n_layers}, ansatz={self.spec.ansatz!r}, backend={self.backend!r}, "
            f"shots={self.engine.shots}"
        )


def _check_positive(name: str, value: Any, minimum: int = 1) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ConfigError(f"{name} must be an integer >= {minimum}, got {value!r}.")
