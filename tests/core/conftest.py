"""Fixtures the wallet's core tests share: the keyring backend put back after a test, and a
fresh data dir."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from appstore.core.paths import Paths


@pytest.fixture
def keep_keyring() -> Iterator[None]:
    """Whatever backend a test sets, the one before it comes back."""
    before = keyring.get_keyring()
    yield
    keyring.set_keyring(before)


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    p = Paths(tmp_path / "data")
    p.ensure()
    return p
