"""Background jobs: every piece of blocking work the GUI starts runs here, with an identity,
a cancel the work checks, and a result or an error delivered on the GUI thread.

Work runs in *lanes*. A writer lane (``stores``, ``library``, ``wallet``, ``activity``, ``news``)
runs one job at a time, in the order they were asked for, so two writers of the same state never
race (Anki's serialised task manager). Reader lanes run several at once: ``io`` (store and
wallet look-ups, quotes, opening apps), ``images`` (icons and screenshots: a screenful of them
never delays a quote), ``search`` and ``probe``.

What a page shows about an app's install, update or download is not read from here: one owner,
``InstallController``, keeps each app's state from its jobs and from the download queue (whose
transfers run on the queue's own threads, with pause and resume a job does not have).

At start-up the app may ``hold()`` new jobs until the window has painted the first catalogue
(a worker running Python takes the GIL from that paint), then ``release()`` them in order.

Closing the app calls ``shutdown()``: queued jobs are cancelled before they start, running
ones are asked to cancel and waited for, so no write is abandoned half-way. The ``activity``
lane is drained instead: what the user did just before quitting is still recorded.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from appstore.core.errors import AppStoreError
from appstore.core.jobs import Cancelled, JobContext, enter_lane
from appstore.core.logs import log, report_bug
from appstore.ui import texts

# "claims": the rounds that send reward claims, beside "wallet" (what the user asks of the
# wallet), so a payment never waits for a slow service's round (core/rewards.py, per-store locks)
WRITER_LANES = ("stores", "library", "wallet", "claims", "activity", "news")
READER_LANES = {"io": 4, "images": 4, "search": 1, "probe": 2}
# Lanes whose queued jobs still run when the app closes: a share recorded just before quitting
# is money the user earned.
DRAIN_LANES = ("activity",)


def _owner_gone(error: RuntimeError) -> bool:
    """Whether ``error`` is PySide's for a call on a Qt object that was already deleted."""
    text = str(error)
    return "already deleted" in text or "Signal source has been deleted" in text


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


def user_message(err: BaseException) -> str:
    """What to tell the user about a failure: our own errors and file problems as they are,
    anything else as a bug (logged with its traceback)."""
    if isinstance(err, (AppStoreError, OSError)):
        return texts.error_text(err)
    return texts.core_text(report_bug(err))


class Job(QObject):
    """One piece of background work. Lives on the GUI thread. ``key`` names what it is about
    (an app's ref, ``wallet``, a store), for the log.

    Signals: ``finished(Job)`` once, when it is done, failed or cancelled (``state``, ``result``
    and ``error`` are then set)."""

    finished = Signal(object)
    _report = Signal(object, object, object)  # (state, result, error) from the worker

    def __init__(self, job_id: int, lane: str, title: str, key: str | None) -> None:
        super().__init__()
        self.id = job_id
        self.lane = lane
        self.title = title
        self.key = key
        self.state = JobState.QUEUED
        self.result: Any = None
        self.error: BaseException | None = None
        # No progress callback: nothing in the GUI shows a job's steps (an install shows its
        # phase, a download its queue's progress), so the core's reports go nowhere.
        self.context = JobContext()
        self._report.connect(self._finish)

    def cancel(self) -> None:
        """Ask the work to stop; a job not started yet never starts."""
        self.context.cancel()

    @property
    def active(self) -> bool:
        return self.state in (JobState.QUEUED, JobState.RUNNING)

    def _finish(self, state: JobState, result: Any, error: BaseException | None) -> None:
        self.state, self.result, self.error = state, result, error
        self.finished.emit(self)

    def __repr__(self) -> str:
        about = f" ({self.key})" if self.key else ""
        return f"<Job {self.id} {self.lane}:{self.title}{about} {self.state}>"


class _Runnable(QRunnable):
    def __init__(self, job: Job, fn: Callable[[JobContext], Any]) -> None:
        super().__init__()
        self.job, self.fn = job, fn

    def run(self) -> None:
        # Hold nothing once run: a closure may have captured a whole catalogue, and Qt decides
        # when this wrapper goes.
        job, fn = self.job, self.fn
        self.job = self.fn = None  # type: ignore[assignment]
        enter_lane(job.lane, job.context)  # (each lane has its own pool: its threads serve it only)
        try:
            if job.context.cancelled:
                outcome: tuple[JobState, Any, BaseException | None] = (JobState.CANCELLED, None, None)
            else:
                job.state = JobState.RUNNING
                try:
                    outcome = (JobState.DONE, fn(job.context), None)
                except Cancelled:
                    outcome = (JobState.CANCELLED, None, None)
                except Exception as e:  # handed to the GUI thread, which shows or logs it
                    outcome = (JobState.FAILED, None, e)
            job._report.emit(*outcome)
        except RuntimeError:
            pass  # the application is closing and the job object is gone: nobody to tell


class JobManager(QObject):
    """Starts jobs in lanes and knows which are active."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._pools: dict[str, QThreadPool] = {}
        for lane in WRITER_LANES:
            self._pools[lane] = self._pool(1)
        for lane, threads in READER_LANES.items():
            self._pools[lane] = self._pool(threads)
        self._active: dict[int, Job] = {}
        self._closing = False
        self._held: list[tuple[str, _Runnable]] | None = None  # while holding: not started yet

    def _pool(self, threads: int) -> QThreadPool:
        pool = QThreadPool(self)
        pool.setMaxThreadCount(threads)
        return pool

    def submit(
        self,
        fn: Callable[[JobContext], Any],
        *,
        lane: str,
        title: str,
        key: str | None = None,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[str, BaseException], None] | None = None,
    ) -> Job:
        """Run ``fn(context)`` in ``lane``. On the GUI thread afterwards: ``on_done(result)``,
        or ``on_error(message, error)`` with the message to show (bugs are logged first).
        A cancelled job calls neither."""
        job = Job(next(self._ids), lane, title, key)
        if self._closing:
            job.state = JobState.CANCELLED
            return job
        self._active[job.id] = job

        def finished(j: Job) -> None:
            self._active.pop(j.id, None)
            try:
                if j.state is JobState.DONE and on_done is not None:
                    on_done(j.result)
                elif j.state is JobState.FAILED and j.error is not None:
                    message = user_message(j.error)
                    log.info("job %s (%s%s) failed: %s", j.title, j.lane,
                             f", {j.key}" if j.key else "", message)
                    if on_error is not None:
                        on_error(message, j.error)
            except RuntimeError as e:
                # The page or controller that asked was deleted while the job ran (a window
                # closed): nobody is left to tell. Anything else is a bug.
                if not _owner_gone(e):
                    raise
                log.debug("job %s (%s) finished after its owner was deleted", j.title, j.lane)
            finally:
                j.result = j.error = None  # delivered: hold no catalogue or traceback any longer
                j.deleteLater()

        job.finished.connect(finished)
        if self._held is not None:
            self._held.append((lane, _Runnable(job, fn)))
        else:
            self._pools[lane].start(_Runnable(job, fn))
        return job

    def hold(self) -> None:
        """Queue new jobs without starting them until ``release()``; running ones go on."""
        if self._held is None:
            self._held = []

    def release(self) -> None:
        """Start the jobs held since ``hold()``, in the order they were asked for."""
        held, self._held = self._held, None
        for lane, runnable in held or ():
            self._pools[lane].start(runnable)

    def active(self, lane: str | None = None) -> list[Job]:
        return [j for j in self._active.values() if lane is None or j.lane == lane]

    def busy(self) -> bool:
        return bool(self._active)

    def shutdown(self, wait_ms: int = 15000) -> bool:
        """Cancel queued jobs, ask running ones to stop, and wait for writers to finish.
        True if everything stopped in time."""
        self._closing = True
        for job in list(self._active.values()):
            if job.lane not in DRAIN_LANES:
                job.cancel()
        self.release()  # held jobs end as queued ones do: cancelled, or drained
        ok = True
        for lane, pool in self._pools.items():
            if lane not in DRAIN_LANES:
                pool.clear()  # queued work never starts
            budget = wait_ms if lane in WRITER_LANES else min(wait_ms, 3000)
            ok = pool.waitForDone(budget) and ok
        if not ok:
            log.warning("jobs still running at exit: %s", list(self._active.values()))
        return ok
