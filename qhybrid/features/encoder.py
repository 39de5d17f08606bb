"""A pretrained transformer encoder with frozen weights that maps texts to pooled feature vectors."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import torch
from tqdm.auto import tqdm

from qhybrid.exceptions import ConfigError, FeatureError
from qhybrid.features.config import POOLING_MODES, EncoderConfig
from qhybrid.features.pretrained import ResolvedModel, load_pretrained, resolve_model

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

logger = logging.getLogger(__name__)

# Tokenizers without a known limit report a huge sentinel as model_max_length
# (transformers' VERY_LARGE_INTEGER, int(1e30)).
_UNKNOWN_TOKENIZER_LIMIT = 10**9


class FrozenEncoder:
    """A Hugging Face encoder in eval mode, with gradients off, that returns one vector per text.

    The constructor loads the weights, which never change afterwards. The output thus
    depends only on :meth:`identity` and the texts, up to the float32 rounding that
    ``batch_size`` and ``device`` affect.

    Example:
        >>> encoder = FrozenEncoder(EncoderConfig(pooling="mean"))
        >>> encoder.encode(["a short text", "another one"]).shape
        torch.Size([2, 384])
    """

    def __init__(self, config: EncoderConfig) -> None:
        """Resolve and load the checkpoint that ``config.model`` names.

        Args:
            config: Encoder configuration.

        Raises:
            ConfigError: If ``config`` is not an :class:`EncoderConfig`, the device is not
                available, the model cannot be found or loaded, or ``config.max_length``
                exceeds the model's maximum sequence length.
            MissingDependencyError: If the shipped model is requested but its package is
                not installed.
        """
        if not isinstance(config, EncoderConfig):
            raise ConfigError(
                f"config must be an EncoderConfig, got {type(config).__name__}. "
                f"Build one with EncoderConfig(...) or EncoderConfig.from_dict(...)."
            )
        self.config = config
        self.device = resolve_device(config.device)
        self.resolved = resolve_model(config.model)

        tokenizer, model = load_pretrained(self.resolved)
        _check_max_length(config.max_length, tokenizer, model, self.resolved.name)
        # Right padding keeps the first real token at position 0, which "cls" pooling reads.
        tokenizer.padding_side = "right"
        self._tokenizer = tokenizer
        self._model = model.to(device=self.device, dtype=torch.float32).eval().requires_grad_(False)

    @property
    def dim(self) -> int:
        """Feature dimension, the model's hidden size (384 for all-MiniLM-L6-v2)."""
        return int(self._model.config.hidden_size)

    def identity(self) -> dict[str, Any]:
        """Return what determines the features: model name, fingerprint, pooling and max_length."""
        return build_identity(self.resolved, self.config)

    def encode(self, texts: Sequence[str], progress: bool = True) -> torch.Tensor:
        """Encode texts into pooled feature vectors.

        Texts are batched by decreasing length to reduce padding, and the rows are
        returned in input order. Other batch sizes change the padding length and thus
        the float32 rounding, by about 2e-6 for all-MiniLM-L6-v2.

        Args:
            texts: The texts to encode; any iterable of ``str`` except a single ``str``.
            progress: Show a tqdm progress bar over batches. It is hidden anyway when
                all texts fit in one batch.

        Returns:
            Float32 features on the CPU, shape ``(len(texts), dim)``.

        Raises:
            FeatureError: If ``texts`` is empty, a single string or contains a non-string,
                or if the model outputs NaN or infinite values.
        """
        texts = validate_texts(texts)
        batches = _length_sorted_batches(texts, self.config.batch_size)
        features = torch.empty(len(texts), self.dim, dtype=torch.float32)  # (N, dim)

        show_bar = progress and len(batches) > 1
        for indices in tqdm(batches, desc="Encoding texts", unit="batch", disable=not show_bar):
            features[indices] = self._encode_batch([texts[index] for index in indices])

        if not torch.isfinite(features).all():
            rows = torch.nonzero(~torch.isfinite(features).all(dim=1)).flatten().tolist()
            raise FeatureError(
                f"Encoder {self.resolved.name!r} produced NaN or infinite features for the "
                f"texts at indices {rows[:10]} ({len(rows)} in total). Check those texts and "
                f"the checkpoint's weights."
            )
        return features

    @torch.inference_mode()
    def _encode_batch(self, batch: list[str]) -> torch.Tensor:
        encoded = self._tokenizer(
            batch,
            padding=True,
            truncation=True,
            max_length=self.config.max_length,
            return_tensors="pt",
        ).to(self.device)
        hidden = self._model(**encoded).last_hidden_state  # (B, T, dim)
        pooled = pool_hidden_states(hidden, encoded["attention_mask"], self.config.pooling)
        return pooled.float().cpu()  # (B, dim)


def pool_hidden_states(
    hidden: torch.Tensor, attention_mask: torch.Tensor, pooling: str
) -> torch.Tensor:
    """Reduce token states to one vector per sequence.

    Args:
        hidden: Last hidden state, shape ``(B, T, dim)``.
        attention_mask: 1 for real tokens and 0 for padding, shape ``(B, T)``.
        pooling: ``"mean"`` for the mean over real tokens, ``"cls"`` for the first token.

    Returns:
        Pooled vectors, shape ``(B, dim)``.

    Raises:
        ConfigError: If ``pooling`` is not ``"mean"`` or ``"cls"``.
    """
    if pooling == "cls":
        return hidden[:, 0]
    if pooling == "mean":
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)  # (B, T, 1)
        token_counts = mask.sum(dim=1).clamp(min=1.0)  # (B, 1)
        return (hidden * mask).sum(dim=1) / token_counts
    raise ConfigError(f"Unknown pooling {pooling!r}. Choose one of {list(POOLING_MODES)}.")


def resolve_device(device: str) -> torch.device:
    """Turn a device name into a :class:`torch.device`, checking that CUDA is available.

    Args:
        device: ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.

    Returns:
        The torch device.

    Raises:
        ConfigError: If a CUDA device is requested but CUDA is not available, or the
            GPU index is out of range.
    """
    resolved = torch.device(device)
    if resolved.type != "cuda":
        return resolved

    if not torch.cuda.is_available():
        raise ConfigError(
            f"device is {device!r}, but CUDA is not available (torch {torch.__version__}, "
            f"CUDA build {torch.version.cuda or 'none'}). Set device to 'cpu', or install a "
            f"CUDA build of torch on a machine with an NVIDIA GPU."
        )
    count = torch.cuda.device_count()
    if resolved.index is not None and resolved.index >= count:
        raise ConfigError(
            f"device is {device!r}, but only {count} CUDA device(s) are visible "
            f"(indices 0 to {count - 1}). Use one of those indices."
        )
    return resolved


def validate_texts(texts: Iterable[str]) -> list[str]:
    """Check that ``texts`` is a non-empty collection of strings and return it as a list.

    Args:
        texts: Any iterable of ``str`` except a single ``str`` or ``bytes``.

    Returns:
        The texts as a new list, in input order.

    Raises:
        FeatureError: If ``texts`` is a single string, not iterable, empty, or contains
            an item that is not a ``str`` (the message names the first such index).
    """
    if isinstance(texts, (str, bytes)) or not isinstance(texts, Iterable):
        raise FeatureError(
            f"texts must be a list of strings, got {type(texts).__name__}. "
            f"Wrap a single text in a list: [text]."
        )
    texts = list(texts)
    if not texts:
        raise FeatureError("texts is empty. Pass at least one string to encode.")
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise FeatureError(
                f"texts[{index}] must be a str, got {type(text).__name__}: {text!r}. "
                f"Convert it with str() or drop it (pandas stores missing texts as float NaN)."
            )
    return texts


def encoder_identity(config: EncoderConfig) -> dict[str, Any]:
    """Describe what determines the features of ``config``, without loading the weights.

    This is the identity that :meth:`FrozenEncoder.identity` returns after loading, and
    the part of the feature cache key that does not depend on the texts.

    Args:
        config: Encoder configuration.

    Returns:
        A JSON-serializable dict with keys ``model``, ``fingerprint``, ``pooling`` and
        ``max_length``. ``batch_size`` and ``device`` are left out on purpose.

    Raises:
        ConfigError: If ``config`` is not an :class:`EncoderConfig` or the model cannot
            be resolved, as in :func:`~qhybrid.features.pretrained.resolve_model`.
    """
    if not isinstance(config, EncoderConfig):
        raise ConfigError(f"config must be an EncoderConfig, got {type(config).__name__}.")
    return build_identity(resolve_model(config.model), config)


def build_identity(resolved: ResolvedModel, config: EncoderConfig) -> dict[str, Any]:
    """Combine a resolved checkpoint with the configuration fields that change features."""
    return {
        "model": resolved.name,
        "fingerprint": resolved.fingerprint,
        "pooling": config.pooling,
        "max_length": config.max_length,
    }


def _length_sorted_batches(texts: list[str], batch_size: int) -> list[list[int]]:
    # Character count approximates token count. A poor approximation only adds padding,
    # so it costs speed but never changes results beyond float32 rounding.
    order = sorted(range(len(texts)), key=lambda index: len(texts[index]), reverse=True)
    return [order[start : start + batch_size] for start in range(0, len(order), batch_size)]


def _check_max_length(
    max_length: int, tokenizer: PreTrainedTokenizerBase, model: PreTrainedModel, name: str
) -> None:
    limits = [getattr(model.config, "max_position_embeddings", None), tokenizer.model_max_length]
    known_limits = [limit for limit in limits if isinstance(limit, int) and limit < _UNKNOWN_TOKENIZER_LIMIT]
    if known_limits and max_length > min(known_limits):
        raise ConfigError(
            f"max_length is {max_length}, but model {name!r} accepts at most "
            f"{min(known_limits)} tokens. Set max_length to {min(known_limits)} or less."
        )
