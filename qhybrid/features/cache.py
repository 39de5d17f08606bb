"""On-disk cache of encoder features, keyed by the encoder identity and the exact texts."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch

from qhybrid.exceptions import ConfigError, FeatureError
from qhybrid.io import save_torch_atomic, write_json_atomic

logger = logging.getLogger(__name__)

CACHE_FORMAT = 1
"""Version of the key derivation and file layout. Keys of one version never match another's."""

_KEY_PATTERN = re.compile(r"[0-9a-f]{64}")

# Errors that torch.load raises on a truncated, overwritten or foreign file.
_LOAD_ERRORS = (RuntimeError, EOFError, OSError, ValueError, pickle.UnpicklingError, zipfile.BadZipFile)


def cache_key(identity: Mapping[str, Any], texts: Sequence[str]) -> str:
    """Derive the cache key of a feature matrix.

    The key is the SHA-256 over the cache format, the identity as canonical JSON, and
    every text in order with its length, so any change to a text, to the text order or
    to the identity gives a different key.

    Args:
        identity: What determines the features, as returned by
            :func:`~qhybrid.features.encoder.encoder_identity`. Must be JSON-serializable.
        texts: The encoded texts, in row order.

    Returns:
        64 lowercase hex digits.

    Raises:
        FeatureError: If ``identity`` is not a JSON-serializable mapping.
    """
    digest = hashlib.sha256(f"qhybrid-features-v{CACHE_FORMAT}\n".encode())
    digest.update(_canonical_json(identity, "identity").encode())
    digest.update(len(texts).to_bytes(8, "little"))
    for text in texts:
        data = text.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


class FeatureCache:
    """A folder of feature matrices, one ``.pt`` file and one JSON sidecar per key.

    An entry lives at ``<root>/<key[:2]>/<key>.pt`` with ``<key>.json`` beside it. The
    sidecar stores the row count, the feature dimension and the caller's metadata. Both
    files are written atomically, the tensor first, so a reader that finds the sidecar
    also finds the whole tensor.

    Example:
        >>> cache = FeatureCache(Path(".qhybrid_cache/features"))
        >>> key = cache_key(identity, texts)
        >>> features = cache.get(key)  # None on a miss
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        """Use ``root`` as the cache folder, which the first :meth:`put` creates.

        Raises:
            ConfigError: If ``root`` exists and is not a directory.
        """
        self.root = Path(root).expanduser()
        if self.root.exists() and not self.root.is_dir():
            raise ConfigError(
                f"Feature cache directory {str(self.root)!r} exists and is not a directory. "
                f"Pass another cache_dir, or remove the file."
            )

    def get(self, key: str) -> torch.Tensor | None:
        """Load the features stored under ``key``.

        A corrupt entry (unreadable file, missing sidecar, or a tensor whose shape differs
        from the stored row count and dimension) is logged as a warning and returned as a
        miss, so the caller recomputes and overwrites it.

        Args:
            key: A key from :func:`cache_key`.

        Returns:
            Float32 features on the CPU, shape ``(count, dim)``, or ``None`` on a miss.

        Raises:
            FeatureError: If ``key`` is not 64 lowercase hex digits.
        """
        tensor_path, sidecar_path = self._paths(key)
        if not tensor_path.is_file():
            return None

        sidecar = self._read_sidecar(sidecar_path)
        features = self._read_tensor(tensor_path) if sidecar is not None else None
        if sidecar is None or features is None:
            return None

        problem = _describe_mismatch(features, sidecar, key)
        if problem is not None:
            logger.warning(
                "Ignoring corrupt feature cache entry %s: %s.", tensor_path, problem
            )
            return None
        return features

    def put(self, key: str, features: torch.Tensor, meta: Mapping[str, Any]) -> Path:
        """Store features under ``key``, replacing any existing entry.

        Args:
            key: A key from :func:`cache_key`.
            features: Float32 features, shape ``(count, dim)`` with ``count >= 1``.
                They are copied to the CPU before saving.
            meta: JSON-serializable description written into the sidecar, for example
                the encoder identity.

        Returns:
            Path of the written ``.pt`` file.

        Raises:
            FeatureError: If ``key`` is malformed, ``features`` is not a non-empty 2-D
                float32 tensor, or ``meta`` is not a JSON-serializable mapping.
        """
        tensor_path, sidecar_path = self._paths(key)
        _check_features(features)
        _canonical_json(meta, "meta")
        sidecar = {
            "format": CACHE_FORMAT,
            "key": key,
            "count": features.shape[0],
            "dim": features.shape[1],
            "dtype": "float32",
            "meta": dict(meta),
        }

        save_torch_atomic(tensor_path, features.detach().to("cpu").contiguous().clone())
        write_json_atomic(sidecar_path, sidecar)
        logger.debug("Stored %d feature rows in %s", features.shape[0], tensor_path)
        return tensor_path

    def _paths(self, key: str) -> tuple[Path, Path]:
        if not isinstance(key, str) or not _KEY_PATTERN.fullmatch(key):
            raise FeatureError(
                f"Feature cache key must be 64 lowercase hex digits from cache_key(), got {key!r}."
            )
        folder = self.root / key[:2]
        return folder / f"{key}.pt", folder / f"{key}.json"

    def _read_sidecar(self, path: Path) -> dict[str, Any] | None:
        try:
            sidecar = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            logger.warning(
                "Ignoring feature cache entry with an unreadable sidecar %s (%s: %s).",
                path, type(error).__name__, error,
            )
            return None
        if not isinstance(sidecar, dict):
            logger.warning("Ignoring feature cache entry: sidecar %s is not a JSON object.", path)
            return None
        return sidecar

    def _read_tensor(self, path: Path) -> torch.Tensor | None:
        try:
            return torch.load(path, map_location="cpu", weights_only=True)
        except _LOAD_ERRORS as error:
            logger.warning(
                "Ignoring unreadable feature cache file %s (%s: %s).",
                path, type(error).__name__, _first_line(error),
            )
            return None


def _describe_mismatch(features: Any, sidecar: Mapping[str, Any], key: str) -> str | None:
    expected_shape = (sidecar.get("count"), sidecar.get("dim"))
    if sidecar.get("key") != key:
        return f"the sidecar belongs to key {sidecar.get('key')!r}"
    if not isinstance(features, torch.Tensor):
        return f"the file holds a {type(features).__name__}, not a tensor"
    if features.dtype != torch.float32:
        return f"the tensor has dtype {features.dtype}, expected torch.float32"
    if tuple(features.shape) != expected_shape:
        return f"the tensor has shape {tuple(features.shape)}, the sidecar records {expected_shape}"
    return None


def _check_features(features: Any) -> None:
    if not isinstance(features, torch.Tensor):
        raise FeatureError(f"features must be a torch.Tensor, got {type(features).__name__}.")
    if features.ndim != 2 or features.shape[0] < 1:
        raise FeatureError(
            f"features must have shape (count, dim) with count >= 1, got {tuple(features.shape)}."
        )
    if features.dtype != torch.float32:
        raise FeatureError(
            f"features must be float32, got {features.dtype}. Convert with features.float()."
        )


def _canonical_json(value: Any, name: str) -> str:
    if not isinstance(value, Mapping):
        raise FeatureError(f"{name} must be a mapping, got {type(value).__name__}: {value!r}.")
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as error:
        raise FeatureError(
            f"{name} must be JSON-serializable (str, numbers, bools, None, lists and dicts "
            f"with str keys), but encoding it failed: {error}."
        ) from error


def _first_line(error: BaseException) -> str:
    # torch.load's UnpicklingError carries a page of advice that would flood the log.
    lines = str(error).strip().splitlines()
    return lines[0] if lines else ""
