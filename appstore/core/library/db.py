"""The library database, ``DATA/library/library.sqlite3``, and the lock that keeps one writer.

SQLite in WAL mode with ``synchronous=FULL`` (a committed install survives a power cut), the
schema version in ``PRAGMA user_version`` and upgraded one step at a time, each step in its own
transaction. The schema is in docs/library.md.

One row per installed app, keyed by (store, app_id); ``folder`` is relative to
``DATA/library/apps`` so the data dir can move. A row is the truth: the install folder it names
is live, every other folder under ``apps/`` is left over from an interrupted install and removed
by ``Library.recover``.

Writers (install, uninstall, recovery) hold ``LibraryLock``: a thread lock for this process and
an OS lock on ``DATA/library/.lock`` (``flock``; ``msvcrt.locking`` on Windows), so the GUI and
a CLI on the same data dir never install at once. Readers need no lock.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from appstore.core.jobs import JobContext
from appstore.core.library.models import InstalledApp, LibraryError
from appstore.core.oslock import try_lock, unlock
from appstore.core.sqlite import open_database

SCHEMA_VERSION = 2

# _UPGRADES[n] takes the schema from version n to n + 1 (statements separated by ";").
_UPGRADES: tuple[str, ...] = (
    """
    CREATE TABLE installed (
        store TEXT NOT NULL,
        app_id TEXT NOT NULL,
        version TEXT NOT NULL,
        folder TEXT NOT NULL UNIQUE,
        entry TEXT NOT NULL,
        permissions TEXT NOT NULL,
        size INTEGER NOT NULL,
        files INTEGER NOT NULL,
        package_size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        installed_at TEXT NOT NULL,
        store_gone INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (store, app_id)
    )
    """,
    # 2: the permissions the user accepted for each app; an app installed before counts as
    # having accepted what its installed version asks for
    """
    ALTER TABLE installed ADD COLUMN accepted TEXT NOT NULL DEFAULT '[]';
    UPDATE installed SET accepted = permissions
    """,
)
assert len(_UPGRADES) == SCHEMA_VERSION

_COLUMNS = ("store, app_id, version, folder, entry, permissions, size, files, package_size, sha256, "
            "installed_at, store_gone, accepted")


class LibraryDB:
    """The rows of installed apps. Safe to use from several threads; does disk I/O."""

    def __init__(self, path: Path, apps_dir: Path) -> None:
        self.path = path
        self.apps_dir = apps_dir  # what ``folder`` is relative to
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = open_database(self.path, _UPGRADES, if_damaged=(
                "move it away to start an empty library (installed apps will have to be installed "
                "again)"))
        return self._db

    def _row(self, r: tuple[Any, ...]) -> InstalledApp:
        store, app_id, version, folder, entry, perms, size, files, package_size, sha, at, gone, ok = r
        return InstalledApp(
            id=f"{store}/{app_id}", app_id=app_id, store=store, version=version, size=size,
            installed_at=at, package_size=package_size, files=files, sha256=sha,
            folder=self.apps_dir.joinpath(*folder.split("/")), entry=entry,
            permissions=tuple(json.loads(perms)), store_gone=bool(gone),
            accepted=tuple(json.loads(ok)))

    def all(self) -> list[InstalledApp]:
        with self._lock:
            rows = self._conn().execute(
                f"SELECT {_COLUMNS} FROM installed ORDER BY store, app_id").fetchall()
        return [self._row(r) for r in rows]

    def get(self, store: str, app_id: str) -> InstalledApp | None:
        with self._lock:
            r = self._conn().execute(f"SELECT {_COLUMNS} FROM installed WHERE store = ? AND "
                                     "app_id = ?", (store, app_id)).fetchone()
        return self._row(r) if r else None

    def folders(self) -> set[str]:
        """Every live install folder, relative to ``apps_dir``."""
        with self._lock:
            return {f for (f,) in self._conn().execute("SELECT folder FROM installed")}

    def put(self, app: InstalledApp) -> None:
        """Insert or replace the row of ``app`` (one transaction: durable when this returns)."""
        folder = app.folder.relative_to(self.apps_dir).as_posix()
        with self._lock:
            db = self._conn()
            with db:
                db.execute("BEGIN IMMEDIATE")
                db.execute(
                    f"INSERT OR REPLACE INTO installed ({_COLUMNS}) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (app.store, app.app_id, app.version, folder, app.entry,
                     json.dumps(list(app.permissions)), app.size, app.files, app.package_size,
                     app.sha256, app.installed_at, int(app.store_gone),
                     json.dumps(list(app.accepted))))

    def accept(self, store: str, app_id: str, permissions: tuple[str, ...]) -> InstalledApp | None:
        """Add ``permissions`` to what the user accepted for the app (one transaction); the
        app as it is now, or None if it is not installed."""
        with self._lock:
            db = self._conn()
            with db:
                db.execute("BEGIN IMMEDIATE")
                r = db.execute(f"SELECT {_COLUMNS} FROM installed WHERE store = ? AND app_id = ?",
                               (store, app_id)).fetchone()
                if r is None:
                    return None
                had = tuple(json.loads(r[-1]))
                now = tuple(dict.fromkeys((*had, *permissions)))
                if now != had:
                    db.execute("UPDATE installed SET accepted = ? WHERE store = ? AND app_id = ?",
                               (json.dumps(list(now)), store, app_id))
        return self._row((*r[:-1], json.dumps(list(now))))

    def delete(self, store: str, app_id: str) -> bool:
        with self._lock:
            db = self._conn()
            with db:
                db.execute("BEGIN IMMEDIATE")
                cur = db.execute("DELETE FROM installed WHERE store = ? AND app_id = ?",
                                 (store, app_id))
        return cur.rowcount > 0

    def set_store_gone(self, store: str, gone: bool) -> int:
        """Mark every app of ``store`` (gone or back); how many rows changed."""
        with self._lock:
            db = self._conn()
            with db:
                db.execute("BEGIN IMMEDIATE")
                cur = db.execute("UPDATE installed SET store_gone = ? WHERE store = ? AND "
                                 "store_gone != ?", (int(gone), store, int(gone)))
        return cur.rowcount

    def integrity(self) -> str:
        """``PRAGMA integrity_check``: "ok" when the database is sound."""
        with self._lock:
            return str(self._conn().execute("PRAGMA integrity_check").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


class LibraryLock:
    """One writer of the library at a time: in this process (a thread lock) and across processes
    on the same data dir (an OS lock on ``path``, released by the OS if its holder dies). Not
    re-entrant."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._thread = threading.Lock()
        self._fd = -1

    @contextmanager
    def held(self, *, timeout: float, ctx: JobContext | None = None) -> Iterator[None]:
        """Hold the lock, waiting up to ``timeout`` seconds (``ctx`` can cancel the wait);
        ``LibraryError`` if another imapp keeps it longer."""
        if not self.acquire(timeout, ctx):
            raise LibraryError("another imapp is installing or removing apps in this data dir; "
                               "try again when it has finished")
        try:
            yield
        finally:
            self.release()

    def acquire(self, timeout: float, ctx: JobContext | None = None) -> bool:
        """Take the lock, waiting up to ``timeout`` seconds (0: only if free); False if it
        stayed busy. ``Cancelled`` if ``ctx`` is cancelled while waiting."""
        deadline = time.monotonic() + timeout
        while not self._thread.acquire(blocking=False):
            if not _wait(deadline, ctx):
                return False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                while not try_lock(fd):
                    if not _wait(deadline, ctx):
                        os.close(fd)
                        self._thread.release()
                        return False
            except BaseException:
                os.close(fd)
                raise
        except BaseException:
            self._thread.release()
            raise
        self._fd = fd
        return True

    def release(self) -> None:
        fd, self._fd = self._fd, -1
        try:
            unlock(fd)
        finally:
            os.close(fd)
            self._thread.release()


def _wait(deadline: float, ctx: JobContext | None) -> bool:
    """Sleep a little before trying a busy lock again; False once ``deadline`` has passed."""
    left = deadline - time.monotonic()
    if left <= 0:
        return False
    if ctx is None:
        time.sleep(min(0.05, left))
    else:
        ctx.progress(0, 0, "waiting for another imapp")
        if ctx.wait(min(0.05, left)):
            ctx.check()
    return True
