"""Atomic writes for result files, so an interrupted run never leaves a half-written file."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import torch


def _current_umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _atomic_write(path: Path, write: Any, mode: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp creates the file with mode 0600; give it the permissions open() would.
        os.chmod(temporary, 0o666 & ~_current_umask())
        with os.fdopen(handle, mode) as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and an atomic rename."""
    _atomic_write(Path(path), lambda stream: stream.write(text), "w")


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` byte for byte, through a temporary file and an atomic rename."""
    _atomic_write(Path(path), lambda stream: stream.write(data), "wb")


def write_json_atomic(path: str | os.PathLike[str], data: Any) -> None:
    """Write ``data`` as indented JSON to ``path`` atomically."""
    write_text_atomic(path, json.dumps(data, indent=2, sort_keys=False) + "\n")


def save_torch_atomic(path: str | os.PathLike[str], obj: Any) -> None:
    """Write ``obj`` with :func:`torch.save` to ``path`` atomically."""
    _atomic_write(Path(path), lambda stream: torch.save(obj, stream), "wb")
