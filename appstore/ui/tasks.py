"""Run blocking work in a worker thread and get the result back on the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Relay(QObject):
    """Lives on the GUI thread. Signals: ``done(object)`` the result, ``failed(object)`` the
    exception."""

    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.fn = fn
        self.relay = relay

    def run(self) -> None:
        try:
            try:
                result = self.fn()
            except Exception as e:  # handed to the GUI thread, which shows it
                self.relay.failed.emit(e)
            else:
                self.relay.done.emit(result)
        except RuntimeError:
            pass  # the application is closing and the relay is gone: nobody to tell


_alive: set[_Relay] = set()


def run_task(
    fn: Callable[[], Any],
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[Exception], None] | None = None,
    pool: QThreadPool | None = None,
) -> None:
    """Run ``fn()`` in ``pool`` (the global pool by default); ``on_done(result)`` or
    ``on_error(exception)`` then run on the GUI thread."""
    relay = _Relay()
    _alive.add(relay)

    def finish(handler: Callable[[Any], None] | None, value: Any) -> None:
        _alive.discard(relay)
        relay.deleteLater()
        if handler is not None:
            handler(value)

    relay.done.connect(lambda r: finish(on_done, r))
    relay.failed.connect(lambda e: finish(on_error, e))
    (pool or QThreadPool.globalInstance()).start(_Job(fn, relay))


def pending_tasks() -> int:
    """How many tasks have not reported back yet (the screenshot mode waits for 0)."""
    return len(_alive)
