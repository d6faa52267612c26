"""Activity events (browse, forward, download, update, open) that earn IA under the store's
reward policy. The GUI and the CLI record them here; the wallet reads them and claims rewards.

Events live in ``DATA/activity.sqlite3`` (WAL, ``synchronous=FULL``): an event is on disk when
``record`` returns, a crash loses nothing already recorded, and a half-written append is rolled
back by SQLite rather than left as a torn line. Every event has a unique ``id`` (what a claim
names, so the service can refuse to pay for it twice) and a ``seq`` that only grows: a consumer
reads ``after(cursor)`` and keeps the last ``seq`` it handled with ``save_cursor``, so nothing is
counted twice or skipped. The schema is in docs/architecture.md.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from appstore.core.errors import ConfigError
from appstore.core.sqlite import open_database


class Activity(StrEnum):
    BROWSE = "browse"
    FORWARD = "forward"
    DOWNLOAD = "download"
    UPDATE = "update"
    OPEN = "open"


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class ActivityEvent:
    kind: Activity
    store: str
    app_id: str
    at: str = field(default_factory=_now)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    seq: int = 0  # set once recorded: the event's place in the journal
    version: str | None = None  # the version an update installed (rewards: once per version)
    seconds: int | None = None  # how long a browse lasted (rewards: only past the policy's minimum)


Listener = Callable[[ActivityEvent], None]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    store TEXT NOT NULL,
    app_id TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cursors (
    name TEXT PRIMARY KEY,
    seq INTEGER NOT NULL
);
"""
_DETAILS = """
ALTER TABLE events ADD COLUMN version TEXT;
ALTER TABLE events ADD COLUMN seconds INTEGER;
"""

_COLUMNS = "kind, store, app_id, at, id, seq, version, seconds"  # ActivityEvent's fields, in order


def _event(row: tuple[Any, ...]) -> ActivityEvent:
    kind, *rest = row
    return ActivityEvent(Activity(kind), *rest)


@contextmanager
def _writing(path: Path) -> Iterator[None]:
    """A write that SQLite refuses (read-only, locked, disk full) as a message, not a bug."""
    try:
        yield
    except sqlite3.OperationalError as e:
        raise ConfigError(f"could not record the activity in {path} ({e}); check that the data "
                          "dir is writable") from None


class ActivityLog:
    """The journal of events; listeners hear each event once it is on disk. Methods do disk
    I/O: call them off the GUI thread. Safe to use from several threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._listeners: list[Listener] = []

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = open_database(self.path, [_SCHEMA, _DETAILS],
                                     if_damaged="move it away to start a new activity journal")
            self._import_jsonl()
        return self._db

    def _import_jsonl(self) -> None:
        """Events kept by imapp 0.1 in ``activity.jsonl`` move into the journal, once."""
        old = self.path.with_name("activity.jsonl")
        if not old.is_file() or self._db is None:
            return
        rows = []
        for n, line in enumerate(old.read_text("utf-8", errors="replace").splitlines()):
            try:
                raw = json.loads(line)
                # the same id each time: an import interrupted before the rename is not doubled
                event_id = uuid.uuid5(uuid.NAMESPACE_URL, f"imapp-activity:{n}:{line}").hex
                rows.append((event_id, Activity(raw["kind"]).value, str(raw["store"]),
                             str(raw["app_id"]), str(raw["at"])))
            except (ValueError, KeyError, TypeError):
                continue  # a torn last line after a crash
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("INSERT OR IGNORE INTO events (id, kind, store, app_id, at) "
                                 "VALUES (?, ?, ?, ?, ?)", rows)
        old.replace(old.with_name("activity.jsonl.imported"))

    def open(self) -> None:
        """Open the journal now (creating or upgrading it), rather than at its first read or
        write: the GUI does so in a job at start."""
        with self._lock:
            self._conn()

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def record(self, kind: Activity, store: str, app_id: str, *, version: str | None = None,
               seconds: int | None = None) -> ActivityEvent:
        """Append one event and return it with its ``id`` and ``seq``."""
        event = ActivityEvent(Activity(kind), store, app_id, version=version, seconds=seconds)
        with self._lock, _writing(self.path):
            db = self._conn()
            with db:
                db.execute("BEGIN IMMEDIATE")
                cur = db.execute("INSERT INTO events (id, kind, store, app_id, at, version, seconds) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 (event.id, event.kind.value, event.store, event.app_id, event.at,
                                  version, seconds))
            recorded = ActivityEvent(event.kind, event.store, event.app_id, event.at, event.id,
                                     int(cur.lastrowid or 0), version, seconds)
        for listener in list(self._listeners):
            listener(recorded)
        return recorded

    def after(self, cursor: int = 0, limit: int | None = None) -> list[ActivityEvent]:
        """Events with ``seq > cursor``, oldest first."""
        with self._lock:
            rows = self._conn().execute(
                f"SELECT {_COLUMNS} FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                (cursor, -1 if limit is None else limit)).fetchall()
        return [_event(row) for row in rows]

    def by_id(self, ids: list[str]) -> dict[str, ActivityEvent]:
        """The events with these ids (those that exist)."""
        out: dict[str, ActivityEvent] = {}
        with self._lock:
            db = self._conn()
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                rows = db.execute(f"SELECT {_COLUMNS} FROM events "
                                  f"WHERE id IN ({','.join('?' * len(chunk))})", chunk).fetchall()
                out.update((event.id, event) for event in map(_event, rows))
        return out

    def events(self) -> list[ActivityEvent]:
        return self.after(0)

    def cursor(self, name: str) -> int:
        """Where consumer ``name`` stopped reading (0: at the start)."""
        with self._lock:
            row = self._conn().execute("SELECT seq FROM cursors WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else 0

    def save_cursor(self, name: str, seq: int) -> None:
        """Consumer ``name`` has handled every event up to ``seq``. A cursor never moves back."""
        with self._lock, _writing(self.path):
            db = self._conn()
            with db:
                db.execute("BEGIN IMMEDIATE")
                db.execute("INSERT INTO cursors (name, seq) VALUES (?, ?) ON CONFLICT(name) DO "
                           "UPDATE SET seq = max(seq, excluded.seq)", (name, seq))

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
