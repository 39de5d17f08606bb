"""Fixtures of the qhybrid.data tests: small files written into tmp_path, and the real data root."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
DEFAULT_DATA_ROOT = REPOSITORY.parent / "shared" / "datasets"

WriteFile = Callable[[str, str], Path]


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    """Return a function that writes UTF-8 text to ``tmp_path / name`` without newline translation."""

    def write(name: str, content: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8"))
        return path

    return write


@pytest.fixture(scope="session")
def data_root() -> Path:
    """Folder of the real datasets, from QHYBRID_DATA_ROOT or ``<repo>/../shared/datasets``."""
    root = Path(os.environ.get("QHYBRID_DATA_ROOT") or DEFAULT_DATA_ROOT)
    if not root.is_dir():
        pytest.skip(f"real datasets not found at {root}; set QHYBRID_DATA_ROOT to the datasets folder")
    return root
