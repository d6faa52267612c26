"""What long work needs from whoever runs it: a way to be told to stop, and a way to report
progress. The GUI's job manager (``appstore/ui/jobs.py``) and the CLI both hand a ``JobContext``
to core work; the core never needs to know which front is running it.

Cancelling is cooperative: work calls ``ctx.check()`` at points where stopping leaves nothing
half-written (between files, between chunks of a download, never inside an atomic write).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from appstore.core.errors import AppStoreError

ProgressFn = Callable[[int, int, str], None]  # done, total (0: unknown), what is happening


class Cancelled(AppStoreError):
    """The work was cancelled before it finished; nothing was left half-done."""

    def __init__(self, message: str = "cancelled") -> None:
        super().__init__(message)


class JobContext:
    """Handed to a piece of long work: ``check()`` raises ``Cancelled`` once cancel was asked;
    ``progress(done, total, note)`` reports how far it got (from any thread)."""

    def __init__(self, on_progress: ProgressFn | None = None) -> None:
        self._cancel = threading.Event()
        self._on_progress = on_progress

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True if cancel was asked meanwhile (a retry back-off that
        a cancel cuts short)."""
        return self._cancel.wait(seconds)

    def progress(self, done: int, total: int = 0, note: str = "") -> None:
        if self._on_progress is not None:
            self._on_progress(done, total, note)


