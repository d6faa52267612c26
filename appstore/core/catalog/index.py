"""A store's verified catalogue as a local SQLite search index (``stores/ID/catalog.sqlite3``).

Keyed by the verified catalogue's signed SHA-256: built in full for a new catalogue
(``indexwrite.build``: a temp file, fsync, ``os.replace``) or, when a refresh changed a few
shards, updated in place (``reindex.py``: one SQLite transaction). Read with plain queries: a
search asks SQLite's FTS5 for the rows it needs instead of testing every app in Python, and
the CLI's ``search`` answers from this file alone, without loading the catalogue.

Search rules are the in-memory ``SearchIndex``'s (``search.py``), and a test holds the two to
the same answers: a latin query word matches the start of a word (``cha`` finds "Charity"), a
Chinese one anywhere (慈善 finds 透明慈善); every word must match; apps whose name matches the
first word come first; each group in default order (featured, then English name). In the FTS
table every Chinese character is its own token and a run of them is searched as a phrase, so
a Chinese substring is found through the index too.

Schema (``PRAGMA user_version = SCHEMA``, 4)::

    meta   (key TEXT PRIMARY KEY, value TEXT)  -- digest, store_id, store_name, categories, count
    shards (no INTEGER PRIMARY KEY,            -- the catalogue's parts, in order (a catalogue
            key TEXT, count INTEGER,           -- not in shards is one part): what each part's
            base INTEGER)                      -- key was, its apps and its first app's place
    apps   (pos INTEGER PRIMARY KEY,           -- rank key in default order: sparse (``GAP``)
            shard INTEGER, at INTEGER,         -- its part and place there (the catalogue's
                                               -- ``apps[base + at]``)
            id TEXT UNIQUE, featured INTEGER, sortname TEXT,
            row TEXT,                          -- JSON: name, summary, categories, kind, version
            developer TEXT)
    items  (pos INTEGER PRIMARY KEY,           -- an app's ``search --json`` item up to its
            featured INTEGER, pre TEXT,        -- "store" (``searchjson.cards``): the name and
            en TEXT, zh TEXT, post TEXT)       -- summary lines in English and Chinese (NULL:
                                               -- the English ones) between the rest
    cats  (cat TEXT, pos INTEGER, PRIMARY KEY (cat, pos)) WITHOUT ROWID
    words USING fts5(text)  -- contentless, rowid = pos: names, id, summaries, developer, categories
    names USING fts5(text)  -- contentless, rowid = pos: the names alone (the first group)

Two FTS tables rather than one with two columns: a column filter makes FTS5 read a term's whole
list of rows, which costs milliseconds for a word in every app.

Ranks are sparse (``GAP`` apart when built) so that ``reindex.update`` can change a few apps in
place: a new app takes a rank between its neighbours' without renumbering the others. Rank order
is (not featured, English name, part, place in part): a catalogue's order for ties, as a full
build sorts them. A connection notices another's commit (``PRAGMA data_version``) and raises
``IndexChanged`` rather than mix two catalogues' rows in one search.
"""

from __future__ import annotations

import heapq
import json
import sqlite3
import threading
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from json.encoder import encode_basestring as _q
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

from appstore.core.catalog.indexwrite import SCHEMA
from appstore.core.catalog.models import Localized
from appstore.core.catalog.search import is_cjk, query_words
from appstore.core.catalog.searchjson import FEATURED, LANGS, item, with_ref
from appstore.core.errors import CatalogError

FILE_NAME = "catalog.sqlite3"
LAST = 2**63 - 1


def _quote(word: str) -> str:
    """An FTS5 query term for one query word (letters, digits or Chinese: no quotes inside)."""
    if is_cjk(word):
        return '"' + " ".join(word) + '"'  # the characters in a row: a substring
    return f'"{word}"*'  # the start of a word


class IndexChanged(CatalogError):
    """The index was brought to another catalogue while this search read it."""


T = TypeVar("T")


class Ranks(Generic[T]):
    """A value per rank (sparse ``apps.pos``), looked up by rank: what ``order`` and
    ``sort_keys`` give (a list indexed by rank when ranks were dense)."""

    __slots__ = ("_pos", "_values")

    def __init__(self, pos: array[int], values: Sequence[T]) -> None:
        self._pos, self._values = pos, values

    def __getitem__(self, pos: int) -> T:
        i = bisect_left(self._pos, pos)
        if i == len(self._pos) or self._pos[i] != pos:
            raise KeyError(pos)
        return self._values[i]

    def __len__(self) -> int:
        return len(self._pos)

    def values(self) -> list[T]:
        """The values in rank order."""
        return list(self._values)

    def ranks(self) -> list[int]:
        return list(self._pos)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Ranks) and self._pos == other._pos
                and list(self._values) == list(other._values))

    __hash__ = None  # type: ignore[assignment]


class Row(NamedTuple):
    """What a search result shows without the catalogue (the CLI's ``search``). A named
    tuple: a search may make 100,000, and a frozen dataclass's ``__init__`` costs 4x more."""

    store: str  # local id of the store
    id: str
    featured: bool
    sortname: str
    name: Localized
    summary: Localized
    categories: tuple[str, ...]
    kind: str
    version: str | None


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
        self._version = con.execute("PRAGMA data_version").fetchone()[0]
        self._json_each = True  # False once this SQLite turned out to lack JSON

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
            rows = self._con.execute(sql, args).fetchall()
            # After the statement (which held a read lock): a commit since this index was
            # opened means these rows may be of another catalogue than the ones before.
            if self._con.execute("PRAGMA data_version").fetchone()[0] != self._version:
                raise IndexChanged("the store's catalogue changed during this search; "
                                   "search again")
            return rows

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
        last = LAST if until is None else until
        if match is None and category is None:
            sql = "SELECT pos FROM apps WHERE pos > ? AND pos <= ? ORDER BY pos LIMIT ?"
            args: list[Any] = [after, last, limit]
        elif match is None:
            sql = "SELECT pos FROM cats WHERE cat = ? AND pos > ? AND pos <= ? ORDER BY pos LIMIT ?"
            args = [category, after, last, limit]
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

    def order(self) -> Ranks[int]:
        """Each rank's app's position in the catalogue (``ranks[pos]``)."""
        rows = self._query("SELECT a.pos, s.base + a.at FROM apps a JOIN shards s "
                           "ON s.no = a.shard ORDER BY a.pos", [])
        return Ranks(array("q", [r[0] for r in rows]), array("q", [r[1] for r in rows]))

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

    def json_items(self, positions: Sequence[int], lang: str, clash: set[str]) -> list[str]:
        """The ``search --json`` items of these ranks, in the order given, read as kept
        (``searchjson.cards``; ids in ``clash`` become STORE/ID)."""
        if lang not in LANGS or not self._json_each:  # (the CLI speaks only LANGS)
            return [item(f"{r.store}/{r.id}" if r.id in clash else r.id, r.id, r.name,
                         r.summary, r.categories, r.kind, r.version, r.store, r.featured, lang)
                    for r in self.rows(positions)]
        card = "pre || en || post" if lang == "en" else "pre || coalesce(zh, en) || post"
        store = _q(self.store)
        # the ranks as one JSON array (json_each): binding 500 parameters costs more
        ranks = "FROM json_each(?) j JOIN items i ON i.pos = j.value"
        out: list[str] = []
        try:
            for at in range(0, len(positions), 500):
                part = json.dumps(list(positions[at:at + 500]))
                if clash:
                    got = self._query(f"SELECT a.id, {card}, i.featured {ranks} "
                                      "JOIN apps a ON a.pos = i.pos ORDER BY j.key", [part])
                    made = [(with_ref(head, app_id, f"{self.store}/{app_id}")
                             if app_id in clash else head) + store + FEATURED[featured]
                            for app_id, head, featured in got]
                else:  # the item made whole by SQLite: one string per result
                    made = [r[0] for r in self._query(
                        f"SELECT {card} || ? || iif(i.featured, ?, ?) {ranks} ORDER BY j.key",
                        [store, FEATURED[1], FEATURED[0], part])]
                if len(made) != min(500, len(positions) - at):
                    raise KeyError("a rank that is not in the index")
                out.extend(made)
        except sqlite3.OperationalError as e:  # an SQLite without JSON: laid out here
            if "json_each" not in str(e):
                raise
            self._json_each = False
            return self.json_items(positions, lang, clash)
        return out

    def sort_keys(self) -> Ranks[tuple[bool, str]]:
        """The default-order key of each rank (``keys[pos]``: to merge several stores' results)."""
        rows = self._query("SELECT pos, featured, sortname FROM apps ORDER BY pos", [])
        return Ranks(array("q", [r[0] for r in rows]), [(not f, n) for _, f, n in rows])

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
