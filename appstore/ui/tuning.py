"""The desktop app's process-wide tuning, in one place (docs/architecture.md says why).

Library code (the core, the CLI) never changes interpreter-wide settings: these calls are made
by the GUI only, at start-up and after it has built a catalogue.
"""

from __future__ import annotations

import gc
import sys
from types import ModuleType

# Workers (searches, catalogue loads) run Python too: hand the GIL back to the GUI thread
# within a millisecond instead of the default five, so painting never queues behind them.
GIL_SWITCH_INTERVAL = 0.001


def tune_process() -> None:
    """Once, when the GUI starts."""
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)


def collect_again() -> None:
    """Once the window has painted its first catalogue: the cyclic collector runs again.
    ``main.py`` stops it before anything is imported: a start allocates hundreds of thousands of
    objects (modules, classes, PySide's enums) and frees few, and the collector's passes over
    them, some 5 ms before the first paint, find nothing to collect. (A no-op where it runs.)"""
    if not gc.isenabled():
        gc.enable()


def settle_after_bulk_load() -> None:
    """After a catalogue was built (100,000 apps are a million objects): move everything alive
    out of the cyclic collector's generations. Otherwise the next collections walk all of them,
    a pause of a tenth of a second that may land on the GUI thread. The catalogue holds no
    reference cycles, so reference counting still frees it when a new one replaces it."""
    gc.freeze()


def quick_feature_check() -> None:
    """PySide6 asks of every module imported after it whether its source names "PySide6" (for
    its ``__feature__`` switches), through ``inspect.getsource``: linecache and tokenize for each
    of the 150 modules a start imports, some 15 ms before the window shows. The same question,
    answered from the file's bytes; PySide's own answer for anything but a plain ``.py`` file
    (or when the file cannot be read). Once, when the GUI is imported."""
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or original is None or getattr(original, "quick", False):
        return

    def mod_uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return bool(original(module))
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            return bool(original(module))

    mod_uses_pyside.quick = True  # type: ignore[attr-defined]
    mod_uses_pyside.original = original  # type: ignore[attr-defined]  # (its test compares)
    feature._mod_uses_pyside = mod_uses_pyside  # type: ignore[attr-defined]
