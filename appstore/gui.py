"""``imapp-desktop``: starts the desktop app, as main.py does from a checkout."""

from __future__ import annotations

import gc


def main() -> int:
    gc.disable()  # until the first paint (ui/tuning.py, collect_again, says why)
    from appstore.ui.app import main as start

    return start()
