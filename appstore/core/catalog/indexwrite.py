"""Writing a store's search index (the schema is in ``index.py``): ``build`` makes the whole
file from a catalogue; ``texts`` and ``record`` are what a row holds, shared with
``reindex.py``, which updates a few apps in place."""

from __future__ import annotations

import functools
import json
import os
import re
import sqlite3
import tempfile
from array import array
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from appstore.core.catalog.cache import AppRows
from appstore.core.catalog.models import App, Catalog
from appstore.core.catalog.search import latin_words, sort_key
from appstore.core.catalog.searchjson import cards
from appstore.core.fileio import fsync_dir

SCHEMA = 4  # (3 was used for three layouts of the items within one day: 4 rebuilds them all)
GAP = 4096  # between two ranks when built: room for new apps (a rank delta stays a 2-byte varint)
_CHUNK = 4096  # apps written at a time
_RUN_BREAK = "\u30fc"  # between two runs of Chinese: a token no query can ever name


@functools.cache
def _cjk_char() -> re.Pattern[str]:
    return re.compile("[\u3400-\u9fff\uf900-\ufaff]+")  # (on first use: a few ms to compile)


def _cjk_tokens(text: str) -> str:
    """The Chinese characters of ``text``, one token each, runs kept apart."""
    runs = _cjk_char().findall(text)
    return f" {_RUN_BREAK} ".join(" ".join(run) for run in runs)


def _tokens(text: str) -> str:
    text = text.lower()
    return f"{latin_words(text)} {_cjk_tokens(text)}"


def texts(app_id: str, name: Mapping[str, str], summary: Mapping[str, str], developer: str,
          categories: Sequence[str]) -> tuple[str, str]:
    """(``words`` text, ``names`` text) of an app: what is indexed, and what removing it from a
    contentless FTS table must name again, token for token."""
    name_tokens = _tokens(" ".join(name.values()))
    body = f"{app_id} {' '.join(summary.values())} {developer} {' '.join(categories)}"
    # a run break between the names and the rest: a Chinese phrase never spans them
    return f"{name_tokens} {_RUN_BREAK} {_tokens(body)}", name_tokens


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def record(a: App) -> tuple[int, str, str, str]:
    """(featured, sortname, row, developer) of an app as the ``apps`` table holds them."""
    return (int(a.featured), sort_key(a)[1],
            _dumps([a.name, a.summary, a.categories, a.kind, a.version]), a.developer)


def items_of(a: App) -> tuple[int, str, str, str | None, str]:
    """(featured, pre, en, zh, post) of an app as the ``items`` table holds them
    (``searchjson.cards``)."""
    return (int(a.featured), *cards(a.id, a.name, a.summary, a.categories, a.kind, a.version))


def meta_of(catalog: Catalog, digest: str) -> dict[str, str]:
    return {"digest": digest, "store_id": catalog.store_id,
            "store_name": json.dumps(dict(catalog.store_name), ensure_ascii=False),
            "categories": json.dumps({k: dict(v) for k, v in catalog.categories.items()},
                                     ensure_ascii=False),
            "count": str(len(catalog.apps))}


def _create(con: sqlite3.Connection) -> None:
    con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    con.execute("CREATE TABLE shards (no INTEGER PRIMARY KEY, key TEXT NOT NULL, "
                "count INTEGER NOT NULL, base INTEGER NOT NULL)")
    con.execute("CREATE TABLE apps (pos INTEGER PRIMARY KEY, shard INTEGER NOT NULL, "
                "at INTEGER NOT NULL, id TEXT NOT NULL UNIQUE, featured INTEGER NOT NULL, "
                "sortname TEXT NOT NULL, row TEXT NOT NULL, developer TEXT NOT NULL)")
    # apart from ``apps``: what only ``search --json`` reads does not widen every other scan
    con.execute("CREATE TABLE items (pos INTEGER PRIMARY KEY, featured INTEGER NOT NULL, "
                "pre TEXT NOT NULL, en TEXT NOT NULL, zh TEXT, post TEXT NOT NULL)")
    con.execute("CREATE TABLE cats (cat TEXT NOT NULL, pos INTEGER NOT NULL, "
                "PRIMARY KEY (cat, pos)) WITHOUT ROWID")
    for table in ("words", "names"):
        con.execute(f"CREATE VIRTUAL TABLE {table} USING fts5(text, content='', "
                    "columnsize=0, tokenize='unicode61 remove_diacritics 0', prefix='1 2 3')")


def build(path: Path, catalog: Catalog, digest: str,
          parts: Sequence[tuple[str, int]] | None = None) -> None:
    """Write the index of ``catalog`` (signed sha256 ``digest``) to ``path``, replacing any
    other, all at once. ``parts``: (key, number of apps) of each of the catalogue's shards, in
    order (None: one part, keyed by ``digest``): what ``reindex.update`` compares later."""
    apps = catalog.apps
    parts = list(parts) if parts is not None else [(digest, len(apps))]
    if sum(n for _, n in parts) != len(apps):
        raise ValueError("the parts do not add up to the catalogue")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
    os.close(fd)  # (another process may build the same index at once: each its own file)
    tmp = Path(name)
    tmp.unlink()
    keys = apps.sort_keys() if isinstance(apps, AppRows) else [sort_key(a) for a in apps]
    order = sorted(range(len(apps)), key=keys.__getitem__)  # (stable: ties in catalogue order)
    del keys
    shard_of = array("l")
    bases = []
    for no, (_, n) in enumerate(parts):
        bases.append(len(shard_of))
        shard_of.extend([no] * n)
    con = sqlite3.connect(tmp)
    try:
        con.execute("PRAGMA journal_mode = OFF")  # a new file, replaced whole: no journal needed
        con.execute("PRAGMA synchronous = OFF")  # one fsync at the end instead
        _create(con)
        for at in range(0, len(order), _CHUNK):  # in chunks: the build's memory stays small
            rows: list[tuple[Any, ...]] = []
            items: list[tuple[int, int, str, str, str | None, str]] = []
            words: list[tuple[int, str]] = []
            names_rows: list[tuple[int, str]] = []
            cats: list[tuple[str, int]] = []
            for rank, i in enumerate(order[at:at + _CHUNK], at):
                a = apps[i]
                pos = (rank + 1) * GAP
                shard = shard_of[i]
                rows.append((pos, shard, i - bases[shard], a.id, *record(a)))
                items.append((pos, *items_of(a)))
                text, name_text = texts(a.id, a.name, a.summary, a.developer, a.categories)
                words.append((pos, text))
                names_rows.append((pos, name_text))
                cats.extend((c, pos) for c in a.categories)
            insert_rows(con, rows, items, words, names_rows, cats)
        # after the rows: one sort each rather than a B-tree kept in order row by row
        con.execute("CREATE INDEX apps_order ON apps (featured, sortname, shard, at)")
        con.execute("CREATE INDEX apps_shard ON apps (shard)")
        con.executemany("INSERT INTO shards VALUES (?, ?, ?, ?)",
                        [(no, key, n, base) for no, ((key, n), base)
                         in enumerate(zip(parts, bases, strict=True))])
        con.executemany("INSERT INTO meta VALUES (?, ?)", meta_of(catalog, digest).items())
        con.execute(f"PRAGMA user_version = {SCHEMA}")
        con.commit()
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    try:
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        # A journal left by an update that died belongs to the file replaced: SQLite would
        # "roll it back" into this one (callers hold the index's lock: no update is running).
        Path(f"{path}-journal").unlink(missing_ok=True)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def insert_rows(con: sqlite3.Connection, rows: Sequence[tuple[object, ...]],
                items: Sequence[tuple[object, ...]], words: Sequence[tuple[int, str]],
                names: Sequence[tuple[int, str]], cats: Sequence[tuple[str, int]]) -> None:
    """Apps at their ranks into every table of the index (a full build's chunk, or the apps an
    update puts in)."""
    con.executemany("INSERT INTO apps VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.executemany("INSERT INTO items VALUES (?, ?, ?, ?, ?, ?)", items)
    con.executemany("INSERT INTO words (rowid, text) VALUES (?, ?)", words)
    con.executemany("INSERT INTO names (rowid, text) VALUES (?, ?)", names)
    con.executemany("INSERT OR IGNORE INTO cats VALUES (?, ?)", cats)
