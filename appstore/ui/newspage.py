"""News: the list of items (model/view) beside a reader pane.

The reader is a ``QTextBrowser`` that never loads anything by itself: the item's HTML was
sanitised before it was stored, its pictures are ``news-image:KEY`` resources decoded in a worker
and handed to the document, and ``loadResource`` answers nothing else (no file, no network).
Links open in the system browser only after a confirmation that shows the real address;
``imapp://`` links from a store's feed open the app's page inside imapp.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QDesktopServices,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QPainter,
    QResizeEvent,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from appstore.core.news import ItemRow, Share
from appstore.core.news.sanitize import IMAGE_SCHEME
from appstore.core.wording import age
from appstore.ui import texts, theme
from appstore.ui.newsmodel import ItemRole, NewsController, NewsListModel, Opened
from appstore.ui.widgets import plain_label

ROW_HEIGHT = 92
READER_WIDTH = 760  # the column text is set in, at most (lines longer than that tire the eye)


def open_external(url: str) -> bool:
    """Hand ``url`` to the system browser (tests replace this)."""
    return QDesktopServices.openUrl(QUrl(url, QUrl.ParsingMode.StrictMode))


class ItemDelegate(QStyledItemDelegate):
    """Paints an item: an unread dot, the title (bold while unread), the feed and date, and the
    start of its summary; everything as plain text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._texts: dict[tuple[int, int, bool], tuple[str, str, str]] = {}  # laid-out texts

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:  # noqa: N802
        return QSize(320, ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        row = index.data(ItemRole)
        if not isinstance(row, ItemRow):
            return
        c = theme.colors(theme.current())
        r: QRect = option.rect.adjusted(6, 3, -6, -3)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        if selected or hovered:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(c["hover"] if not selected else c["alt"])
            painter.drawRoundedRect(r, 8, 8)
            if selected:
                painter.setBrush(c["accent"])
                painter.drawRoundedRect(QRect(r.left(), r.top() + 10, 3, r.height() - 20), 1.5, 1.5)
        if not row.read:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(c["accent"])
            painter.drawEllipse(r.left() + 10, r.top() + 17, 8, 8)
        left = r.left() + 26
        width = r.width() - 36
        base: QFont = option.font
        title_font = QFont(base)
        title_font.setPixelSize(14)
        title_font.setWeight(QFont.Weight.Bold if not row.read else QFont.Weight.Normal)
        painter.setFont(title_font)
        fm = painter.fontMetrics()
        meta_font = QFont(base)
        meta_font.setPixelSize(12)
        mfm = QFontMetrics(meta_font)
        key = (row.id, width, row.read)
        laid = self._texts.get(key)
        if laid is None:  # elided and wrapped once per item and width, not on every paint
            if len(self._texts) > 4000:
                self._texts.clear()
            laid = self._texts[key] = (
                fm.elidedText(row.title or self.tr("(untitled)"), Qt.TextElideMode.ElideRight, width),
                mfm.elidedText(f"{row.feed} · {age(row.published, texts.language())}",
                               Qt.TextElideMode.ElideRight, width),
                _two_lines(row.summary, mfm, width))
        title, meta, lines = laid
        painter.setPen(c["text"])
        painter.drawText(QRect(left, r.top() + 8, width, fm.height()), Qt.TextFlag.TextSingleLine, title)
        painter.setFont(meta_font)
        painter.setPen(c["muted"])
        painter.drawText(QRect(left, r.top() + 10 + fm.height(), width, mfm.height()),
                         Qt.TextFlag.TextSingleLine, meta)
        summary_top = r.top() + 14 + fm.height() + mfm.height()
        painter.setPen(c["muted"] if row.read else c["text"])
        painter.drawText(QRect(left, summary_top, width, mfm.height() * 2 + 2),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, lines)
        painter.restore()


def _two_lines(text: str, fm: Any, width: int) -> str:
    """At most two lines of ``text`` (wrapped by characters, so Chinese wraps too), elided."""
    out: list[str] = []
    rest = text
    for n in range(2):
        if not rest:
            break
        if n == 1:
            out.append(fm.elidedText(rest, Qt.TextElideMode.ElideRight, width))
            break
        lo, hi = 1, len(rest)
        while lo < hi:  # the longest prefix that fits
            mid = (lo + hi + 1) // 2
            if fm.horizontalAdvance(rest[:mid]) <= width:
                lo = mid
            else:
                hi = mid - 1
        cut = lo
        space = rest.rfind(" ", 0, cut + 1)
        if cut < len(rest) and space > cut * 2 // 3:
            cut = space + 1
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return "\n".join(out)


class Reader(QTextBrowser):
    """Shows one item. ``loadResource`` gives only pictures put in the document by ``show``;
    it never reads a file or the network. Signals: ``link(str)`` a link was clicked."""

    link = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("newsReader")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(lambda url: self.link.emit(url.toString()))
        self.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.setStyleSheet("QTextBrowser#newsReader { background: transparent; }")
        self.viewport().setAutoFillBackground(False)
        self.opened: Opened | None = None
        self._resize = QTimer(self)
        self._resize.setSingleShot(True)
        self._resize.setInterval(120)
        self._resize.timeout.connect(self._render)

    def loadResource(self, kind: int, url: QUrl | str) -> Any:  # noqa: N802 - Qt's name
        return None  # everything the document may show was added to it already

    def show_item(self, opened: Opened | None) -> None:
        self.opened = opened
        self._render()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self.opened is not None:
            self._resize.start()

    def _render(self) -> None:
        doc = QTextDocument(self)
        c = theme.colors(theme.current())
        doc.setDefaultStyleSheet(_STYLE.format(**{k: v.name() for k, v in c.items()}))
        font = QFont(self.font())
        font.setPixelSize(15)
        doc.setDefaultFont(font)
        doc.setDocumentMargin(24)
        if self.opened is None:
            self._use(doc, None)
            return
        item = self.opened.item
        width = max(120, min(READER_WIDTH, self.viewport().width()) - 56)
        for key, image in self.opened.images.items():
            doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(f"{IMAGE_SCHEME}:{key}"), image)

        def sized(m: re.Match[str]) -> str:
            key = m.group(1)
            image = self.opened.images.get(key) if self.opened else None
            if image is None:
                return ""  # not fetched (yet): nothing rather than a broken picture
            w = min(width, image.width())
            h = round(image.height() * w / max(1, image.width()))
            return f'<img src="{IMAGE_SCHEME}:{key}" width="{w}" height="{h}"'

        body = re.sub(r'<img src="' + IMAGE_SCHEME + r':([0-9a-f]+)"', sized, item.content)
        body = re.sub(r"<img(?![^>]*\bwidth=)[^>]*>", "", body)
        # a paragraph that is only a picture: no line spacing around it (it is one tall line)
        body = re.sub(r"<p>(\s*<img[^>]*>\s*)</p>", r'<p class="picture">\1</p>', body)
        row = item.row
        meta = " · ".join(p for p in (row.feed, age(row.published, texts.language()), item.author) if p)
        doc.setHtml(f'<h1>{html.escape(row.title or self.tr("(untitled)"))}</h1>'
                    f'<p class="meta">{html.escape(meta)}</p>{body}')
        self._use(doc, width + 56)

    def _use(self, doc: QTextDocument, width: int | None) -> None:
        if width is None:
            self.setLineWrapMode(QTextBrowser.LineWrapMode.WidgetWidth)
        else:
            self.setLineWrapMode(QTextBrowser.LineWrapMode.FixedPixelWidth)
            self.setLineWrapColumnOrWidth(width)
        self.setDocument(doc)  # the previous one, a child of this browser, is deleted by Qt


_STYLE = """
h1 {{ font-size: 24px; font-weight: 600; color: {text}; margin-bottom: 4px; }}
h2 {{ font-size: 20px; font-weight: 600; margin-top: 18px; }}
h3, h4, h5, h6 {{ font-size: 16px; font-weight: 600; margin-top: 14px; }}
p {{ line-height: 160%; margin-top: 0px; margin-bottom: 14px; color: {text}; }}
p.picture {{ line-height: 100%; margin-bottom: 18px; }}
p.meta {{ color: {muted}; font-size: 13px; margin-bottom: 18px; }}
li {{ line-height: 150%; margin-bottom: 4px; }}
a {{ color: {accent}; text-decoration: none; }}
blockquote {{ color: {muted}; margin-left: 16px; }}
pre, code {{ font-family: "DejaVu Sans Mono", monospace; font-size: 13px; }}
pre {{ background: {alt}; }}
td, th {{ padding: 4px 8px; border: 1px solid {border}; }}
figcaption {{ color: {muted}; font-size: 13px; }}
"""


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
        head = QHBoxLayout()
        title = QLabel(self.tr("News"))
        title.setObjectName("pageTitle")
        head.addWidget(title)
        head.addStretch(1)
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(self.tr("Search news"))
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(320)
        self.search.textChanged.connect(lambda text: self.news.load(query=text.strip()))
        head.addWidget(self.search, 1)
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

        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.setChildrenCollapsible(False)
        left = QWidget()
        left_col = QVBoxLayout(left)
        left_col.setContentsMargins(0, 0, 0, 0)
        self.view = QListView()
        self.view.setObjectName("newsList")
        self.view.setModel(self.model)
        self.view.setItemDelegate(ItemDelegate(self.view))
        self.view.setUniformItemSizes(True)
        self.view.setMouseTracking(True)
        self.view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.view.setStyleSheet("QListView#newsList { background: transparent; border: none; }")
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        left_col.addWidget(self.view, 1)
        self.empty = plain_label()
        self.empty.setProperty("muted", True)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        left_col.addWidget(self.empty)
        self.status = plain_label()
        self.status.setProperty("muted", True)
        self.status.setWordWrap(True)
        left_col.addWidget(self.status)
        self.split.addWidget(left)

        right = QFrame()
        right.setObjectName("card")
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
        self.split.addWidget(right)
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

    # -- list ----------------------------------------------------------------------------
    def _listed(self, rows: list[ItemRow]) -> None:
        keep = self.current
        self.model.set_items(rows)
        self._show_empty()
        row = self.model.row_of(keep) if keep is not None else -1
        if row < 0 and not self._shown_first and rows:
            row = 0  # the first time: the newest item is open (it is not marked read)
            self._shown_first = True
            self._select(row, mark_read=False)
        elif row >= 0:
            self.view.selectionModel().blockSignals(True)
            self.view.setCurrentIndex(self.model.index(row))
            self.view.selectionModel().blockSignals(False)

    def _select(self, row: int, *, mark_read: bool) -> None:
        self.view.selectionModel().blockSignals(True)
        self.view.setCurrentIndex(self.model.index(row))
        self.view.selectionModel().blockSignals(False)
        self._open_row(row, mark_read=mark_read)

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
