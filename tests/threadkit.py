"""A call run on a thread of its own, and its end waited for: the locks tests check that one call
goes on while another is held (joins wait ``LONG`` at most, never a speed check)."""

from __future__ import annotations

import threading
from collections.abc import Callable

LONG = 60.0  # seconds a join may take before the test calls the call stuck


def run(fn: Callable[[], object]) -> tuple[threading.Thread, dict[str, object]]:
    out: dict[str, object] = {}

    def body() -> None:
        try:
            out["value"] = fn()
        except BaseException as e:  # handed to the test, which fails with it
            out["error"] = e

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return thread, out


def finished(thread: threading.Thread, out: dict[str, object]) -> object:
    thread.join(LONG)
    assert not thread.is_alive(), "the call is still blocked"
    if "error" in out:
        raise AssertionError(f"the call failed: {out['error']!r}")
    return out["value"]
