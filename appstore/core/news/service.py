"""News: each store's signed feed and the user's own feeds, kept readable offline.

``News`` is what both fronts use. Refreshing fetches every feed (a few at a time), each on its
own: a feed that fails records its error and the others carry on. A store's feed is the
store's signed target ``news/feed.xml``, fetched and verified through the store's client; a
user's feed is fetched by address with a conditional request. What a feed gives is parsed,
sanitised and stored (``db.NewsDB``), then the pictures the stored items show are fetched into
``DATA/news/images`` by our code, within size caps (``images.ImageCache``). All of it is disk
and network I/O: call it off the GUI thread.
"""

from __future__ import annotations

import hashlib
import threading
import urllib.parse
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appstore.core.activity import Activity, ActivityLog
from appstore.core.errors import AppStoreError, NotFound, shorten
from appstore.core.logs import redact
from appstore.core.news.db import ROW_COLUMNS, ROW_WIDTH, ItemRow, NewsDB, row_of, shown_in
from appstore.core.news.limits import DEFAULT_LIMITS, FeedLimits, NewsError
from appstore.core.news.records import Feed, FeedOutcome, Item, Share
from appstore.core.store.config import now_iso

if TYPE_CHECKING:
    from appstore.core.news.fetch import FeedFetcher
    from appstore.core.news.images import ImageCache
    from appstore.core.news.parse import Entry, Parsed
    from appstore.core.news.search import SearchTexts
    from appstore.core.paths import Paths
    from appstore.core.store.manager import Stores

# Fetching (the store fetcher, TUF, urllib), parsing (feedparser) and sanitising (nh3) load when
# first used: opening the news and counting what is unread, as every start does, needs none.

STORE_TARGET = "news/feed.xml"
STORE_PREFIX = "store:"  # a store's feed is kept under the address "store:ID"
RETAIN_PER_FEED = 500  # items kept per feed, newest first (read state goes with them)
MAX_USER_FEEDS = 200
PARALLEL = 6  # feeds fetched at once


def check_feed_url(url: str) -> str:
    """A feed address as the user typed it, normalised; ``NewsError`` says what is wrong."""
    url = url.strip()
    help_ = "use https://host/feed.xml, http://… or file:///path/feed.xml"
    if not url or len(url) > 2000 or any(c.isspace() or not c.isprintable() for c in url):
        raise NewsError(f"{shorten(redact(url))!r} is not a feed address ({help_})")
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - checks the port
    except ValueError as e:
        raise NewsError(f"{shorten(redact(url))!r} is not a feed address ({e})") from None
    if parts.scheme in ("http", "https"):
        if not parts.hostname:
            raise NewsError(f"{shorten(url)!r} names no host ({help_})")
        if parts.username is not None or parts.password is not None:
            raise NewsError("remove the user name and password from the feed's address")
    elif parts.scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise NewsError("a file address looks like file:///path/to/feed.xml")
    else:
        raise NewsError(f"{shorten(redact(url))!r} is not a feed address ({help_})")
    return url


class News:
    """Feeds, items and read state. Safe to use from several threads; refreshes are
    serialised (a second one waits for the first)."""

    def __init__(self, paths: Paths, stores: Stores | None, activity: ActivityLog | None,
                 limits: FeedLimits = DEFAULT_LIMITS) -> None:
        self.dir = paths.root / "news"
        self.images_dir = self.dir / "images"
        self.stores = stores
        self.activity = activity
        self.limits = limits
        self.db = NewsDB(self.dir / "news.sqlite3")
        self._fetcher: FeedFetcher | None = None
        self._images: ImageCache | None = None
        self._making = threading.Lock()
        self._refreshing = threading.Lock()
        self.retain = RETAIN_PER_FEED

    @property
    def fetcher(self) -> FeedFetcher:
        """What fetches feeds and pictures (made on first use)."""
        if self._fetcher is None:
            with self._making:
                if self._fetcher is None:
                    from appstore.core.news.fetch import FeedFetcher as Made

                    self._fetcher = Made(self.limits)
        return self._fetcher

    @property
    def images(self) -> ImageCache:
        """The pictures the items show (made on first use)."""
        if self._images is None:
            fetcher = self.fetcher
            with self._making:
                if self._images is None:
                    from appstore.core.news.images import ImageCache as Made

                    self._images = Made(self.db, self.images_dir, fetcher, self.limits, self.stores)
        return self._images

    def close(self) -> None:
        self.db.close()

    # -- feeds ---------------------------------------------------------------------------
    def feeds(self, lang: str | None = None) -> list[Feed]:
        """The feeds with their counts (``lang``: counting each story once, as ``items``)."""
        shown, params = shown_in(lang)
        rows = self.db.query(
            "SELECT f.url, f.title, f.store, f.last_success, f.last_attempt, f.error, f.warning, "
            "count(i.id), coalesce(sum(i.read = 0), 0) FROM feeds f LEFT JOIN items i "
            f"ON i.feed = f.id AND {shown} GROUP BY f.id ORDER BY f.store = '', f.id", params)
        return [Feed(str(r[0]), str(r[1]), str(r[2]), _opt(r[3]), _opt(r[4]), _opt(r[5]),
                     _opt(r[6]), int(r[7] or 0), int(r[8] or 0)) for r in rows]

    def feed(self, url: str) -> Feed:
        for f in self.feeds():
            if f.url == url:
                return f
        raise NotFound(f"no feed {shorten(url)!r}; `news feeds` lists them")

    def add_feed(self, url: str) -> Feed:
        """Follow a feed (it is fetched by the next refresh)."""
        url = check_feed_url(url)
        with self.db.write() as db:
            n = db.execute("SELECT count(*) FROM feeds WHERE store = ''").fetchone()[0]
            if db.execute("SELECT 1 FROM feeds WHERE url = ?", (url,)).fetchone():
                raise NewsError(f"{shorten(url)} is already one of your feeds")
            if n >= MAX_USER_FEEDS:
                raise NewsError(f"you follow {n} feeds, the most imapp keeps; remove one first")
            db.execute("INSERT INTO feeds (url, added) VALUES (?, ?)", (url, now_iso()))
        return self.feed(url)

    def remove_feed(self, url: str) -> None:
        """Stop following a feed the user added; its items and their pictures go too."""
        url = url.strip()
        rows = self.db.query("SELECT id, store FROM feeds WHERE url = ?", (url,))
        if not rows:
            raise NotFound(f"no feed {shorten(url)!r} to remove; `news feeds` lists them")
        if rows[0][1]:
            raise NewsError("a store's own news goes when the store is removed (`store remove`)")
        self._drop_feed(int(rows[0][0]))
        self.images.sweep()

    def _drop_feed(self, feed_id: int) -> None:
        with self.db.write() as db:
            if self.db.fts:
                db.execute("DELETE FROM items_fts WHERE rowid IN (SELECT id FROM items WHERE "
                           "feed = ?)", (feed_id,))
            db.execute("DELETE FROM items WHERE feed = ?", (feed_id,))
            db.execute("DELETE FROM images WHERE feed = ?", (feed_id,))
            db.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))

    # -- refresh -------------------------------------------------------------------------
    def refresh(self, urls: Sequence[str] | None = None, *,
                cancelled: Callable[[], bool] | None = None,
                images: bool = True) -> list[FeedOutcome]:
        """Fetch every feed (or those named), then the pictures their items show."""
        with self._refreshing:
            targets = self._sync_store_feeds()
            rows = self.db.query("SELECT id, url, store, etag, last_modified FROM feeds")
            todo = [r for r in rows if urls is None or r[1] in urls]
            outcomes: list[FeedOutcome] = []

            def one(r: Any) -> FeedOutcome:
                if cancelled is not None and cancelled():
                    return FeedOutcome(str(r[1]), error="cancelled")
                return self._refresh_one(int(r[0]), str(r[1]), str(r[2]),
                                         _opt(r[3]), _opt(r[4]), targets)

            if len(todo) <= 1:
                outcomes = [one(r) for r in todo]
            else:
                with ThreadPoolExecutor(min(PARALLEL, len(todo)), "news") as pool:
                    outcomes = list(pool.map(one, todo))
            if images and not (cancelled is not None and cancelled()):
                self.fetch_images(cancelled=cancelled)
            return outcomes

    def _sync_store_feeds(self) -> dict[str, str]:
        """Feeds for the stores configured now (a removed store's news goes with it)."""
        if self.stores is None:
            return {}
        stores = {s.id for s in self.stores.config.stores}
        have = {str(r[1]): int(r[0]) for r in self.db.query(
            "SELECT id, store FROM feeds WHERE store != ''")}
        for store, feed_id in have.items():
            if store not in stores:
                self._drop_feed(feed_id)
        with self.db.write() as db:
            for store in sorted(stores - set(have)):
                db.execute("INSERT OR IGNORE INTO feeds (url, store, added) VALUES (?, ?, ?)",
                           (STORE_PREFIX + store, store, now_iso()))
        return {STORE_PREFIX + s: s for s in stores}

    def _refresh_one(self, feed_id: int, url: str, store: str, etag: str | None,
                     last_modified: str | None, stores: dict[str, str]) -> FeedOutcome:
        attempt = now_iso()
        try:
            if store:
                parsed, new_etag, new_modified = self._fetch_store_feed(store, etag)
            else:
                parsed, new_etag, new_modified = self._fetch_user_feed(url, etag, last_modified)
        except AppStoreError as e:
            message = e.message if isinstance(e, NotFound) else str(e)
            if isinstance(e, NotFound) and store:  # the store publishes no news: not an error
                message = ""
            self._save_feed(feed_id, attempt=attempt, error=message or None,
                            success=not message)
            return FeedOutcome(url, error=message or None)
        except Exception as e:  # a bug in one feed must not stop the others
            from appstore.core.logs import report_bug

            message = report_bug(e, f"the feed {shorten(url)}")
            self._save_feed(feed_id, attempt=attempt, error=message)
            return FeedOutcome(url, error=message)
        if parsed is None:  # unchanged
            self._save_feed(feed_id, attempt=attempt, success=True, error=None)
            return FeedOutcome(url)
        new = self._store_entries(feed_id, parsed.entries)
        self._save_feed(feed_id, attempt=attempt, success=True, error=None, etag=new_etag,
                        modified=new_modified, title=parsed.title, link=parsed.link,
                        warning=parsed.warning)
        return FeedOutcome(url, new, True)

    def _fetch_user_feed(self, url: str, etag: str | None, modified: str | None
                         ) -> tuple[Parsed | None, str | None, str | None]:
        from appstore.core.news.parse import parse

        got = self.fetcher.get(url, etag=etag, last_modified=modified)
        if got.data is None:
            return None, etag, modified
        parsed = parse(got.data, url=url, base=got.url or url, content_type=got.content_type)
        return parsed, got.etag, got.last_modified

    def _fetch_store_feed(self, store: str, digest: str | None
                          ) -> tuple[Parsed | None, str | None, str | None]:
        from appstore.core.news.parse import parse
        from appstore.core.news.sanitize import STORE_SCHEME

        assert self.stores is not None
        path = self.stores.client(store).fetch_target(STORE_TARGET,
                                                      max_length=self.limits.feed_bytes)
        data = path.read_bytes()
        new_digest = "sha256:" + hashlib.sha256(data).hexdigest()
        if new_digest == digest:
            return None, digest, None
        base = f"{STORE_SCHEME}://{store}/{STORE_TARGET}"
        return parse(data, url=base, store_links=True), new_digest, None

    def _save_feed(self, feed_id: int, *, attempt: str, success: bool = False,
                   error: str | None = None, etag: str | None = None, modified: str | None = None,
                   title: str | None = None, link: str | None = None,
                   warning: str | None = None) -> None:
        with self.db.write() as db:
            db.execute("UPDATE feeds SET last_attempt = ?, error = ? WHERE id = ?",
                       (attempt, error, feed_id))
            if success:
                db.execute("UPDATE feeds SET last_success = ? WHERE id = ?", (attempt, feed_id))
            if title is not None:
                db.execute("UPDATE feeds SET etag = ?, last_modified = ?, title = ?, link = ?, "
                           "warning = ? WHERE id = ?",
                           (etag, modified, title, link or "", warning, feed_id))

    def _store_entries(self, feed_id: int, entries: list[Entry]) -> int:
        """Insert new entries, update changed ones (their read state kept), keep the newest
        ``retain``; the number of new entries."""
        from appstore.core.news.search import body_text

        now = now_iso()
        new = 0
        with self.db.write() as db:
            for e in entries:
                old = db.execute("SELECT id, published, dated FROM items WHERE feed = ? AND "
                                 "guid = ?", (feed_id, e.guid)).fetchone()
                published = e.published or (old[1] if old else now)
                dated = 1 if e.published else (old[2] if old else 0)
                values = (e.title, e.link, e.author, published, dated, e.summary, e.content,
                          e.image, e.lang, e.story)
                if old:
                    db.execute("UPDATE items SET title = ?, link = ?, author = ?, published = ?, "
                               "dated = ?, summary = ?, content = ?, image = ?, lang = ?, story = ? "
                               "WHERE id = ?", (*values, old[0]))
                    item_id = int(old[0])
                    if self.db.fts:
                        db.execute("DELETE FROM items_fts WHERE rowid = ?", (item_id,))
                else:
                    cur = db.execute("INSERT INTO items (feed, guid, title, link, author, "
                                     "published, dated, summary, content, image, lang, story) "
                                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                     (feed_id, e.guid, *values))
                    item_id = int(cur.lastrowid or 0)
                    new += 1
                if self.db.fts:
                    db.execute("INSERT INTO items_fts (rowid, title, body) VALUES (?, ?, ?)",
                               (item_id, e.title.casefold(), body_text(e)))
                for key, url in e.images.items():
                    db.execute("INSERT OR IGNORE INTO images (key, url, feed) VALUES (?, ?, ?)",
                               (key, url, feed_id))
            extra = [r[0] for r in db.execute(
                "SELECT id FROM items WHERE feed = ? ORDER BY published DESC, id DESC "
                "LIMIT -1 OFFSET ?", (feed_id, self.retain)).fetchall()]
            for i in range(0, len(extra), 500):
                chunk = extra[i:i + 500]
                marks = ",".join("?" * len(chunk))
                db.execute(f"DELETE FROM items WHERE id IN ({marks})", chunk)
                if self.db.fts:
                    db.execute(f"DELETE FROM items_fts WHERE rowid IN ({marks})", chunk)
        if extra:
            self.images.sweep()
        return new

    # -- images --------------------------------------------------------------------------
    def image_path(self, key: str) -> Path | None:
        """The cached picture ``news-image:KEY`` stands for, if it was fetched."""
        return self.images.path(key)

    def fetch_images(self, *, limit: int = 200,
                     cancelled: Callable[[], bool] | None = None) -> int:
        """Fetch pictures not cached yet; the number fetched."""
        return self.images.fetch(limit=limit, cancelled=cancelled)

    # -- reading -------------------------------------------------------------------------
    def items(self, *, unread: bool = False, query: str = "", feed: str | None = None,
              limit: int = -1, lang: str | None = None) -> list[ItemRow]:
        """The items, newest first (a missing date counts as the day imapp first saw it).
        ``lang`` (``en``, ``zh_CN``): each story once, in that language when the feed has it,
        else in English, else in its first language; ``None``: every item."""
        return self.db.rows(unread=unread, query=query, feed_url=feed, limit=limit, lang=lang)

    def matching(self, query: str) -> set[int]:
        """The ids of the items a search finds (for filtering a list already loaded)."""
        return self.db.matching_ids(query)

    def search_texts(self) -> SearchTexts:
        """Each item's folded searchable text (title, summary, author, the start of its text),
        for ``matches``: search-as-you-type over a loaded list without a query per keystroke."""
        from appstore.core.news.search import SearchTexts

        if self.db.fts:
            rows = self.db.query("SELECT rowid, title || char(10) || body FROM items_fts")
        else:
            rows = self.db.query("SELECT id, lower(title || char(10) || summary || char(10) || "
                                 "author) FROM items")
        return SearchTexts({int(r[0]): str(r[1]) for r in rows})

    def item(self, item_id: int) -> Item:
        rows = self.db.query(
            f"SELECT {ROW_COLUMNS}, i.author, i.content, f.store, i.guid FROM items i "
            "JOIN feeds f ON f.id = i.feed WHERE i.id = ?", (item_id,))
        if not rows:
            raise NotFound(f"no news item {item_id}; `news` lists them")
        r, w = rows[0], ROW_WIDTH
        return Item(row_of(r), str(r[w]), str(r[w + 1]), str(r[w + 2]), str(r[w + 3]))

    def unread_count(self, lang: str | None = None) -> int:
        """Unread items (``lang``: stories, as ``items`` lists them)."""
        shown, params = shown_in(lang)
        return int(self.db.query(f"SELECT count(*) FROM items i WHERE i.read = 0 AND {shown}",
                                 params)[0][0])

    def mark_read(self, item_id: int, read: bool = True) -> None:
        """Mark an item read (or unread), with its translations: one story, one read state."""
        with self.db.write() as db:
            db.execute("UPDATE items SET read = ? WHERE id = ? OR (story != '' AND (feed, story) IN "
                       "(SELECT feed, story FROM items WHERE id = ? AND story != ''))",
                       (int(read), item_id, item_id))

    def mark_all_read(self, feed: str | None = None) -> int:
        """Mark every item (of one feed) read; how many were unread."""
        with self.db.write() as db:
            if feed is None:
                cur = db.execute("UPDATE items SET read = 1 WHERE read = 0")
            else:
                cur = db.execute("UPDATE items SET read = 1 WHERE read = 0 AND feed = (SELECT id "
                                 "FROM feeds WHERE url = ?)", (feed,))
            return int(cur.rowcount)

    def share(self, item_id: int) -> Share:
        """The text Share copies, and the ``forward`` activity recorded (a store's item counts
        for that store; ``app_id`` is ``news:`` and a hash of the item's id)."""
        from appstore.core.news.sanitize import plain

        item = self.item(item_id)
        link = item.row.link
        summary = plain(item.row.summary, 140)
        text = "\n".join(p for p in (item.row.title, summary, link) if p)
        event = None
        if self.activity is not None:
            ref = hashlib.sha256(f"{item.row.feed_url}\n{item.guid}".encode()).hexdigest()[:16]
            event = self.activity.record(Activity.FORWARD, item.store, f"news:{ref}")
        return Share(text, link, event)


def _opt(value: object) -> str | None:
    return None if value is None else str(value)
