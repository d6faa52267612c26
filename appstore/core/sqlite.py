"""Opening imapp's SQLite databases the one way: WAL, ``synchronous=FULL`` (a committed row
survives a power cut), a schema version in ``PRAGMA user_version`` upgraded step by step, and a
clear ``ConfigError`` for a damaged file or one written by a newer imapp."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

from appstore.core.errors import ConfigError

LOCKED_WAIT = 15.0  # seconds to wait for another connection setting the same file up


def open_database(path: Path, upgrades: Sequence[str], *, if_damaged: str) -> sqlite3.Connection:
    """A connection to ``path`` usable from several threads (callers serialise with a lock),
    in autocommit mode (callers write with ``BEGIN IMMEDIATE`` inside ``with db:``).

    ``upgrades[n]`` is the SQL that takes the schema from version n to n + 1; each step runs in
    its own transaction, checked again under the write lock since another process may have
    upgraded the file meanwhile. ``if_damaged`` ends the message when the file cannot be used
    (what the user can do)."""
    deadline = time.monotonic() + LOCKED_WAIT
    while True:
        try:
            return _open(path, upgrades, if_damaged)
        except _Locked:
            # Switching a new file to WAL, or a first schema step, while another connection
            # (another thread, another imapp) does the same: SQLite says "locked" at once
            # rather than wait. Wait here instead.
            if time.monotonic() > deadline:
                raise ConfigError(f"{path} is in use by another program just now; try again") from None
            time.sleep(0.05)


class _Locked(Exception):
    pass


def _open(path: Path, upgrades: Sequence[str], if_damaged: str) -> sqlite3.Connection:
    target = len(upgrades)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10.0)
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":  # kept in the file
                db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > target:
                raise ConfigError(f"{path} was written by a newer imapp; update imapp")
            while version < target:
                with db:
                    db.execute("BEGIN IMMEDIATE")
                    version = db.execute("PRAGMA user_version").fetchone()[0]
                    if version < target:
                        for statement in upgrades[version].split(";"):
                            if statement.strip():
                                db.execute(statement)
                        version += 1
                        db.execute(f"PRAGMA user_version={version}")
        except BaseException:
            db.close()
            raise
    except sqlite3.OperationalError as e:  # locked, read-only, disk full: not damage
        if "locked" in str(e) or "busy" in str(e):
            raise _Locked() from None
        raise ConfigError(f"{path} cannot be used just now ({e}); check that the data dir is "
                          "writable and try again") from None
    except sqlite3.DatabaseError as e:
        raise ConfigError(f"{path} cannot be used ({e}); {if_damaged}") from None
    return db
