"""The two ends of a run: what a start waits for goes first, and a closed window ends the
process at once (docs/architecture.md, "Start-up" and "Exit").

``FirstPaint`` holds the background jobs until the window has painted the first catalogue.
``end_process`` runs after the event loop, once ``DesktopApp`` has shut the app down (jobs
finished or cancelled, databases closed): it writes what is left and ends the process without
the interpreter's teardown.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QWidget

from appstore.core import logs
from appstore.ui.controller import Controller


class FirstPaint(QObject):
    """Holds the background jobs (the refresh, news, the library, icons) from the start until
    the window has painted the first catalogue, then releases them in order: a worker running
    Python takes the GIL from the GUI thread, and that paint is what a start waits for. A
    window that does not paint (minimised, or replaced by a language change) holds them
    ``WAIT_MS`` at most; a data dir that fails to open releases them at once.

    ``window()`` is the app's window when the catalogue arrives. Signals: ``done()`` the jobs
    were released (what waited for the first paint can start)."""

    done = Signal()
    WAIT_MS = 1000

    def __init__(self, window: Callable[[], QWidget], controller: Controller) -> None:
        super().__init__(controller)  # lives as long as the jobs it holds
        self.window = window
        self.jobs = controller.jobs
        self.released = False
        self.jobs.hold()
        controller.catalog_changed.connect(self._catalogue, Qt.ConnectionType.SingleShotConnection)
        controller.failed.connect(lambda _: self.release(), Qt.ConnectionType.SingleShotConnection)

    def release(self) -> None:
        if not self.released:
            self.released = True
            self.jobs.release()
            logs.attach()  # the log file, which the start did not wait for
            self.done.emit()

    def _catalogue(self, _: object) -> None:
        self.window().installEventFilter(self)
        QTimer.singleShot(self.WAIT_MS, self, self.release)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # (a 0 ms timer at the catalogue would come first: a window's update waits a few ms)
        if event.type() in (QEvent.Type.UpdateRequest, QEvent.Type.Paint):
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self, self.release)  # after this event: the paint is done
        return False


class Ending(Protocol):
    settled: bool  # every job finished or was cancelled when the app quit
    settings: QSettings


def quick_exit_safe() -> bool:
    """Whether the end may skip the interpreter's teardown: no DApp ran (QtWebEngine's
    teardown, which writes the profiles, is left as it was) and no thread of ours still runs
    (Python would wait for it)."""
    if "appstore.ui.host.host" in sys.modules:
        return False
    main = threading.main_thread()
    return not any(t is not main and not t.daemon and t.is_alive() for t in threading.enumerate())


def end_process(app: Ending, code: int) -> int:
    """After the event loop. The interpreter's teardown frees every object one by one (with a
    large catalogue, a pause after the window has gone): once what must be written is written,
    the process ends here. That is the settings, then Python's exit handlers (the log's
    ``logging.shutdown()``, and PySide's, which destroys the QApplication: Qt's own teardown,
    such as handing the clipboard to the clipboard manager, still runs), then stdout and stderr.
    Returns ``code``, for the usual exit, when that is not safe (``quick_exit_safe``)."""
    if not app.settled:
        # A thread still holds a network read or a write that would not stop: Python would wait
        # for it at exit, and a window-less imapp would linger. Writes are atomic; go now.
        logging.shutdown()
        _flush_std()
        os._exit(code)
    if not quick_exit_safe():
        return code
    app.settings.sync()
    atexit._run_exitfuncs()
    _flush_std()
    os._exit(code)


def _flush_std() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass  # a closed or broken pipe: nothing more can reach it
