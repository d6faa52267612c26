"""News: the list of items (model/view, painted by ``newsdelegate.ItemDelegate``) beside the
reader pane (``newsreader.Reader``).

Links open in the system browser only after a confirmation that shows the real address;
``imapp://`` links from a store's feed open the app's page inside imapp.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from appstore.core.news import ItemRow, Share
from appstore.ui.newsdelegate import ROW_HEIGHT, ItemDelegate
from appstore.ui.newsmodel import NewsController, NewsListModel, Opened
from appstore.ui.newsreader import READER_WIDTH, Reader
from appstore.ui.widgets import plain_label

__all__ = ["READER_WIDTH", "ROW_HEIGHT", "ItemDelegate", "NewsPage", "Reader", "open_external"]

LIST_MIN_WIDTH = 250  # px: below this a row's title and summary say too little
READER_MIN_WIDTH = 320


def open_external(url: str) -> bool:
    """Hand ``url`` to the system browser (tests replace this)."""
    return QDesktopServices.openUrl(QUrl(url, QUrl.ParsingMode.StrictMode))


class NewsPage(QWidget):
    """Signals: ``open_link(str)`` an ``imapp://`` link to follow inside imapp;
    ``notice(str)`` a short message for the status bar."""

    open_link = Signal(str)
    notice = Signal(str)

    def __init__(self, news: NewsController, lang: str,
                 confirm: Callable[[str], bool] | None = None) -> None:
        super().__init__()
        self.news = news
        self.lang = lang
        self.confirm = confirm or self._confirm
        self.model = NewsListModel(self)
        self.current: int | None = None
        self._shown_first = False
        col = QVBoxLayout(self)
        col.setContentsMargins(24, 18, 24, 12)
        col.setSpacing(12)
        self._build_head(col)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self._build_list())
        self.split.addWidget(self._build_reader())
        self.split.setStretchFactor(0, 2)
        self.split.setStretchFactor(1, 3)
        self.split.setSizes([380, 620])
        col.addWidget(self.split, 1)

        news.listed.connect(self._listed)
        news.opened.connect(self._opened)
        news.refreshing.connect(self._refreshing)
        news.feeds_changed.connect(self._feeds_changed)
        news.shared.connect(self._shared)
        news.unread_changed.connect(lambda n: self.mark_all.setEnabled(n > 0))
        self._refreshing(news.is_refreshing)
        self._show_empty()
        news.load()
        news.load_feeds()

    # -- building (once, in __init__) --------------------------------------------------
    def _build_head(self, col: QVBoxLayout) -> None:
        """The title and the actions; the search box made here goes above the list."""
        head = QHBoxLayout()
        title = QLabel(self.tr("News"))
        title.setObjectName("pageTitle")
        head.addWidget(title)
        head.addStretch(1)
        self.search = QLineEdit()  # above the list it filters (the header keeps the actions)
        self.search.setObjectName("search")
        self.search.setPlaceholderText(self.tr("Search news"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda text: self.news.load(query=text.strip()))
        self.unread_only = QPushButton(self.tr("Unread"))
        self.unread_only.setObjectName("chip")
        self.unread_only.setCheckable(True)
        self.unread_only.toggled.connect(lambda on: self.news.load(unread_only=on))
        head.addWidget(self.unread_only)
        self.mark_all = QPushButton(self.tr("Mark all read"))
        self.mark_all.clicked.connect(self._mark_all)
        head.addWidget(self.mark_all)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(lambda: self.news.refresh())
        head.addWidget(self.refresh_button)
        self.feeds_button = QPushButton(self.tr("Feeds…"))
        self.feeds_button.clicked.connect(self._show_feeds)
        head.addWidget(self.feeds_button)
        col.addLayout(head)

    def _build_list(self) -> QWidget:
        """The left side: search, the items, and what is shown when there are none."""
        left = QWidget()
        left.setMinimumWidth(LIST_MIN_WIDTH)
        left_col = QVBoxLayout(left)
        left_col.setContentsMargins(0, 0, 0, 0)
        left_col.setSpacing(8)
        left_col.addWidget(self.search)
        self.view = QListView()
        self.view.setObjectName("newsList")
        self.view.setModel(self.model)
        self.view.setItemDelegate(ItemDelegate(self.view))
        self.view.setUniformItemSizes(True)
        self.view.setMouseTracking(True)
        self.view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        # rows are as wide as the list (the delegate elides and wraps to it): never a sideways bar
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setStyleSheet("QListView#newsList { background: transparent; border: none; }")
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        left_col.addWidget(self.view, 1)
        self.empty = _muted_label()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        left_col.addWidget(self.empty)
        self.status = _muted_label()
        left_col.addWidget(self.status)
        return left

    def _build_reader(self) -> QFrame:
        """The right side: the open item's actions above the reader."""
        right = QFrame()
        right.setObjectName("card")
        right.setMinimumWidth(READER_MIN_WIDTH)
        right_col = QVBoxLayout(right)
        right_col.setContentsMargins(0, 0, 0, 0)
        right_col.setSpacing(0)
        bar = QHBoxLayout()
        bar.setContentsMargins(16, 10, 16, 0)
        bar.setSpacing(8)
        bar.addStretch(1)
        self.unread_button = QPushButton(self.tr("Mark unread"))
        self.unread_button.clicked.connect(self._mark_unread)
        self.browser_button = QPushButton(self.tr("Open in browser"))
        self.browser_button.clicked.connect(self._open_in_browser)
        self.share_button = QPushButton(self.tr("Share"))
        self.share_button.setObjectName("primary")
        self.share_button.setToolTip(self.tr("Copy the link and a short text to the clipboard"))
        self.share_button.clicked.connect(self._share)
        for b in (self.unread_button, self.browser_button, self.share_button):
            b.setEnabled(False)
            bar.addWidget(b)
        right_col.addLayout(bar)
        self.reader = Reader()
        self.reader.link.connect(self._link_clicked)
        right_col.addWidget(self.reader, 1)
        return right

    # -- list ----------------------------------------------------------------------------
    def _listed(self, rows: list[ItemRow]) -> None:
        keep = self.current
        self.model.set_items(rows)
        self._show_empty()
        row = self.model.row_of(keep) if keep is not None else -1
        if row >= 0:
            self._set_current(row)
        elif not self._shown_first and rows:
            self._shown_first = True  # the first time: the newest item is open (read if seen)
            self._set_current(0)
            self._open_row(0, mark_read=self.isVisible())
        elif keep is not None:
            self._close_item()  # a search or the Unread filter left it out: not shown either

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        row = self.model.row_of(self.current) if self.current is not None else -1
        if self.current is not None and row >= 0 and not self.model.items[row].read:
            self.news.mark_read(self.current)  # opened while hidden: read now it is seen
            self.model.set_read(self.current)

    def _close_item(self) -> None:
        self.current = None
        self.view.clearSelection()
        self.reader.show_item(None)
        for b in (self.unread_button, self.browser_button, self.share_button):
            b.setEnabled(False)

    def _set_current(self, row: int) -> None:
        """Select ``row`` without ``currentChanged`` (which would open it and mark it read)."""
        selection = self.view.selectionModel()
        selection.blockSignals(True)
        self.view.setCurrentIndex(self.model.index(row))
        selection.blockSignals(False)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._open_row(current.row(), mark_read=True)

    def _open_row(self, row: int, *, mark_read: bool) -> None:
        item = self.model.items[row]
        self.current = item.id
        self.news.open(item.id, mark_read=mark_read and not item.read)
        if mark_read:
            self.model.set_read(item.id)

    def _show_empty(self) -> None:
        has = bool(self.model.items)
        self.view.setVisible(has)
        self.empty.setVisible(not has)
        if self.news.query:
            self.empty.setText(self.tr("No news matches “%1”.").replace("%1", self.news.query))
        elif self.news.unread_only:
            self.empty.setText(self.tr("You have read everything."))
        else:
            self.empty.setText(self.tr("No news yet. Stores publish news, and you can add your own "
                                       "RSS or Atom feeds with Feeds…"))

    def _refreshing(self, on: bool) -> None:
        self.refresh_button.setEnabled(not on)
        if on:
            self.status.setText(self.tr("Checking feeds…"))
        else:
            self._feeds_changed(self.news.feeds)

    def _feeds_changed(self, feeds: list[Any]) -> None:
        if self.news.is_refreshing:
            return
        failing = [f for f in feeds if f.error]
        if failing:
            names = ", ".join(f.name for f in failing[:3])
            self.status.setText(self.tr("%n feed(s) could not be fetched: %1", "", len(failing))
                                .replace("%1", names))
        else:
            self.status.setText("")

    # -- reader --------------------------------------------------------------------------
    def _opened(self, opened: Opened) -> None:
        if opened.item.row.id != self.current:
            return  # another item was chosen meanwhile
        self.reader.show_item(opened)
        self.unread_button.setEnabled(True)
        self.share_button.setEnabled(True)
        self.browser_button.setEnabled(opened.item.row.link.startswith(("http://", "https://")))

    def _link_clicked(self, url: str) -> None:
        if url.startswith("imapp://"):
            self.open_link.emit(url)
            return
        if not url.startswith(("http://", "https://", "mailto:")):
            return  # the sanitiser let nothing else through; refuse it anyway
        if self.confirm(url):
            open_external(url)

    def _confirm(self, url: str) -> bool:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Open link"))
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(self.tr("Open this address in your browser?"))
        box.setInformativeText(url)
        box.setStandardButtons(QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Open)
        return box.exec() == QMessageBox.StandardButton.Open

    def _open_in_browser(self) -> None:
        opened = self.reader.opened
        if opened is not None and opened.item.row.link:
            self._link_clicked(opened.item.row.link)

    def _share(self) -> None:
        if self.current is not None:
            self.news.share(self.current)

    def _shared(self, share: Share) -> None:
        QGuiApplication.clipboard().setText(share.text)
        self.notice.emit(self.tr("Copied the link and a short text: paste it to share."))

    def _mark_unread(self) -> None:
        if self.current is not None:
            self.news.mark_read(self.current, False)
            self.model.set_read(self.current, False)

    def _mark_all(self) -> None:
        self.news.mark_all_read()
        self.model.set_read(None)

    def _show_feeds(self) -> None:
        from appstore.ui.newsfeeds import FeedsDialog

        FeedsDialog(self.news, self).exec()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()


def _muted_label() -> QLabel:
    label = plain_label()
    label.setProperty("muted", True)
    label.setWordWrap(True)
    return label
