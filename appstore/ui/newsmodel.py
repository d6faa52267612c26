"""The News page's data: ``NewsController`` (the core's ``News`` seen from the GUI, every call a
job) and ``NewsListModel`` (the list of items, a ``QAbstractListModel``).

Reads run in the reader lanes (``io`` for the list and an opened item with its pictures,
``search`` for searches, newest query wins); writes (refresh, read state, feeds, share) run
one at a time in the ``news`` writer lane. The GUI thread never touches the database, the
image cache or the network.
"""

from __future__ import annotations

import itertools
import operator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QImage

from appstore.core.jobs import JobContext
from appstore.ui import texts
from appstore.ui.controller import Controller

if TYPE_CHECKING:  # the core's news (feedparser, nh3, the store fetcher) loads in the jobs
    from appstore.core.news import Feed, FeedOutcome, Item, ItemRow, News, SearchTexts, Share

REFRESH_EVERY_MS = 30 * 60 * 1000  # feeds are fetched again every half hour
MAX_IMAGE_WIDTH = 1400  # pictures are decoded at most this wide (the pane scales them down)

ItemRole = Qt.ItemDataRole.UserRole + 1
ReadRole = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True)
class Opened:
    """An item ready to show: its pictures decoded (key -> image) off the GUI thread."""

    item: Item
    images: dict[str, QImage]


class NewsListModel(QAbstractListModel):
    """The items shown, newest first. ``DisplayRole``: the title; ``ItemRole``: the ``ItemRow``;
    ``ReadRole``: whether it was read."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.items: list[ItemRow] = []

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.items)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.items) or index.column() != 0:
            return None
        row = self.items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.feed} · {row.published[:10]}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{row.title}. {row.feed}, {row.published[:10]}"
        if role == ItemRole:
            return row
        if role == ReadRole:
            return row.read
        return None

    def set_items(self, items: list[ItemRow]) -> None:
        if len(items) == len(self.items) and all(map(operator.is_, items, self.items)):
            return  # the same rows (typing on, every item still matches): nothing to redo
        self.beginResetModel()
        self.items = list(items)
        self.endResetModel()

    def row_of(self, item_id: int) -> int:
        for i, r in enumerate(self.items):
            if r.id == item_id:
                return i
        return -1

    def set_read(self, item_id: int | None, read: bool = True) -> None:
        """Mark one item (``None``: every item) read in place."""
        changed = False
        for i, r in enumerate(self.items):
            if (item_id is None or r.id == item_id) and r.read != read:
                self.items[i] = replace(r, read=read)
                changed = True
                if item_id is not None:
                    idx = self.index(i)
                    self.dataChanged.emit(idx, idx, [ReadRole])
        if changed and item_id is None and self.items:
            self.dataChanged.emit(self.index(0), self.index(len(self.items) - 1), [ReadRole])


class NewsController(QObject):
    """Signals:

    * ``listed(object)``: a ``list[ItemRow]`` for the current query and filter.
    * ``opened(object)``: an ``Opened`` item (with its pictures decoded).
    * ``unread_changed(int)``: the number of unread items.
    * ``feeds_changed(object)``: a ``list[Feed]`` after a refresh or a change of feeds.
    * ``refreshing(bool)``: a refresh started or ended.
    * ``refreshed(object)``: a ``list[FeedOutcome]``.
    * ``shared(object)``: a ``Share`` (its text is on the clipboard).
    * ``failed(str)``: something to tell the user.
    """

    listed = Signal(object)
    opened = Signal(object)
    unread_changed = Signal(int)
    feeds_changed = Signal(object)
    refreshing = Signal(bool)
    refreshed = Signal(object)
    shared = Signal(object)
    failed = Signal(str)

    def __init__(self, controller: Controller, parent: QObject | None = None, *,
                 refresh_on_open: bool = True) -> None:
        super().__init__(parent)
        self.controller = controller
        self.refresh_on_open = refresh_on_open
        # each story once, in the GUI's language when its feed has it (a new window, a new one)
        self.lang = texts.language()
        self.query = ""
        self.unread_only = False
        self.unread = 0
        self.feeds: list[Feed] = []
        self.is_refreshing = False
        self._ready = False
        self._seq = itertools.count(1)
        self._latest = 0
        self._want_list = False
        self.all_rows: list[ItemRow] | None = None  # every item (for the unread filter)
        self.texts: SearchTexts | None = None  # what a search looks in
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_EVERY_MS)
        self._timer.timeout.connect(self.refresh)
        if controller.services is not None:
            self._open()
        else:
            controller.ready.connect(self._open)

    # -- opening -------------------------------------------------------------------------
    def _news(self) -> News:
        services = self.controller.services
        assert services is not None
        return services.news

    def _open(self) -> None:
        """Open the news database (a write: it may create it) and count the unread."""
        if self.controller.services is None or self._ready:
            return

        def opened(unread: int) -> None:
            self._ready = True
            self._set_unread(unread)
            if self._want_list:
                self.load()
            if self.refresh_on_open:
                self.refresh()
                self._timer.start()

        self._submit("news", lambda ctx: self._news().unread_count(self.lang), opened, "open news")

    def _submit(self, lane: str, fn: Any, on_done: Any, title: str, *, key: str | None = None,
                on_error: Any = None) -> None:
        """Run ``fn`` in ``lane``; its result goes to ``on_done``, an error to ``on_error``
        (by default ``failed``), each only while this object exists."""
        if on_error is None:
            on_error = lambda message, _: self.failed.emit(message)  # noqa: E731
        self.controller.jobs.submit(fn, lane=lane, title=title, key=key,
                                    on_done=self._alive(on_done), on_error=self._alive(on_error))

    def _alive(self, callback: Any) -> Any:
        """``callback``, run only while this object still exists: a job may finish after the
        window that made it was closed (its signals would have no source)."""
        def guarded(*args: Any) -> None:
            if shiboken6.isValid(self):
                callback(*args)
        return guarded

    def _set_unread(self, n: int) -> None:
        self.unread = n
        self.unread_changed.emit(n)

    # -- reading -------------------------------------------------------------------------
    def load(self, query: str | None = None, unread_only: bool | None = None) -> None:
        """List the items for a query and filter (the newest request wins). The whole list
        is read once (``io`` lane); a search then only asks which ids match (``search`` lane)
        and filters that list, so typing never waits for thousands of rows to be read."""
        reload = unread_only is not None and unread_only != self.unread_only
        if query is not None:
            self.query = query
        if unread_only is not None:
            self.unread_only = unread_only
        if not self._ready:
            self._want_list = True
            return
        seq = self._latest = next(self._seq)
        q, unread = self.query, self.unread_only
        if self.all_rows is not None and not reload and query is not None:
            texts = self.texts

            def found(ids: set[int] | None) -> None:
                if seq == self._latest and self.all_rows is not None:
                    self.listed.emit(self._filtered(ids))

            def search(ctx: JobContext) -> set[int] | None:
                from appstore.core.news import matches

                if not q:
                    return None
                return matches(texts, q) if texts is not None else self._news().matching(q)

            self._submit("search", search, found, "news search")
            return

        def read_all(ctx: JobContext) -> tuple[list[ItemRow], set[int] | None]:
            news = self._news()
            return news.items(unread=unread, lang=self.lang), (news.matching(q) if q else None)

        def done(result: tuple[list[ItemRow], set[int] | None]) -> None:
            if seq == self._latest:
                self.all_rows = [self._named(r) for r in result[0]]
                self.listed.emit(self._filtered(result[1]))
            if self.texts is None:  # for search-as-you-type, after the list is on screen
                self._submit("search", lambda ctx: self._news().search_texts(), self._use_texts,
                             "news search texts")

        self._submit("io", read_all, done, "news list")

    def _named(self, row: ItemRow) -> ItemRow:
        """A store's own feed is named after the store, in the GUI's language (the feed's title
        is in one language only)."""
        if not row.feed_url.startswith("store:"):
            return row
        name = texts.store_name(self.controller.view, row.feed_url[len("store:"):])
        return replace(row, feed=self.tr("%1 news").replace("%1", name))

    def _use_texts(self, texts: SearchTexts) -> None:
        self.texts = texts

    def _filtered(self, ids: set[int] | None) -> list[ItemRow]:
        rows = self.all_rows or []
        return list(rows) if ids is None else [r for r in rows if r.id in ids]

    def set_read_here(self, item_id: int | None, read: bool = True) -> None:
        """Keep the loaded list's read state as the database's (what a search filters)."""
        if self.all_rows is not None:
            self.all_rows = [replace(r, read=read) if item_id is None or r.id == item_id else r
                             for r in self.all_rows]

    def open(self, item_id: int, *, mark_read: bool = True) -> None:
        """Load an item and its pictures for the reader (and mark it read)."""
        if not self._ready:
            return

        def load(ctx: JobContext) -> Opened:
            from appstore.core.news.sanitize import IMAGE_SCHEME

            news = self._news()
            item = news.item(item_id)
            images: dict[str, QImage] = {}
            for part in item.content.split(f'src="{IMAGE_SCHEME}:')[1:]:
                key = part.split('"', 1)[0]
                path = news.image_path(key)
                if path is None or key in images:
                    continue
                image = QImage(str(path))
                if image.isNull():
                    continue
                if image.width() > MAX_IMAGE_WIDTH:
                    image = image.scaledToWidth(MAX_IMAGE_WIDTH,
                                                Qt.TransformationMode.SmoothTransformation)
                images[key] = image
            return Opened(item, images)

        def loaded(opened: Opened) -> None:
            item = replace(opened.item, row=self._named(opened.item.row))
            self.opened.emit(replace(opened, item=item))

        self._submit("io", load, loaded, "news item")
        if mark_read:
            self.mark_read(item_id, True)

    # -- writing -------------------------------------------------------------------------
    def mark_read(self, item_id: int, read: bool = True) -> None:
        self._mark(item_id, read, lambda news: news.mark_read(item_id, read), "mark read")

    def mark_all_read(self) -> None:
        self._mark(None, True, lambda news: news.mark_all_read(), "mark all read")

    def _mark(self, item_id: int | None, read: bool, change: Any, title: str) -> None:
        """Change the read state here at once and in the database (``change(news)``), then
        count the unread."""
        self.set_read_here(item_id, read)

        def write(ctx: JobContext) -> int:
            news = self._news()
            change(news)
            return news.unread_count(self.lang)

        self._submit("news", write, self._set_unread, title)

    def refresh(self, urls: list[str] | None = None) -> None:
        """Fetch every feed (or those named) now; the list is loaded again after."""
        if not self._ready or self.is_refreshing:
            return
        self.is_refreshing = True
        self.refreshing.emit(True)

        def work(ctx: JobContext) -> tuple[list[FeedOutcome], list[Feed], int]:
            news = self._news()
            outcomes = news.refresh(urls, cancelled=lambda: ctx.cancelled)
            return outcomes, news.feeds(self.lang), news.unread_count(self.lang)

        def done(result: tuple[list[FeedOutcome], list[Feed], int]) -> None:
            self.is_refreshing = False
            self.refreshing.emit(False)
            outcomes, feeds, unread = result
            self._changed(feeds, unread, lambda: self.refreshed.emit(outcomes))

        def failed(message: str, _: BaseException) -> None:
            self.is_refreshing = False
            self.refreshing.emit(False)
            self.failed.emit(message)

        self._submit("news", work, done, "refresh news", key="news", on_error=failed)

    def _changed(self, feeds: list[Feed], unread: int, then: Any = None) -> None:
        """The feeds (and so the items) changed: tell, then list the items again."""
        self.feeds = feeds
        self._set_unread(unread)
        self.feeds_changed.emit(feeds)
        if then is not None:
            then()
        self.all_rows = self.texts = None
        self.load()

    def load_feeds(self) -> None:
        if not self._ready:
            return

        def done(feeds: list[Feed]) -> None:
            self.feeds = feeds
            self.feeds_changed.emit(feeds)

        self._submit("io", lambda ctx: self._news().feeds(self.lang), done, "news feeds")

    def add_feed(self, url: str, on_error: Any) -> None:
        """Follow a feed, then fetch it (its own error, if any, shows in the feed list)."""
        def added(feed: Feed) -> None:
            self.refresh([feed.url])

        self._submit("news", lambda ctx: self._news().add_feed(url), added, "add feed",
                     on_error=on_error)

    def remove_feed(self, url: str) -> None:
        def write(ctx: JobContext) -> tuple[list[Feed], int]:
            news = self._news()
            news.remove_feed(url)
            return news.feeds(self.lang), news.unread_count(self.lang)

        self._submit("news", write, lambda result: self._changed(*result), "remove feed")

    def share(self, item_id: int) -> None:
        """Copy the item's link and a short text (on ``shared``) and record ``forward``."""
        def done(share: Share) -> None:
            if share.event is not None:
                self.controller.activity.emit(share.event)
            self.shared.emit(share)

        self._submit("news", lambda ctx: self._news().share(item_id), done, "share news")
