"""A store's verified catalogue as a local SQLite search index (``stores/ID/catalog.sqlite3``).

Built once per verified catalogue (keyed by its signed SHA-256, crash-safe: a temp file, fsync,
``os.replace``), then read with plain queries: a search asks SQLite's FTS5 for the rows it
needs instead of testing every app in Python, and the CLI's ``search`` answers from this file
alone, without loading the catalogue.

Search rules are the in-memory ``SearchIndex``'s (``search.py``), and a test holds the two to
the same answers: a latin query word matches the start of a word (``cha`` finds "Charity"), a
Chinese one anywhere (慈善 finds 透明慈善); every word must match; apps whose name matches the
first word come first; each group in default order (featured, then English name). In the FTS
table every Chinese character is its own token and a run of them is searched as a phrase, so
a Chinese substring is found through the index too.

Schema (``PRAGMA user_version = 1``)::

    meta  (key TEXT PRIMARY KEY, value TEXT)  -- digest, store_id, store_name, categories, count
    apps  (pos INTEGER PRIMARY KEY,           -- rank in default order, within this store
           idx INTEGER,                       -- position in the catalogue's ``apps``
           id TEXT UNIQUE, featured INTEGER, sortname TEXT,
           row TEXT)                          -- JSON: name, summary, categories, kind, version
    cats  (cat TEXT, pos INTEGER, PRIMARY KEY (cat, pos)) WITHOUT ROWID
    words USING fts5(text)  -- contentless, rowid = pos: names, id, summaries, developer, categories
    names USING fts5(text)  -- contentless, rowid = pos: the names alone (the first group)

Two FTS tables rather than one with two columns: a column filter makes FTS5 read a term's whole
list of rows, which costs milliseconds for a word in every app.
"""

from __future__ import annotations

import functools
import heapq
import json
import os
import re
import sqlite3
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from appstore.core.catalog.cache import AppRows
from appstore.core.catalog.models import Catalog, Localized
from appstore.core.catalog.search import is_cjk, latin_words, query_words, sort_key
from appstore.core.fileio import fsync_dir

SCHEMA = 1
FILE_NAME = "catalog.sqlite3"
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


def _quote(word: str) -> str:
    """An FTS5 query term for one query word (letters, digits or Chinese: no quotes inside)."""
    if is_cjk(word):
        return '"' + " ".join(word) + '"'  # the characters in a row: a substring
    return f'"{word}"*'  # the start of a word


@dataclass(frozen=True)
class Row:
    """What a search result shows without the catalogue (the CLI's ``search``)."""

    store: str  # local id of the store
    id: str
    featured: bool
    sortname: str
    name: Localized
    summary: Localized
    categories: tuple[str, ...]
    kind: str
    version: str | None


def build(path: Path, catalog: Catalog, digest: str) -> None:
    """Write the index of ``catalog`` (signed sha256 ``digest``) to ``path``, replacing any
    other, all at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
    os.close(fd)  # (another process may build the same index at once: each its own file)
    tmp = Path(name)
    tmp.unlink()
    apps = catalog.apps
    keys = apps.sort_keys() if isinstance(apps, AppRows) else [sort_key(a) for a in apps]
    order = sorted(range(len(apps)), key=keys.__getitem__)
    del keys
    con = sqlite3.connect(tmp)
    try:
        con.execute("PRAGMA journal_mode = OFF")  # a new file, replaced whole: no journal needed
        con.execute("PRAGMA synchronous = OFF")  # one fsync at the end instead
        con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        con.execute("CREATE TABLE apps (pos INTEGER PRIMARY KEY, idx INTEGER NOT NULL, "
                    "id TEXT NOT NULL UNIQUE, featured INTEGER NOT NULL, sortname TEXT NOT NULL, "
                    "row TEXT NOT NULL)")
        con.execute("CREATE TABLE cats (cat TEXT NOT NULL, pos INTEGER NOT NULL, "
                    "PRIMARY KEY (cat, pos)) WITHOUT ROWID")
        for table in ("words", "names"):
            con.execute(f"CREATE VIRTUAL TABLE {table} USING fts5(text, content='', "
                        "columnsize=0, tokenize='unicode61 remove_diacritics 0', prefix='1 2 3')")
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        for at in range(0, len(order), _CHUNK):  # in chunks: the build's memory stays small
            rows: list[tuple[int, int, str, int, str, str]] = []
            words: list[tuple[int, str]] = []
            names_rows: list[tuple[int, str]] = []
            cats: list[tuple[str, int]] = []
            for pos, i in enumerate(order[at:at + _CHUNK], at):
                a = apps[i]
                names = " ".join(a.name.values())
                rows.append((pos, i, a.id, int(a.featured), sort_key(a)[1], dumps(
                    [a.name, a.summary, a.categories, a.kind, a.version])))
                name_tokens = _tokens(names)
                body = f"{a.id} {' '.join(a.summary.values())} {a.developer} {' '.join(a.categories)}"
                # a run break between the names and the rest: a Chinese phrase never spans them
                words.append((pos, f"{name_tokens} {_RUN_BREAK} {_tokens(body)}"))
                names_rows.append((pos, name_tokens))
                cats.extend((c, pos) for c in a.categories)
            con.executemany("INSERT INTO apps VALUES (?, ?, ?, ?, ?, ?)", rows)
            con.executemany("INSERT INTO words (rowid, text) VALUES (?, ?)", words)
            con.executemany("INSERT INTO names (rowid, text) VALUES (?, ?)", names_rows)
            con.executemany("INSERT OR IGNORE INTO cats VALUES (?, ?)", cats)
        meta = {"digest": digest, "store_id": catalog.store_id,
                "store_name": json.dumps(dict(catalog.store_name), ensure_ascii=False),
                "categories": json.dumps({k: dict(v) for k, v in catalog.categories.items()},
                                         ensure_ascii=False),
                "count": str(len(apps))}
        con.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
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
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class StoreIndex:
    """One store's index, open for reading (safe to share between threads)."""

    def __init__(self, con: sqlite3.Connection, store: str, meta: dict[str, str]) -> None:
        self._con = con
        self._lock = threading.Lock()
        self.store = store  # the local id
        self.digest = meta["digest"]
        self.store_id = meta["store_id"]
        self.store_name: dict[str, str] = json.loads(meta["store_name"])
        self.categories: dict[str, dict[str, str]] = json.loads(meta["categories"])
        self.size = int(meta["count"])  # apps in the catalogue

    @classmethod
    def open(cls, path: Path, digest: str, store: str) -> StoreIndex | None:
        """The index at ``path`` if it was built from the catalogue with this sha256, else
        None (missing, damaged, another catalogue or schema)."""
        if not path.is_file():
            return None
        try:
            con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
        except sqlite3.Error:
            return None
        try:
            if con.execute("PRAGMA user_version").fetchone()[0] != SCHEMA:
                raise sqlite3.DatabaseError("another schema")
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("digest") != digest:
                raise sqlite3.DatabaseError("another catalogue")
            return cls(con, store, meta)
        except (sqlite3.Error, KeyError, ValueError, TypeError):
            con.close()
            return None

    def close(self) -> None:
        with self._lock:
            self._con.close()

    def _query(self, sql: str, args: Sequence[Any]) -> list[Any]:
        with self._lock:
            return self._con.execute(sql, args).fetchall()

    @staticmethod
    def plan(query: str) -> tuple[str | None, str | None, bool]:
        """(FTS query every match must meet, FTS query of the names for the first group,
        whether every name match is a match); (None, None, True) for a query without words."""
        words = query_words(query)
        if not words:
            return None, None, True
        terms = [_quote(w) for w in sorted(words, key=len, reverse=True)]
        return " AND ".join(terms), _quote(words[0]), len(words) == 1

    def count(self, match: str | None, category: str | None) -> int:
        """How many apps ``match`` (every app: None) finds in ``category`` (any: None)."""
        if match is None and category is None:
            return self.size
        if match is None:
            sql, args = "SELECT count(*) FROM cats WHERE cat = ?", [category]
        elif category is None:
            sql, args = "SELECT count(*) FROM words WHERE words MATCH ?", [match]
        else:
            sql = ("SELECT count(*) FROM words WHERE words MATCH ? AND rowid IN "
                   "(SELECT pos FROM cats WHERE cat = ?)")
            args = [match, category]
        return int(self._query(sql, args)[0][0])

    def positions(self, match: str | None, category: str | None, *, after: int = -1,
                  until: int | None = None, limit: int = 1000) -> list[int]:
        """Ranks (``apps.pos``) of the apps ``match`` finds in ``category``, in order, after
        rank ``after`` (and not after ``until``); at most ``limit``."""
        last = self.size if until is None else until
        if match is None and category is None:
            return list(range(after + 1, min(self.size, last + 1, after + 1 + limit)))
        if match is None:
            sql = "SELECT pos FROM cats WHERE cat = ? AND pos > ? AND pos <= ? ORDER BY pos LIMIT ?"
            args: list[Any] = [category, after, last, limit]
        else:
            sql = "SELECT rowid FROM words WHERE words MATCH ? AND rowid > ? AND rowid <= ?"
            args = [match, after, last]
            if category is not None:
                sql += " AND rowid IN (SELECT pos FROM cats WHERE cat = ?)"
                args.append(category)
            sql += " ORDER BY rowid LIMIT ?"
            args.append(limit)
        return [r[0] for r in self._query(sql, args)]

    def named(self, match: str, *, after: int = -1, limit: int = 1000) -> list[int]:
        """Ranks of the apps whose name ``match`` finds, in order, after rank ``after``."""
        rows = self._query("SELECT rowid FROM names WHERE names MATCH ? AND rowid > ? "
                           "ORDER BY rowid LIMIT ?", [match, after, limit])
        return [r[0] for r in rows]

    def order(self) -> list[int]:
        """``idx`` (position in the catalogue) of every rank, in rank order."""
        return [r[0] for r in self._query("SELECT idx FROM apps ORDER BY pos", [])]

    def rows(self, positions: Sequence[int]) -> list[Row]:
        """The search rows of these ranks, in the order given."""
        if not positions:
            return []
        found: dict[int, Row] = {}
        for at in range(0, len(positions), 500):
            part = positions[at:at + 500]
            marks = ",".join("?" * len(part))
            got = self._query(
                f"SELECT pos, id, featured, sortname, row FROM apps WHERE pos IN ({marks})", part)
            # one JSON text for the batch: a json.loads per row costs more than its parse
            rows = json.loads("[" + ",".join([r[4] for r in got]) + "]")
            for (pos, app_id, featured, sortname, _), (name, summary, cats, kind, version) in zip(
                    got, rows, strict=True):
                found[pos] = Row(self.store, app_id, bool(featured), sortname, name, summary,
                                 tuple(cats), kind, version)
        return [found[p] for p in positions]

    def sort_keys(self) -> list[tuple[bool, str]]:
        """The default-order key of every rank (to merge the results of several stores)."""
        return [(not f, n) for f, n in self._query("SELECT featured, sortname FROM apps ORDER BY pos", [])]

    def ids(self) -> set[str]:
        return {r[0] for r in self._query("SELECT id FROM apps", [])}


class Hits:
    """The results of one search over several stores' indexes, best first, fetched as they
    are needed: ``total`` is known at once, ``take(n)`` reads up to ``n`` more.

    Each item is ``(k, pos)``: the store's number in the list given, and the app's rank in that
    store's index. Across stores, results merge by the same key each store sorted by (``key``
    gives it for an item; needed only with several stores)."""

    PAGE = 4096

    def __init__(self, indexes: Sequence[StoreIndex], query: str, category: str | None,
                 key: Any = None) -> None:
        self.indexes = indexes
        self.category = category
        self.match, self.name_match, self.simple = StoreIndex.plan(query)
        self.total = sum(ix.count(self.match, category) for ix in indexes)
        self._key = key
        self._firsts: list[set[int]] = [set() for _ in indexes]
        self._items: list[tuple[int, int]] = []
        self._stream = self._merged()

    def __len__(self) -> int:
        return self.total

    @property
    def fetched(self) -> list[tuple[int, int]]:
        return self._items

    def take(self, n: int) -> list[tuple[int, int]]:
        """The next ``n`` results (fewer at the end)."""
        more = list(islice(self._stream, n))
        self._items.extend(more)
        return more

    def fetch_to(self, n: int) -> list[tuple[int, int]]:
        """The first ``n`` results (fewer if there are fewer)."""
        if len(self._items) < n:
            self.take(n - len(self._items))
        return self._items[:n]

    def _pages(self, read: Any) -> Iterator[list[int]]:
        """Pages of ``read(after, limit)``: a small first one (the first screen comes
        quickly), then bigger ones."""
        after, limit = -1, 64
        while True:
            page = read(after, limit)
            yield page
            if len(page) < limit:
                return
            after, limit = page[-1], min(self.PAGE, limit * 4)

    def _first(self, k: int) -> Iterator[tuple[int, int]]:
        """Matches whose name matches the first word (every match, for a query without words)."""
        ix, cat, match = self.indexes[k], self.category, self.match
        if self.name_match is None:
            for page in self._pages(lambda a, n: ix.positions(None, cat, after=a, limit=n)):
                yield from ((k, p) for p in page)
            return
        name_match = self.name_match
        firsts = self._firsts[k]
        for page in self._pages(lambda a, n: ix.named(name_match, after=a, limit=n)):
            if page and not (self.simple and cat is None):
                # the names found must match the rest of the query (and the category) too
                ok = set(ix.positions(match, cat, after=page[0] - 1, until=page[-1],
                                      limit=page[-1] - page[0] + 1))
                page = [p for p in page if p in ok]
            firsts.update(page)
            yield from ((k, p) for p in page)

    def _rest(self, k: int) -> Iterator[tuple[int, int]]:
        """The other matches (read once every first-group match was: ``_firsts`` is whole)."""
        if self.name_match is None:
            return
        ix, cat, match = self.indexes[k], self.category, self.match
        firsts = self._firsts[k]
        for page in self._pages(lambda a, n: ix.positions(match, cat, after=a, limit=n)):
            yield from ((k, p) for p in page if p not in firsts)

    def _merged(self) -> Iterator[tuple[int, int]]:
        n = len(self.indexes)
        for group in (self._first, self._rest):
            if n == 1:
                yield from group(0)
            else:
                yield from heapq.merge(*(group(k) for k in range(n)), key=self._key)


def clashing_ids(indexes: Iterable[StoreIndex]) -> set[str]:
    """App ids that more than one of these stores lists."""
    seen: set[str] = set()
    clash: set[str] = set()
    for ix in indexes:
        ids = ix.ids()
        clash |= ids & seen
        seen |= ids
    return clash
