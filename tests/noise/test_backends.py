"""Fake IBM backends by snake_case name."""

from __future__ import annotations

import pytest

from qhybrid.exceptions import BackendError
from qhybrid.noise import fake_backend, fake_backend_names


@pytest.mark.parametrize("name", ["fake_manila", "fake_brisbane"])
def test_fake_backend_by_name(name):
    assert fake_backend(name).name == name


def test_names_include_v2_and_unsuffixed_classes():
    names = fake_backend_names()
    assert "fake_manila" in names  # FakeManilaV2
    assert "fake_brisbane" in names  # FakeBrisbane


def test_unknown_name_suggests_close_match():
    with pytest.raises(BackendError, match=r"Unknown fake backend 'fake_manilla'\. Did you mean \['fake_manila'"):
        fake_backend("fake_manilla")


def test_unknown_name_lists_valid_names():
    with pytest.raises(BackendError, match=r"Valid names include \['fake_\w+'.* in all"):
        fake_backend("ibm_nowhere")
