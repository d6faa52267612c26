"""Where the shipped resources (demo store sources, translations, styles) are."""

from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent.parent / "resources"
DEMO_SOURCE = RESOURCES / "demo-store"
