"""The download queue: a few downloads at a time, pause/resume/cancel, kept across restarts.

Thread-based and Qt-free: each running download has a worker thread; listeners get an
immutable ``DownloadItem`` snapshot from whichever thread changed it (the GUI wraps this in a
model and hops to its own thread). The queue is saved to ``DEST/queue.json`` (atomically) at
every change of state (``queuefile.py``), so ``DownloadQueue.load`` lists what was paused or
unfinished.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from appstore.core import logs
from appstore.core.downloads.queuefile import QueueWriter, read_rows, saved_row
from appstore.core.downloads.state import (
    DownloadError,
    DownloadRequest,
    Progress,
    State,
)
from appstore.core.downloads.transfer import (
    TransferOptions,
    discard,
    download_with,
    find_verified,
    partial_bytes,
)
from appstore.core.errors import AppStoreError
from appstore.core.jobs import Cancelled, JobContext

Listener = Callable[["DownloadItem"], None]
_Intent = Literal["pause", "close", "cancel", "requeue"]


@dataclass(frozen=True)
class DownloadItem:
    """One download as listeners see it (a snapshot; the queue never changes it).

    ``version`` grows with every change in the queue: a listener that gets snapshots from
    several threads keeps the highest one per key (the queue already drops stale ones)."""

    key: str
    request: DownloadRequest
    state: State
    progress: Progress
    error: str | None = None  # why it failed, in words the user can act on
    path: Path | None = None  # the verified file, once DONE
    version: int = 0


@dataclass(eq=False)
class _Entry:
    request: DownloadRequest
    state: State
    progress: Progress
    error: str | None = None
    path: Path | None = None
    version: int = 0
    user_paused: bool = False  # paused by the user (not by close): stays paused after a restart
    ctx: JobContext | None = None
    thread: threading.Thread | None = None
    intent: _Intent | None = None
    dirty: bool = False  # changed since listeners were last told

    def snapshot(self) -> DownloadItem:
        return DownloadItem(self.request.key, self.request, self.state, self.progress,
                            self.error, self.path, self.version)


class DownloadQueue:
    """Downloads into ``dest_dir``, at most ``max_parallel`` at once, in the order added."""

    def __init__(self, dest_dir: Path, max_parallel: int = 2, *,
                 options: TransferOptions | None = None) -> None:
        if max_parallel < 1:
            raise ValueError("max_parallel must be at least 1")
        self.dest_dir = Path(dest_dir)
        self.max_parallel = max_parallel
        self.options = options or TransferOptions()
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._listeners: list[Listener] = []
        self._notify_lock = threading.RLock()
        self._delivered: dict[str, int] = {}
        self._seq = 0
        self._closed = False
        self._threads: set[threading.Thread] = set()
        self._file = QueueWriter(self.dest_dir, self._lock, lambda: self._closed)  # queue.json

    # -- restart ---------------------------------------------------------------------------------
    @classmethod
    def load(cls, dest_dir: Path, max_parallel: int = 2, *, options: TransferOptions | None = None,
             autostart: bool = True) -> DownloadQueue:
        """The queue saved in ``dest_dir``: what the user paused stays paused; what was queued
        or running when the app stopped is queued again (``autostart``) or listed as paused;
        failures keep their reason; finished items whose file is gone are dropped."""
        q = cls(dest_dir, max_parallel, options=options)
        rows = read_rows(q.dest_dir)
        with q._lock:
            for request, row in rows:
                entry = q._restored(request, row)
                if entry is not None and request.key not in q._entries:
                    q._entries[request.key] = entry
            if not autostart:
                for entry in q._entries.values():
                    if entry.state == State.QUEUED:
                        entry.state = State.PAUSED
                        entry.progress = entry.progress.in_state(State.PAUSED)
            else:
                q._schedule()
        return q

    def _restored(self, request: DownloadRequest, row: dict[str, Any]) -> _Entry | None:
        saved = row.get("state")
        error = row.get("error") if isinstance(row.get("error"), str) else None
        if saved == State.DONE:
            path = find_verified(request, self.dest_dir)
            if path is None:
                return None
            return _Entry(request, State.DONE, Progress(request.length, request.length,
                                                        state=State.DONE), path=path)
        have = partial_bytes(request, self.dest_dir)
        if saved == State.PAUSED:
            state, user = State.PAUSED, True
        elif saved == State.FAILED:
            state, user = State.FAILED, False
        elif saved == State.QUEUED:
            state, user = State.QUEUED, False
        else:
            return None
        return _Entry(request, state, Progress(have, request.length, state=state),
                      error=error if state == State.FAILED else None, user_paused=user)

    # -- what the GUI and the CLI call ---------------------------------------------------------------
    def add(self, request: DownloadRequest) -> DownloadItem:
        """Queue ``request`` (or return the item already queued under its key: a paused,
        failed or cancelled one is queued again; a different file under the same key replaces
        the old one)."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the download queue is closed")
            entry = self._entries.get(request.key)
            if entry is None:
                have = partial_bytes(request, self.dest_dir)
                entry = _Entry(request, State.QUEUED, Progress(have, request.length))
                self._entries[request.key] = entry
            elif entry.request != request:
                old, entry.request = entry.request, request
                if entry.thread is not None:
                    self._stop(entry, "requeue")
                else:
                    self._drop_part(old, request)
                    self._set(entry, State.QUEUED, progress=Progress(
                        partial_bytes(request, self.dest_dir), request.length))
            elif entry.state in (State.PAUSED, State.FAILED, State.CANCELLED):
                entry.user_paused = False
                self._set(entry, State.QUEUED)
            self._touch(entry)
            changed = self._commit()
        self._notify(changed)
        return self._snapshot(request.key)

    def pause(self, key: str) -> None:
        """Stop downloading ``key``, keeping what arrived (a running download stops within a
        fraction of a second, even if its server is silent)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return
            if entry.thread is not None:
                entry.user_paused = True
                self._stop(entry, "pause")
            elif entry.state == State.QUEUED:
                entry.user_paused = True
                self._set(entry, State.PAUSED)
            changed = self._commit()
        self._notify(changed)

    def resume(self, key: str) -> None:
        """Queue a paused (or failed) download again; it continues where it stopped."""
        self._requeue(key, (State.PAUSED, State.FAILED))

    def retry(self, key: str) -> None:
        """Queue a failed, cancelled or paused download again (a cancelled one starts over)."""
        self._requeue(key, (State.PAUSED, State.FAILED, State.CANCELLED))

    def cancel(self, key: str) -> None:
        """Stop ``key`` and delete what was downloaded of it (a finished file is kept)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return
            if entry.thread is not None:
                self._stop(entry, "cancel")
            elif entry.state in (State.QUEUED, State.PAUSED, State.FAILED):
                self._discard(entry.request)
                self._set(entry, State.CANCELLED, progress=Progress(0, entry.request.length,
                                                                    state=State.CANCELLED))
            changed = self._commit()
        self._notify(changed)

    def remove(self, key: str) -> bool:
        """Forget a download that is not running (its part is deleted; a verified file is
        left to whoever took it). False if it is running or unknown."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.thread is not None:
                return False
            if entry.state != State.DONE:
                self._discard(entry.request)
            del self._entries[key]
            self._save()
        return True

    def pause_all(self) -> None:
        for key in self._keys():
            self.pause(key)

    def resume_all(self) -> None:
        for key in self._keys():
            self.resume(key)

    def cancel_all(self) -> None:
        for key in self._keys():
            self.cancel(key)

    def items(self) -> list[DownloadItem]:
        """Every download, in the order added."""
        with self._lock:
            return [e.snapshot() for e in self._entries.values()]

    def get(self, key: str) -> DownloadItem | None:
        with self._lock:
            entry = self._entries.get(key)
            return entry.snapshot() if entry is not None else None

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(item)`` on every change (state or progress, ~10 a second at most per
        download), from worker threads; it must be quick and must not block. Returns a
        function that unsubscribes it."""
        with self._notify_lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._notify_lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def wait(self, key: str, timeout: float | None = None) -> DownloadItem | None:
        """Block until ``key`` is no longer queued or running (done, failed, paused, cancelled)
        or ``timeout`` seconds pass; its item then (None if unknown)."""
        with self._changed:
            self._changed.wait_for(lambda: self._settled(key), timeout)
            entry = self._entries.get(key)
            return entry.snapshot() if entry is not None else None

    def close(self, timeout: float | None = None) -> None:
        """Pause what is running (parts kept; they are queued again at the next ``load``),
        stop starting downloads, and wait for the workers."""
        with self._lock:
            self._closed = True
            for entry in self._entries.values():
                if entry.thread is not None:
                    self._stop(entry, "close")
            threads = list(self._threads)
            self._save()
        for t in threads:
            t.join(timeout)
        with self._lock:
            self._save()  # the state the workers left
        self._file.write()

    # -- inside ------------------------------------------------------------------------------------
    def _keys(self) -> list[str]:
        with self._lock:
            return list(self._entries)

    def _snapshot(self, key: str) -> DownloadItem:
        with self._lock:
            return self._entries[key].snapshot()

    def _settled(self, key: str) -> bool:
        entry = self._entries.get(key)
        if entry is None:
            return True
        return entry.thread is None and not (entry.state.active and not self._closed)

    def _requeue(self, key: str, allowed: tuple[State, ...]) -> None:
        with self._lock:
            if self._closed:
                return
            entry = self._entries.get(key)
            if entry is None:
                return
            if entry.thread is not None and entry.intent in ("pause", "close"):
                entry.intent = "requeue"  # resumed before the pause took effect
                entry.user_paused = False
            elif entry.thread is None and entry.state in allowed:
                entry.user_paused = False
                have = partial_bytes(entry.request, self.dest_dir)
                self._set(entry, State.QUEUED, progress=Progress(have, entry.request.length))
            changed = self._commit()
        self._notify(changed)

    def _stop(self, entry: _Entry, intent: _Intent) -> None:
        # "cancel" wins over the others: the user asked for the part to go.
        if entry.intent != "cancel":
            entry.intent = intent
        if entry.ctx is not None:
            entry.ctx.cancel()

    def _set(self, entry: _Entry, state: State, *, progress: Progress | None = None,
             error: str | None = None, path: Path | None = None) -> None:
        entry.state = state
        entry.progress = (progress or entry.progress).in_state(state)
        entry.error = error
        entry.path = path
        self._touch(entry)

    def _touch(self, entry: _Entry) -> None:
        self._seq += 1
        entry.version = self._seq
        entry.dirty = True

    def _commit(self) -> list[DownloadItem]:
        """After a change (lock held): start what may start, save, wake waiters; the
        snapshots to hand to listeners once the lock is released."""
        self._schedule()
        self._save()
        self._changed.notify_all()
        changed = []
        for entry in self._entries.values():
            if entry.dirty:
                entry.dirty = False
                changed.append(entry.snapshot())
        return changed

    def _schedule(self) -> None:
        if self._closed:
            return
        running = sum(1 for e in self._entries.values() if e.thread is not None)
        for entry in self._entries.values():
            if running >= self.max_parallel:
                break
            if entry.state != State.QUEUED or entry.thread is not None:
                continue
            ctx = JobContext()
            entry.ctx, entry.intent, entry.error = ctx, None, None
            self._set(entry, State.DOWNLOADING)
            t = threading.Thread(target=self._work, args=(entry, entry.request, ctx),
                                 name=f"download {entry.request.key}", daemon=True)
            entry.thread = t
            self._threads.add(t)
            running += 1
            t.start()

    def _work(self, entry: _Entry, request: DownloadRequest, ctx: JobContext) -> None:
        path: Path | None = None
        error: str | None = None
        cancelled = False
        try:
            path = download_with(request, self.dest_dir, ctx, self.options,
                                 lambda p: self._progress(entry, ctx, p))
        except Cancelled:
            cancelled = True
        except (AppStoreError, OSError) as e:
            error = str(e)
        except Exception as e:  # a bug: logged with its traceback, one line for the user
            error = logs.report_bug(e, f"download {request.key}")
        with self._lock:
            self._threads.discard(threading.current_thread())
            entry.thread, entry.ctx = None, None
            intent, entry.intent = entry.intent, None
            replaced = entry.request != request
            if replaced:
                self._drop_part(request, entry.request)
            if cancelled and intent == "cancel":
                self._discard(entry.request)
                self._set(entry, State.CANCELLED,
                          progress=Progress(0, entry.request.length, state=State.CANCELLED))
            elif replaced or (cancelled and intent == "requeue"):
                self._set(entry, State.QUEUED, progress=Progress(
                    partial_bytes(entry.request, self.dest_dir), entry.request.length))
            elif cancelled:
                self._set(entry, State.PAUSED)
            elif path is not None:
                done = Progress(request.length, request.length, state=State.DONE)
                self._set(entry, State.DONE, progress=done, path=path)
            else:
                self._set(entry, State.FAILED, error=error)
            changed = self._commit()
        self._notify(changed)

    def _progress(self, entry: _Entry, ctx: JobContext, progress: Progress) -> None:
        with self._lock:
            if entry.ctx is not ctx:
                return  # a late report of a run that is over
            state = entry.state
            if progress.state in (State.DOWNLOADING, State.VERIFYING):
                state = progress.state
            changed_state = state != entry.state
            entry.state = state
            entry.progress = progress.in_state(state)
            self._touch(entry)
            entry.dirty = False
            snapshot = entry.snapshot()
            if changed_state:
                self._changed.notify_all()
        self._notify([snapshot])

    def _notify(self, items: list[DownloadItem]) -> None:
        if not items:
            return
        with self._notify_lock:
            listeners = list(self._listeners)
            for item in items:
                if item.version <= self._delivered.get(item.key, -1):
                    continue  # a newer snapshot of this item was delivered already
                self._delivered[item.key] = item.version
                for listener in listeners:
                    try:
                        listener(item)
                    except Exception as e:  # a listener's bug must not stop the downloads
                        logs.report_bug(e, "download listener")

    def _discard(self, request: DownloadRequest) -> None:
        # Another download of the same file may hold it: its part is its own then.
        with suppress(DownloadError, OSError):
            discard(request, self.dest_dir)

    def _drop_part(self, old: DownloadRequest, new: DownloadRequest) -> None:
        """A key now names another file: the old file's part goes (unless it is the same)."""
        if old.sha256 != new.sha256:
            self._discard(old)

    def _save(self) -> None:
        rows = [saved_row(e.request, e.state, e.user_paused, e.error, self.dest_dir)
                for e in self._entries.values()]
        self._file.want([row for row in rows if row is not None])
