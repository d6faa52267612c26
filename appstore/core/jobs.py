"""What long work needs from whoever runs it: a way to be told to stop, and a way to report
progress. The GUI's job manager (``appstore/ui/jobs.py``) and the CLI both hand a ``JobContext``
to core work; the core never needs to know which front is running it.

Cancelling is cooperative: work calls ``ctx.check()`` at points where stopping leaves nothing
half-written (between files, between chunks of a download, never inside an atomic write).

Lanes: the GUI's job layer runs each kind of work on its own lane (one thread for each writer:
``stores``, ``wallet``, ...) and names each of its threads by lane (``enter_lane``). Code that
only its lane's writer may run says so with ``assert_lane`` (docs/architecture.md, "Threads and
locks").
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable

from appstore.core.errors import AppStoreError
from appstore.core.logs import log

STRICT_LANES = "IMAPP_STRICT_LANES"  # set (by the tests): a thread on the wrong lane raises
_here = threading.local()

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


def enter_lane(name: str | None, context: JobContext | None = None) -> None:
    """Say that the calling thread works for lane ``name`` from now on (None: no lane), on the
    job of ``context`` (``current_context``)."""
    _here.lane = name
    _here.context = context


def current_context() -> JobContext | None:
    """The context of the job the calling thread runs (None: not a job's thread): code that
    waits for a person checks it, so cancelling the job (closing the app) ends the wait."""
    context = getattr(_here, "context", None)
    return context if isinstance(context, JobContext) else None


def current_lane() -> str | None:
    """The lane the calling thread works for; None for a thread no job layer named (the
    CLI's, a test's, a server's)."""
    lane = getattr(_here, "lane", None)
    return lane if isinstance(lane, str) else None


def assert_lane(*lanes: str) -> None:
    """Writer-only code checks that it runs on one of ``lanes``. A thread named for another
    lane (or the GUI thread) is a bug: ``AssertionError`` when ``$IMAPP_STRICT_LANES`` is set,
    as the tests set it; otherwise logged as an error with the stack, and the work goes on.
    A thread no lane named passes: there, one writer at a time is the caller's business."""
    lane = current_lane()
    if lane is None or lane in lanes:
        return
    caller = sys._getframe(1).f_code.co_qualname
    message = f"{caller} belongs to the {' or '.join(lanes)} lane, and ran on the {lane} lane"
    if os.environ.get(STRICT_LANES):
        raise AssertionError(message)
    log.error("%s", message, stack_info=True, stacklevel=2)
