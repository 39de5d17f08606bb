"""Settings shared by every test: offline Hugging Face access, the data root, GPU skips."""

from __future__ import annotations

import os

# Set before transformers and huggingface_hub are imported, because both read these at import.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import torch  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_ROOT = REPO_ROOT.parent / "shared" / "datasets"


def data_root() -> Path | None:
    """Return the real-datasets folder from QHYBRID_DATA_ROOT or ../shared/datasets, if it exists."""
    root = Path(os.environ.get("QHYBRID_DATA_ROOT", DEFAULT_DATA_ROOT))
    return root if root.is_dir() else None


@pytest.fixture
def real_data_root() -> Path:
    """The real-datasets folder; skips the test when it is absent."""
    root = data_root()
    if root is None:
        pytest.skip(
            f"real datasets not found at {DEFAULT_DATA_ROOT}; set QHYBRID_DATA_ROOT to the datasets folder"
        )
    return root


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if torch.cuda.is_available():
        return
    skip_gpu = pytest.mark.skip(reason="needs a CUDA device; none is available")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip_gpu)
