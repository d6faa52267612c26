"""The news image cache (``DATA/news/images/KE/KEY``): the pictures stored items show, fetched
by our code within size caps, and swept when no item shows them any more (docs/news.md#pictures).
Disk and network I/O: call it off the GUI thread."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appstore.core.errors import AppStoreError, shorten
from appstore.core.fileio import write_bytes_atomic
from appstore.core.logs import log
from appstore.core.news.db import NewsDB
from appstore.core.news.fetch import FeedFetcher
from appstore.core.news.limits import FeedLimits, NewsError
from appstore.core.news.sanitize import IMAGE_SCHEME, STORE_SCHEME, data_image

if TYPE_CHECKING:
    from appstore.core.store.manager import Stores

PARALLEL = 6  # pictures fetched at once
IMAGE_TRIES = 3
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")
_IMAGE_REF = re.compile(re.escape(IMAGE_SCHEME) + r":([0-9A-Za-z]+)")


class ImageCache:
    """The cached pictures and their ledger (the ``images`` table of ``db``)."""

    def __init__(self, db: NewsDB, folder: Path, fetcher: FeedFetcher, limits: FeedLimits,
                 stores: Stores | None) -> None:
        self.db = db
        self.dir = folder
        self.fetcher = fetcher
        self.limits = limits
        self.stores = stores

    def path(self, key: str) -> Path | None:
        """The cached picture ``news-image:KEY`` stands for, if it was fetched."""
        if not key.isalnum() or len(key) > 64:
            return None
        path = self.dir / key[:2] / key
        return path if path.is_file() else None

    def fetch(self, *, limit: int = 200, cancelled: Callable[[], bool] | None = None) -> int:
        """Fetch pictures not cached yet; the number fetched."""
        rows = self.db.query(
            "SELECT key, url, feed FROM images WHERE state = 'wanted' AND tries < ? "
            "ORDER BY rowid DESC LIMIT ?",
            (IMAGE_TRIES, limit))
        if not rows:
            return 0
        stores = {int(r[0]): str(r[1]) for r in self.db.query("SELECT id, store FROM feeds")}

        def one(r: Any) -> bool:
            if cancelled is not None and cancelled():
                return False
            key, url, feed = str(r[0]), str(r[1]), int(r[2])
            try:
                data = self._bytes(url, stores.get(feed, ""))
                if not data.startswith(_IMAGE_MAGIC) and not (
                        data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
                    raise NewsError("it is not a PNG, JPEG, GIF or WebP picture")
                write_bytes_atomic(self.dir / key[:2] / key, data, fsync=False)
                with self.db.write() as db:
                    db.execute("UPDATE images SET state = 'ok', error = NULL WHERE key = ?", (key,))
                return True
            except (AppStoreError, OSError) as e:
                with self.db.write() as db:
                    db.execute("UPDATE images SET tries = tries + 1, error = ?, state = CASE WHEN "
                               "tries + 1 >= ? THEN 'failed' ELSE 'wanted' END WHERE key = ?",
                               (shorten(str(e), 300), IMAGE_TRIES, key))
                return False

        with ThreadPoolExecutor(PARALLEL, "news-images") as pool:
            return sum(pool.map(one, rows))

    def _bytes(self, url: str, store: str) -> bytes:
        cap = self.limits.image_bytes
        if url.lower().startswith("data:"):
            data = data_image(url)
            if data is None or len(data) > cap:
                raise NewsError("the inline picture is not one imapp shows")
            return data
        if url.startswith(STORE_SCHEME + "://"):
            parts = urllib.parse.urlsplit(url)
            if self.stores is None or parts.netloc != store:
                raise NewsError("a picture from another store")
            return self.stores.client(store).fetch_target(parts.path.lstrip("/"),
                                                          max_length=cap).read_bytes()
        got = self.fetcher.get(url, max_bytes=cap, deadline=self.limits.image_deadline,
                               accept="image/png, image/jpeg, image/gif, image/webp")
        return got.data or b""

    def sweep(self) -> None:
        """Forget pictures no stored item shows any more, and delete their files."""
        with self.db.write() as db:
            keys = [str(r[0]) for r in db.execute("SELECT key FROM images").fetchall()]
            used: set[str] = set()
            for (content, image) in db.execute("SELECT content, image FROM items"):
                if image:
                    used.add(image)
                if IMAGE_SCHEME in content:
                    used.update(_IMAGE_REF.findall(content))
            gone = [k for k in keys if k not in used]
            db.executemany("DELETE FROM images WHERE key = ?", [(k,) for k in gone])
        kept = set(keys) - set(gone)
        try:
            files = [p for d in self.dir.iterdir() if d.is_dir() for p in d.iterdir()]
        except OSError:
            files = []
        for path in files:
            if path.name not in kept:
                try:
                    path.unlink(missing_ok=True)
                except OSError as e:
                    log.info("could not delete a cached news picture: %s", e)
