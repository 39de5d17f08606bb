"""Tests of the lazy re-exports in qhybrid/__init__.py."""

from __future__ import annotations

import subprocess
import sys

import pytest

import qhybrid


@pytest.mark.parametrize("name", qhybrid.__all__)
def test_exported_name_resolves(name: str) -> None:
    assert getattr(qhybrid, name).__name__ == name


def test_run_experiment_is_exported() -> None:
    from qhybrid.experiment import run_experiment

    assert qhybrid.run_experiment is run_experiment


def test_unknown_attribute_raises() -> None:
    with pytest.raises(AttributeError, match="module 'qhybrid' has no attribute 'Runner'"):
        qhybrid.Runner  # noqa: B018


def test_import_does_not_load_torch() -> None:
    code = "import sys, qhybrid; print('torch' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout

    assert output.strip() == "False"
