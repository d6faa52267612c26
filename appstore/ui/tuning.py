"""The desktop app's process-wide tuning, in one place (docs/architecture.md says why).

Library code (the core, the CLI) never changes interpreter-wide settings: these calls are made
by the GUI only, at start-up and after it has built a catalogue.
"""

from __future__ import annotations

import gc
import sys

# Workers (searches, catalogue loads) run Python too: hand the GIL back to the GUI thread
# within a millisecond instead of the default five, so painting never queues behind them.
GIL_SWITCH_INTERVAL = 0.001


def tune_process() -> None:
    """Once, when the GUI starts."""
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)


def settle_after_bulk_load() -> None:
    """After a catalogue was built (100,000 apps are a million objects): move everything alive
    out of the cyclic collector's generations. Otherwise the next collections walk all of them,
    a pause of a tenth of a second that may land on the GUI thread. The catalogue holds no
    reference cycles, so reference counting still frees it when a new one replaces it."""
    gc.freeze()
