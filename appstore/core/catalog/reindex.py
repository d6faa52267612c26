"""Bring a store's search index (``index.py``) to a new catalogue in place, when only a few of
its shards changed: a refresh that changed one app costs that app's rows, not a full build.

The index records each part's (shard's) key. ``update`` compares them with the new
catalogue's: in a changed part, an app whose row is unchanged stays where it is (its place in
the part updated), a changed or removed one is taken out of the FTS tables (naming its text
again, rebuilt from its stored row: the tables are contentless), and a new or changed one takes
a rank between its neighbours' in default order. All of it is one SQLite transaction (crash
safe: SQLite's journal), under the index's lock. Anything it cannot do exactly — another
number of parts, many changed, no room left between two ranks, a reordered part, an index of
another schema or damaged — leaves the file as it was and returns False: the caller builds the
index in full instead. A test holds every query's answer to a full build's.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from appstore.core.catalog.indexwrite import GAP, SCHEMA, build, insert_rows, items_of, meta_of, record, texts
from appstore.core.catalog.models import App, Catalog
from appstore.core.errors import CatalogError
from appstore.core.logs import log
from appstore.core.oslock import held

MAX_CHANGED = 8  # parts changed: more, and a full build costs about as much
# featured, sortname, shard, at, id, (row, developer), app
_Insert = tuple[int, str, int, int, str, tuple[str, str], App]


def refresh(path: Path, catalog: Catalog, digest: str,
            parts: Sequence[tuple[str, int]] | None) -> None:
    """Make the index at ``path`` serve ``catalog``: updated in place when ``parts`` (see
    ``update``; None: a catalogue not in shards) allow it, else built in full. One process or
    thread at a time (a lock file beside it): a full build must never replace the file under
    an update, whose journal would then be rolled back into the new file."""
    lock = path.with_name(f"{path.name}.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with held(lock, 120, lambda: CatalogError(f"the search index {path} is being built by "
                                              "another imapp for too long; try again")):
        if parts is None or not update(path, catalog, digest, parts):
            build(path, catalog, digest, parts)


def update(path: Path, catalog: Catalog, digest: str, parts: Sequence[tuple[str, int]]) -> bool:
    """Make the index at ``path`` serve ``catalog`` (signed sha256 ``digest``, in ``parts``:
    (key, apps) per shard, in order). True when it does (already did, or updated here); False
    when it must be built in full (the file is then as it was). Hold the index's lock."""
    if not path.is_file():
        return False
    try:
        con = sqlite3.connect(path, timeout=10, isolation_level=None)
    except sqlite3.Error:
        return False
    try:
        con.execute("BEGIN IMMEDIATE")
        try:
            done = _apply(con, catalog, digest, list(parts))
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT" if done else "ROLLBACK")
        return done
    except sqlite3.Error as e:  # damaged, locked, full: built in full (replaced) instead
        log.info("search index %s not updated in place (%s): building it again", path, e)
        return False
    finally:
        con.close()


def _apply(con: sqlite3.Connection, catalog: Catalog, digest: str,
           parts: list[tuple[str, int]]) -> bool:
    if con.execute("PRAGMA user_version").fetchone()[0] != SCHEMA:
        return False
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    if meta.get("digest") == digest:
        return True  # another thread or process got here first
    old = con.execute("SELECT no, key FROM shards ORDER BY no").fetchall()
    if [no for no, _ in old] != list(range(len(parts))):
        return False  # another number of parts: every app moved
    changed = [no for (no, key), (new, _) in zip(old, parts, strict=True) if key != new]
    if len(changed) > MAX_CHANGED:
        return False
    bases, at = [], 0
    for _, n in parts:
        bases.append(at)
        at += n
    if at != len(catalog.apps):
        return False
    inserts: list[_Insert] = []
    for no in changed:
        part = catalog.apps[bases[no]:bases[no] + parts[no][1]]
        if not _diff(con, no, part, inserts):
            return False
    if not _insert(con, inserts):
        return False
    con.executemany("UPDATE shards SET key = ?, count = ?, base = ? WHERE no = ?",
                    [(key, n, base, no) for no, ((key, n), base)
                     in enumerate(zip(parts, bases, strict=True))])
    con.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta_of(catalog, digest).items())
    return True


def _diff(con: sqlite3.Connection, no: int, part: Sequence[App], inserts: list[_Insert]) -> bool:
    """Take the changed and removed apps of part ``no`` out; add its new and changed ones to
    ``inserts``; update the place of the others. False if the part's unchanged apps are in
    another order than before (ties would sort otherwise: a full build decides)."""
    old: dict[str, tuple[int, int, int, str, str, str]] = {
        app_id: (pos, at, featured, sortname, row, developer)
        for pos, at, app_id, featured, sortname, row, developer in con.execute(
            "SELECT pos, at, id, featured, sortname, row, developer FROM apps WHERE shard = ?",
            (no,))}
    kept: list[tuple[int, int, int]] = []  # old place, new place, rank
    for at, a in enumerate(part):
        featured, sortname, row, developer = record(a)
        was = old.pop(a.id, None)
        if was is not None and was[2:] == (featured, sortname, row, developer):
            kept.append((was[1], at, was[0]))  # (its items are made of the same fields)
            continue
        if was is not None:
            _remove(con, a.id, was[0], was[4], was[5])
        inserts.append((featured, sortname, no, at, a.id, (row, developer), a))
    for app_id, (pos, _, _, _, row, developer) in old.items():
        _remove(con, app_id, pos, row, developer)
    kept.sort()
    if any(x[1] >= y[1] for x, y in zip(kept, kept[1:], strict=False)):
        return False
    con.executemany("UPDATE apps SET at = ? WHERE pos = ?",
                    [(new, pos) for was, new, pos in kept if was != new])
    return True


def _remove(con: sqlite3.Connection, app_id: str, pos: int, row: str, developer: str) -> None:
    """Take one app out of every table (its FTS text rebuilt from its row, token for token)."""
    name, summary, categories, _, _ = json.loads(row)
    text, name_text = texts(app_id, name, summary, developer, categories)
    con.execute("INSERT INTO words (words, rowid, text) VALUES ('delete', ?, ?)", (pos, text))
    con.execute("INSERT INTO names (names, rowid, text) VALUES ('delete', ?, ?)", (pos, name_text))
    con.executemany("DELETE FROM cats WHERE cat = ? AND pos = ?", [(c, pos) for c in categories])
    con.execute("DELETE FROM apps WHERE pos = ?", (pos,))
    con.execute("DELETE FROM items WHERE pos = ?", (pos,))


def _before(con: sqlite3.Connection, featured: int, sortname: str, shard: int, at: int) -> int:
    """The rank of the app just before this key in default order (0: none)."""
    got = con.execute(
        "SELECT pos FROM apps WHERE featured = ? AND (sortname, shard, at) < (?, ?, ?) "
        "ORDER BY sortname DESC, shard DESC, at DESC LIMIT 1",
        (featured, sortname, shard, at)).fetchone()
    if got is None and not featured:  # the first of the others: after the last featured app
        got = con.execute("SELECT pos FROM apps WHERE featured = 1 "
                          "ORDER BY sortname DESC, shard DESC, at DESC LIMIT 1").fetchone()
    return int(got[0]) if got is not None else 0


def _insert(con: sqlite3.Connection, inserts: list[_Insert]) -> bool:
    """Give each new app a rank between its neighbours' (those between the same two spread
    evenly) and index it; False if two neighbours have no room left."""
    inserts.sort(key=lambda r: (not r[0], r[1], r[2], r[3]))  # default order, ties by place
    groups: list[tuple[int, list[_Insert]]] = []  # (rank before, the apps after it)
    for r in inserts:
        before = _before(con, *r[:4])
        if groups and groups[-1][0] == before:
            groups[-1][1].append(r)
        else:
            groups.append((before, [r]))
    rows: list[tuple[Any, ...]] = []
    items: list[tuple[int, int, str, str, str | None, str]] = []
    words: list[tuple[int, str]] = []
    names: list[tuple[int, str]] = []
    cats: list[tuple[str, int]] = []
    for before, members in groups:
        m = len(members)
        got = con.execute("SELECT min(pos) FROM apps WHERE pos > ?", (before,)).fetchone()[0]
        after = before + GAP * (m + 1) if got is None else int(got)
        if after - before <= m:
            return False  # no room: a full build spaces the ranks again
        for j, (featured, sortname, shard, at, app_id, stored, a) in enumerate(members, 1):
            pos = before + (after - before) * j // (m + 1)
            rows.append((pos, shard, at, app_id, featured, sortname, *stored))
            items.append((pos, *items_of(a)))
            text, name_text = texts(app_id, a.name, a.summary, a.developer, a.categories)
            words.append((pos, text))
            names.append((pos, name_text))
            cats.extend((c, pos) for c in a.categories)
    insert_rows(con, rows, items, words, names, cats)
    return True
