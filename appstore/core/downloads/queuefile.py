"""``DEST/queue.json``: the download queue as it is kept across restarts (docs/downloads.md).

Each row is a request and the state to take up again: ``done`` (its verified file), ``failed``
(with its reason), ``paused`` (by the user), or ``queued`` (queued, running, or paused by a
close: picked up again). The file is only a convenience -- the parts themselves are on disk and
resume anyway -- so a missing or unreadable one is an empty queue, and a failed write is let go.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

from appstore.core.downloads.state import DownloadRequest, State, verified_path
from appstore.core.fileio import write_json_atomic

QUEUE_FILE = "queue.json"
QUEUE_FORMAT = 1


def read_rows(dest_dir: Path) -> list[tuple[DownloadRequest, dict[str, Any]]]:
    """The saved rows whose request is well formed, in order (rows are otherwise as written)."""
    try:
        raw = json.loads((dest_dir / QUEUE_FILE).read_bytes())
    except (OSError, ValueError):
        raw = None
    items = raw.get("items") if isinstance(raw, dict) else None
    rows = []
    for row in items if isinstance(items, list) else []:
        if not isinstance(row, dict):
            continue
        try:
            request = DownloadRequest.from_json(row.get("request"))
        except ValueError:
            continue
        rows.append((request, row))
    return rows


def saved_row(request: DownloadRequest, state: State, user_paused: bool, error: str | None,
              dest_dir: Path) -> dict[str, Any] | None:
    """The row kept for a download in ``state`` (None: a cancelled one is not kept)."""
    if state == State.CANCELLED:
        return None
    if state == State.DONE:
        saved = State.DONE
    elif state == State.FAILED:
        saved = State.FAILED
    elif state == State.PAUSED and user_paused:
        saved = State.PAUSED
    else:
        saved = State.QUEUED  # queued, running, or paused by close: picked up again
    row: dict[str, Any] = {"request": request.to_json(), "state": str(saved)}
    if saved == State.FAILED and error:
        row["error"] = error
    if saved == State.DONE:
        row["path"] = verified_path(dest_dir, request.sha256).name
    return row


class QueueWriter:
    """Writes queue.json on its own thread, never under the queue's ``lock``: a GUI asking the
    queue something must not wait for an fsync (the latest rows win; the queue's close writes
    last, with ``write``)."""

    def __init__(self, dest_dir: Path, lock: threading.Lock, closed: Callable[[], bool]) -> None:
        self.path = dest_dir / QUEUE_FILE
        self._lock = lock  # the queue's: guards ``_rows``
        self._closed = closed
        self._rows: list[dict[str, Any]] | None = None
        self._wanted = threading.Event()
        self._thread: threading.Thread | None = None
        self._write_lock = threading.Lock()  # one writer of queue.json at a time

    def want(self, rows: list[dict[str, Any]]) -> None:
        """Have ``rows`` written soon (called under the queue's lock)."""
        self._rows = rows
        self._wanted.set()
        if self._thread is None and not self._closed():
            self._thread = threading.Thread(target=self._run, name="download-queue-save", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._closed():
            self._wanted.wait(0.5)
            self.write()

    def write(self) -> None:
        """Write the latest rows, if there are some not written yet (outside the queue's lock)."""
        with self._write_lock:
            if not self._wanted.is_set():
                return
            self._wanted.clear()
            with self._lock:
                rows = self._rows
            if rows is None:
                return
            # Only a convenience: the parts themselves are on disk and resume anyway.
            with suppress(OSError):
                write_json_atomic(self.path, {"format": QUEUE_FORMAT, "items": rows})
