"""``HeadConfig``: one head of an experiment, as written in a config file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from torch import nn

from qhybrid.exceptions import ConfigError, QHybridError
from qhybrid.heads.classical import LinearHead, MLPHead, count_parameters
from qhybrid.heads.quantum import QuantumHead

HEAD_KINDS = ("quantum", "linear", "mlp")


@dataclass(frozen=True)
class HeadConfig:
    """A head to train, with every option that changes its outputs."""

    name: str
    """Name used in result tables and folders; quantum heads' names contain 'quantum'."""

    kind: str
    """``"quantum"``, ``"linear"`` or ``"mlp"``."""

    n_qubits: int = 4
    """Quantum heads: qubits, also the bottleneck width."""

    n_layers: int = 2
    """Quantum heads: ansatz layers."""

    embedding: str = "angle"
    """Quantum heads: embedding name."""

    ansatz: str = "strongly_entangling"
    """Quantum heads: ansatz name."""

    backend: str = "default.qubit"
    """Quantum heads: backend that executes the circuit; classical heads always run in torch."""

    shots: int | None = None
    """Quantum heads: shots per circuit; None for exact expectation values."""

    diff_method: str | None = None
    """Quantum heads: PennyLane differentiation method; None picks the backend default."""

    backend_options: dict[str, Any] = field(default_factory=dict)
    """Quantum heads: engine options, e.g. ``{"method": "density_matrix"}`` for ``aer``."""

    hidden: int = 64
    """MLP heads: hidden width."""

    match_parameters: str | None = None
    """MLP heads: name of a quantum head in the same experiment whose parameter count
    the MLP matches; overrides ``hidden``."""

    noise: Any = None
    """Quantum heads on ``backend="aer"``: a fake IBM backend name such as ``"fake_manila"``,
    or a :class:`qhybrid.noise.NoiseSpec` (a table is converted); None for no noise."""

    mitigation: Any = None
    """Quantum heads on ``backend="aer"``: a :class:`qhybrid.mitigation.Mitigation` (a table
    with an optional nested ``zne`` table is converted); None for no mitigation."""

    def __post_init__(self) -> None:
        if not self.name or not isinstance(self.name, str):
            raise ConfigError(f"head name must be a non-empty string, got {self.name!r}.")
        if self.kind not in HEAD_KINDS:
            raise ConfigError(f"head {self.name!r}: unknown kind {self.kind!r}; choose one of {list(HEAD_KINDS)}.")
        if self.kind == "quantum" and "quantum" not in self.name:
            raise ConfigError(
                f"head {self.name!r}: quantum heads' names must contain 'quantum', because result tables use it to tell them apart; "
                f"rename it, e.g. to 'quantum_{self.name}'."
            )
        if self.kind != "quantum" and "quantum" in self.name:
            raise ConfigError(
                f"head {self.name!r}: only quantum heads' names may contain 'quantum', because result "
                f"tables use the name to tell quantum heads apart; rename this {self.kind} head."
            )
        self._normalize_noise_and_mitigation()

    def _normalize_noise_and_mitigation(self) -> None:
        from qhybrid.mitigation import Mitigation
        from qhybrid.noise import NoiseSpec

        if self.kind != "quantum" and (self.noise is not None or self.mitigation is not None):
            raise ConfigError(f"head {self.name!r}: only quantum heads take noise or mitigation; remove them.")
        if isinstance(self.noise, Mapping):
            object.__setattr__(self, "noise", NoiseSpec.from_dict(self.noise))
        if self.noise is not None and not isinstance(self.noise, (str, NoiseSpec)):
            raise ConfigError(
                f"head {self.name!r}: noise must be a fake backend name such as 'fake_manila' or a NoiseSpec "
                f"table, got {type(self.noise).__name__}; pass a NoiseModel object to QuantumHead(noise=...) instead."
            )
        if isinstance(self.mitigation, Mapping):
            object.__setattr__(self, "mitigation", Mitigation.from_dict(self.mitigation))
        if self.mitigation is not None and not isinstance(self.mitigation, Mitigation):
            raise ConfigError(
                f"head {self.name!r}: mitigation must be a mitigation table, got {type(self.mitigation).__name__}."
            )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HeadConfig:
        """Build a config from a ``[[heads]]`` table, rejecting unknown keys."""
        valid = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - valid)
        if unknown:
            raise ConfigError(
                f"head {data.get('name', '?')!r}: unknown keys {unknown}; valid keys are {sorted(valid)}."
            )
        if "name" not in data or "kind" not in data:
            raise ConfigError(f"every [[heads]] table needs 'name' and 'kind', got keys {sorted(data)}.")
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """Return the config as a plain dict (TOML- and JSON-ready, None values dropped)."""
        data = asdict(self)
        data["noise"] = self.noise.to_dict() if hasattr(self.noise, "to_dict") else self.noise
        data["mitigation"] = None if self.mitigation is None else self.mitigation.to_dict()
        unused = _fields_unused_by(self.kind)
        return {key: value for key, value in data.items() if value is not None and key not in unused}


QUANTUM_FIELDS = (
    "n_qubits", "n_layers", "embedding", "ansatz", "backend", "shots",
    "diff_method", "backend_options", "noise", "mitigation",
)
MLP_FIELDS = ("hidden", "match_parameters")


def _fields_unused_by(kind: str) -> tuple[str, ...]:
    """Return the fields that a head of ``kind`` ignores, so saved configs do not show them."""
    if kind == "quantum":
        return MLP_FIELDS
    if kind == "mlp":
        return QUANTUM_FIELDS
    return QUANTUM_FIELDS + MLP_FIELDS


def build_head(
    config: HeadConfig,
    in_features: int,
    n_classes: int,
    seed: int | None,
    matched_parameters: int | None = None,
) -> nn.Module:
    """Create the head that ``config`` describes.

    Args:
        config: the head's configuration.
        in_features: feature width, e.g. 384 for all-MiniLM-L6-v2.
        n_classes: number of classes.
        seed: seeds initial weights and, for quantum heads, shot sampling.
        matched_parameters: parameter count of the head named by ``config.match_parameters``.

    Raises:
        ConfigError: if ``match_parameters`` is set but no count is given.
    """
    if config.kind == "quantum":
        return QuantumHead(
            in_features,
            n_classes,
            n_qubits=config.n_qubits,
            n_layers=config.n_layers,
            embedding=config.embedding,
            ansatz=config.ansatz,
            backend=config.backend,
            shots=config.shots,
            diff_method=config.diff_method,
            seed=seed,
            backend_options=dict(config.backend_options) or None,
            noise=config.noise,
            mitigation=config.mitigation,
        )
    if config.kind == "linear":
        return LinearHead(in_features, n_classes, seed=seed)

    if config.match_parameters is not None and matched_parameters is None:
        raise ConfigError(
            f"head {config.name!r}: match_parameters={config.match_parameters!r} names no quantum head "
            "listed before it; list that head first or remove match_parameters."
        )
    return MLPHead(in_features, n_classes, hidden=config.hidden, match_parameters=matched_parameters, seed=seed)


def build_heads(
    configs: list[HeadConfig], in_features: int, n_classes: int, seed: int | None
) -> dict[str, nn.Module]:
    """Create every head in order, resolving ``match_parameters`` against heads built earlier."""
    heads: dict[str, nn.Module] = {}
    for config in configs:
        if config.name in heads:
            raise ConfigError(f"two heads are named {config.name!r}; head names must be unique.")
        matched = None
        if config.match_parameters is not None and config.match_parameters in heads:
            matched = count_parameters(heads[config.match_parameters])
        try:
            heads[config.name] = build_head(config, in_features, n_classes, seed, matched)
        except QHybridError as error:
            raise type(error)(f"head {config.name!r}: {error}") from error
    return heads
