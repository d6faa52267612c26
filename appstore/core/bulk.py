"""Building many objects at once without the cyclic garbage collector getting in the way."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pausers = 0  # how many threads are inside gc_paused() now
_was_enabled = True


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while building a catalogue: allocating 100,000 apps otherwise
    triggers collections that scan every object built so far, again and again.

    The collector is process-wide, so the pause is counted: with two threads building at once
    the collector comes back when the last one is done, and only if it was on before the first.
    Nothing here freezes or otherwise re-tunes the process: that is the application's choice
    (``appstore/ui/tuning.py``)."""
    global _pausers, _was_enabled
    with _lock:
        if _pausers == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pausers += 1
    try:
        yield
    finally:
        with _lock:
            _pausers -= 1
            if _pausers == 0 and _was_enabled:
                gc.enable()
