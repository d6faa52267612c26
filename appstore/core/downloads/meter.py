"""Progress of one download: byte counts become throttled ``Progress`` reports, with a speed
averaged over a sliding window, and reports go on (the speed falling) while nothing arrives."""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable

from appstore.core.downloads.state import Progress, State
from appstore.core.jobs import JobContext

PROGRESS_INTERVAL = 0.1  # at most ~10 progress reports a second
SPEED_WINDOW = 4.0  # seconds the speed is averaged over
IDLE_REPORT = 0.5  # with nothing arriving, progress (speed falling to 0) is still reported

ProgressListener = Callable[[Progress], None]


class Meter:
    """Turns byte counts into throttled ``Progress`` reports with a sliding-window speed."""

    def __init__(self, total: int, ctx: JobContext, listener: ProgressListener | None) -> None:
        self.total = total
        self.ctx = ctx
        self.listener = listener
        self.state = State.DOWNLOADING
        self.note = ""
        self.done = 0
        self.last_emit = 0.0
        self.last: Progress | None = None
        self.source: Callable[[], int] | None = None  # the bytes received, read by ``idle``
        self._samples: collections.deque[tuple[float, int]] = collections.deque()
        self._lock = threading.Lock()

    def update(self, done: int, *, state: State | None = None, note: str | None = None,
               force: bool = False) -> None:
        now = time.monotonic()
        with self._lock:
            self.done = done
            if state is not None:
                force = force or state != self.state
                self.state = state
            if note is not None:
                force = force or note != self.note
                self.note = note
            if force or now - self.last_emit >= PROGRESS_INTERVAL:
                self._emit(now)

    def idle(self) -> None:
        """Nothing arrived for a while: report anyway, so the speed shown falls."""
        now = time.monotonic()
        with self._lock:
            if now - self.last_emit >= IDLE_REPORT:
                if self.source is not None and self.state == State.DOWNLOADING:
                    self.done = self.source()
                self._emit(now)

    def _emit(self, now: float) -> None:
        done, samples = self.done, self._samples
        if samples and done < samples[-1][1]:
            samples.clear()  # restarted from zero: the old rate means nothing
        samples.append((now, done))
        while len(samples) > 2 and samples[1][0] <= now - SPEED_WINDOW:
            samples.popleft()
        t0, d0 = samples[0]
        speed = int((done - d0) / (now - t0)) if now - t0 >= 0.25 else 0
        if speed == 0 and self.last is not None and now - t0 < 0.25:
            speed = self.last.speed_bps  # too soon to tell: keep the last estimate
        left = self.total - done
        eta = left / speed if speed > 0 and left >= 0 else None
        progress = Progress(done, self.total, speed, eta, self.state, self.note)
        self.last, self.last_emit = progress, now
        if self.listener is not None:
            self.listener(progress)
        self.ctx.progress(done, self.total, self.note)

