"""Sizes in words, with integer arithmetic (shared by the CLI and the GUI)."""

from __future__ import annotations


def human_size(n: int) -> str | None:
    """``4.5 KB``-style text for n bytes, one decimal; None below 1 KB (callers say "n bytes")."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            tenths = (n * 10 + scale // 2) // scale
            return f"{tenths // 10}.{tenths % 10} {unit}"
    return None
