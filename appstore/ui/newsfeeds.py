"""The News page's Feeds dialog: the feeds followed, each with how its last refresh went (its
own error), and adding or removing the user's own RSS / Atom feeds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from appstore.ui import texts
from appstore.ui.newsmodel import NewsController
from appstore.ui.widgets import plain_label

if TYPE_CHECKING:
    from appstore.core.news import Feed


class FeedsDialog(QDialog):
    def __init__(self, news: NewsController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.news = news
        self.setWindowTitle(self.tr("News feeds"))
        self.resize(640, 440)
        col = QVBoxLayout(self)
        intro = plain_label(self.tr("Each store's own news comes with the store. Add the address "
                                    "of any RSS or Atom feed to follow it too."))
        intro.setWordWrap(True)
        col.addWidget(intro)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.currentItemChanged.connect(lambda *_: self._selection())
        col.addWidget(self.list, 1)
        add_row = QHBoxLayout()
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://example.org/feed.xml")
        self.url.returnPressed.connect(self._add)
        add_row.addWidget(self.url, 1)
        self.add_button = QPushButton(self.tr("Add feed"))
        self.add_button.clicked.connect(self._add)
        add_row.addWidget(self.add_button)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(self._remove)
        add_row.addWidget(self.remove_button)
        col.addLayout(add_row)
        self.error = plain_label()
        self.error.setObjectName("danger")
        self.error.setWordWrap(True)
        col.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        col.addWidget(buttons)
        news.feeds_changed.connect(self._show)
        self._show(news.feeds)
        news.load_feeds()

    def _show(self, feeds: list[Feed]) -> None:
        chosen = self.list.currentItem()
        keep = chosen.data(Qt.ItemDataRole.UserRole) if chosen is not None else None
        self.list.clear()
        for f in feeds:
            if f.error:
                status = self.tr("Failing: %1").replace("%1", f.error)
            elif f.last_success:
                status = self.tr("%n item(s), checked %1", "", f.items).replace(
                    "%1", texts.age(f.last_success))
            else:
                status = self.tr("Not checked yet")
            where = self.tr("from the store %1").replace("%1", f.store) if f.store else f.url
            item = QListWidgetItem(f"{f.name}\n{where}\n{status}")
            item.setData(Qt.ItemDataRole.UserRole, f.url)
            item.setData(Qt.ItemDataRole.UserRole + 1, bool(f.store))
            self.list.addItem(item)
            if f.url == keep:
                self.list.setCurrentItem(item)
        self._selection()

    def _selection(self) -> None:
        item = self.list.currentItem()
        self.remove_button.setEnabled(item is not None and not item.data(Qt.ItemDataRole.UserRole + 1))

    def _add(self) -> None:
        url = self.url.text().strip()
        if not url:
            return
        self.error.setText("")
        self.add_button.setEnabled(False)

        def failed(message: str, _: BaseException) -> None:
            self.add_button.setEnabled(True)
            self.error.setText(message)

        def added_then(feeds: object) -> None:
            self.add_button.setEnabled(True)
            self.url.clear()

        self.news.feeds_changed.connect(added_then, Qt.ConnectionType.SingleShotConnection)
        self.news.add_feed(url, failed)

    def _remove(self) -> None:
        item = self.list.currentItem()
        if item is not None and not item.data(Qt.ItemDataRole.UserRole + 1):
            self.news.remove_feed(str(item.data(Qt.ItemDataRole.UserRole)))
