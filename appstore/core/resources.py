"""Where the shipped resources (demo store sources, translations, icons) are: package data inside
``appstore/``, so a checkout, an installed wheel and a bundle find them the same way."""

from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
DEMO_SOURCE = RESOURCES / "demo-store"
