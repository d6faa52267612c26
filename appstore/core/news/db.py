"""The news database (``DATA/news/news.sqlite3``): feeds, items with their read state, the
search index and the image cache's ledger. Schema in docs/news.md."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appstore.core.errors import ConfigError
from appstore.core.sqlite import open_database

_SCHEMA_1 = """
CREATE TABLE IF NOT EXISTS feeds (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    store TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    link TEXT NOT NULL DEFAULT '',
    etag TEXT,
    last_modified TEXT,
    last_attempt TEXT,
    last_success TEXT,
    error TEXT,
    warning TEXT,
    added TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY,
    feed INTEGER NOT NULL,
    guid TEXT NOT NULL,
    title TEXT NOT NULL,
    link TEXT NOT NULL,
    author TEXT NOT NULL,
    published TEXT NOT NULL,
    dated INTEGER NOT NULL,
    summary TEXT NOT NULL,
    content TEXT NOT NULL,
    image TEXT NOT NULL,
    read INTEGER NOT NULL DEFAULT 0,
    UNIQUE (feed, guid)
);
CREATE INDEX IF NOT EXISTS items_newest ON items (published DESC, id DESC);
CREATE INDEX IF NOT EXISTS items_unread ON items (read, published DESC);
CREATE TABLE IF NOT EXISTS images (
    key TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    feed INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'wanted',
    error TEXT,
    tries INTEGER NOT NULL DEFAULT 0
);
"""
# 2: each item's language and story key (translations of one story share it; docs/news.md,
# "Languages"); every feed is read again on the next refresh to fill them in.
_SCHEMA_2 = """
ALTER TABLE items ADD COLUMN lang TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN story TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS items_story ON items (feed, story) WHERE story != '';
UPDATE feeds SET etag = NULL, last_modified = NULL
"""
_FTS = "CREATE VIRTUAL TABLE IF NOT EXISTS items_fts USING fts5(title, body, tokenize='trigram')"
_LIKE_SPECIAL = re.compile(r"[%_\\]")
ROW_COLUMNS = ("i.id, f.title, f.url, i.title, i.link, i.published, i.read, i.summary, i.image, "
               "i.lang")
ROW_WIDTH = 10  # the columns ROW_COLUMNS selects


def shown_in(lang: str | None, alias: str = "i") -> tuple[str, list[object]]:
    """SQL condition (and its parameters) true for the items a reader of ``lang`` sees: each
    story once, in their language when the feed has it, else in English, else its first entry
    (``None``: every item, translations too). One pass over the stories (a window function),
    not a subquery per item."""
    if lang is None:
        return "1", []
    primary = lang.lower().replace("_", "-").split("-")[0]
    if not primary.isalpha():
        primary = "en"
    rank = ("CASE WHEN lang = ? OR lang LIKE ? || '-%' THEN 0 "
            "WHEN lang = 'en' OR lang LIKE 'en-%' THEN 1 ELSE 2 END")
    cond = (f"({alias}.story = '' OR {alias}.id IN (SELECT id FROM (SELECT id, row_number() OVER "
            f"(PARTITION BY feed, story ORDER BY {rank}, id) AS n FROM items WHERE story != '') "
            "WHERE n = 1))")
    return cond, [primary, primary]


@dataclass(frozen=True, slots=True)
class ItemRow:
    """One line of the list (what ``news --json`` shows, and the GUI's model holds)."""

    id: int
    feed: str  # the feed's title (or address)
    feed_url: str
    title: str
    link: str
    published: str
    read: bool
    summary: str
    image: str  # news-image key, or ""
    lang: str = ""  # its language ("en", "zh-cn"), or "" when the feed does not say


def row_of(r: Sequence[Any]) -> ItemRow:
    """An ``ItemRow`` from the first columns of a row selected with ``ROW_COLUMNS``."""
    return ItemRow(int(r[0]), str(r[1] or r[2]), str(r[2]), str(r[3]), str(r[4]), str(r[5]),
                   bool(r[6]), str(r[7]), str(r[8]), str(r[9]))


class NewsDB:
    """The connection and its lock; every method is safe from any thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.RLock()
        self._db = open_database(path, [_SCHEMA_1, _SCHEMA_2],
                                 if_damaged="move it away; imapp fetches the news again")
        self.fts = self._make_fts()

    def _make_fts(self) -> bool:
        """A trigram full-text index if this SQLite has one (3.34+ with FTS5), else searches
        scan the items (slower, same answers)."""
        try:
            self._db.execute(_FTS)
            return True
        except sqlite3.OperationalError:
            return False

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            try:
                with self._db:
                    self._db.execute("BEGIN IMMEDIATE")
                    yield self._db
            except sqlite3.OperationalError as e:
                raise ConfigError(f"could not save the news in {self.path} ({e}); check that the "
                                  "data dir is writable") from None

    def query(self, sql: str, params: Iterable[object] = ()) -> list[Any]:
        with self.lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    def close(self) -> None:
        with self.lock:
            self._db.close()

    # -- items ---------------------------------------------------------------------------
    def _matching(self, query: str) -> tuple[list[str], list[object]]:
        """SQL conditions on ``i.id`` for every word of ``query`` (a substring of the title,
        summary, author or text, in any case): the trigram index for words of three
        characters or more, a scan of the index's folded text for shorter ones."""
        where: list[str] = []
        params: list[object] = []
        for word in [w for w in query.casefold().split() if w][:8]:
            if self.fts and len(word) >= 3:
                where.append("i.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)")
                params.append('"' + word.replace('"', '""') + '"')
            elif self.fts:  # the index holds folded text: no lower() per row
                where.append("i.id IN (SELECT rowid FROM items_fts WHERE instr(title, ?) "
                             "OR instr(body, ?))")
                params += [word, word]
            else:
                like = "%" + _LIKE_SPECIAL.sub(lambda m: "\\" + m.group(0), word) + "%"
                where.append("(lower(i.title) LIKE ? ESCAPE '\\' OR lower(i.summary) LIKE ? "
                             "ESCAPE '\\' OR lower(i.content) LIKE ? ESCAPE '\\')")
                params += [like, like, like]
        return where, params

    def matching_ids(self, query: str) -> set[int]:
        """The ids of the items ``query`` finds (what search-as-you-type filters with)."""
        where, params = self._matching(query)
        if not where:
            return {int(r[0]) for r in self.query("SELECT id FROM items")}
        sql = "SELECT i.id FROM items i WHERE " + " AND ".join(where)
        return {int(r[0]) for r in self.query(sql, params)}

    def rows(self, *, unread: bool = False, query: str = "", feed_url: str | None = None,
             limit: int = -1, lang: str | None = None) -> list[ItemRow]:
        """The items, newest first; ``lang``: each story once, for a reader of that language."""
        shown, params = shown_in(lang)
        where: list[str] = [shown]
        if unread:
            where.append("i.read = 0")
        if feed_url is not None:
            where.append("f.url = ?")
            params.append(feed_url)
        found, found_params = self._matching(query)
        where += found
        params += found_params
        sql = (f"SELECT {ROW_COLUMNS} FROM items i JOIN feeds f ON f.id = i.feed "
               + (("WHERE " + " AND ".join(where)) if where else "")
               + " ORDER BY i.published DESC, i.id DESC LIMIT ?")
        params.append(limit)
        return [row_of(r) for r in self.query(sql, params)]
