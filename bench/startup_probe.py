"""Starts something, prints ``painted CPU`` once it has painted (CPU: the seconds of CPU the
process used so far, all threads, ``time.process_time()``: what the start costs, whatever else
the machine runs), then ``closing T`` just before it
closes its window (T: ``time.monotonic()``, the clock bench.startup reads too) and ends as the
app does when its window closes: ``bare`` (an empty QMainWindow, closed at once) or ``app DATA
WHEN`` (imapp on DATA, started by the code ``main()`` starts it with, once Discover shows the
catalogue). bench.startup times the launch to ``painted``, and ``closing`` to the end of the
process.

WHEN is ``settled`` (closed once the start-up work is done: the catalogue refreshed, news and
the library read, no job running; a usual close) or ``busy`` (closed 50 ms after the paint,
while that work runs)."""

from __future__ import annotations

import gc
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

BUSY_CLOSE_MS = 50


def _close(window: object) -> None:
    print(f"closing {time.monotonic()!r}", flush=True)
    window.close()  # type: ignore[attr-defined]


def bare() -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    w = QMainWindow()
    w.resize(1280, 860)
    w.show()
    w.repaint()
    print(f"painted {time.process_time()!r}", flush=True)
    QTimer.singleShot(0, lambda: _close(w))
    return app.exec()


def imapp(data: str, when: str) -> int:
    gc.disable()  # as main.py starts (before any import of imapp's or PySide's)
    from PySide6.QtCore import QTimer

    from appstore.ui.app import DesktopApp, open_app, parse_args
    from appstore.ui.lifecycle import end_process

    desktop = open_app(parse_args(["--data-dir", data, "--lang", "en"]))  # as main() starts
    assert isinstance(desktop, DesktopApp), desktop
    controller, installs = desktop.controller, desktop.installs

    def settled() -> None:
        if controller.loads_done >= 2 and installs.loaded and not controller.jobs.busy():
            _close(desktop.window)
        else:
            QTimer.singleShot(10, settled)

    def painted(_: object) -> None:
        controller.catalog_changed.disconnect(painted)
        desktop.window.repaint()
        print(f"painted {time.process_time()!r}", flush=True)
        if when == "busy":
            QTimer.singleShot(BUSY_CLOSE_MS, lambda: _close(desktop.window))
        else:
            settled()

    # (the catalogue reaches the window through the event loop: connected in time)
    controller.catalog_changed.connect(painted)
    desktop.window.resize(1280, 860)  # before its first paint, which the event loop does
    return end_process(desktop, desktop.app.exec())  # as main() ends


if __name__ == "__main__":
    sys.exit(bare() if sys.argv[1] == "bare" else imapp(sys.argv[2], sys.argv[3]))
