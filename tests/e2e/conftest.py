"""The end-to-end tests' shared fixture: a fresh X server (tests/e2e/desktopkit.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.desktopkit import x_server


@pytest.fixture
def display() -> Iterator[str]:
    """A fresh X server on a free display number (Xvfb picks it: -displayfd)."""
    with x_server() as name:
        yield name
