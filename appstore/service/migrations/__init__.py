"""The IA service's schema migrations (Alembic; docs/ia-service.md, "Upgrading").

``upgrade(conn)`` brings a database to the newest revision inside the caller's write transaction
(so it is all or nothing), and is what every start of the service does: a new database is made by
the migrations from nothing; a database made before migrations existed (by ``create_all``, the
schema of revision 0001) is stamped 0001 first, then upgraded. On PostgreSQL an advisory lock
makes the processes that start together migrate one after another (the others find it done); on
SQLite the write transaction (``BEGIN IMMEDIATE``) does the same. A database upgraded by a newer
release is refused, never touched.

The revisions ship inside the package (``versions/``), so an installed wheel can migrate; a new one
is made with ``alembic -c appstore/service/migrations/alembic.ini revision -m "…"`` and written by
hand (its tables as of that revision, never imported from ``schema.py``, which changes later).
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from appstore.core.errors import ConfigError

HERE = Path(__file__).resolve().parent
BEFORE_MIGRATIONS = "0001"  # the schema the releases before migrations made with create_all
LOCK_KEY = 0x1A5E_4C1E  # pg_advisory_xact_lock: one process migrates at a time
log = logging.getLogger(__name__)


def _config(conn: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def script() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head() -> str:
    h = script().get_current_head()
    assert h is not None
    return h


def current(conn: Connection) -> str | None:
    """The database's revision (None: no ``alembic_version`` table)."""
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(conn: Connection) -> tuple[str | None, str]:
    """Bring the database of ``conn`` (in a write transaction) to the newest revision: the
    revisions before and after. ``ConfigError`` for a database a newer release upgraded."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    before = current(conn)
    if before is None and inspect(conn).has_table("meta"):
        before = BEFORE_MIGRATIONS  # made by a release before migrations existed
        command.stamp(_config(conn), BEFORE_MIGRATIONS)
    sd = script()
    newest = head()
    if before is not None and before != newest:
        try:
            sd.get_revision(before)
        except Exception:  # noqa: BLE001 - alembic raises several kinds for an unknown revision
            raise ConfigError(f"the IA service's database is at schema revision {before!r}, which this "
                              f"release does not know (its newest is {newest}): a newer release upgraded "
                              "it; run that release (or a newer one)") from None
    if before != newest:
        command.upgrade(_config(conn), "head")
        log.info("IA service database: schema upgraded from %s to %s", before or "nothing", newest)
    return before, newest
