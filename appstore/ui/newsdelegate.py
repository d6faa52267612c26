"""How the News page's list paints an item (``ItemDelegate``)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from appstore.core.news import ItemRow
from appstore.ui import texts, theme
from appstore.ui.newsmodel import ItemRole

ROW_HEIGHT = 92


class ItemDelegate(QStyledItemDelegate):
    """Paints an item: an unread dot, the title (bold while unread), the feed and date, and the
    start of its summary; everything as plain text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._texts: dict[tuple[int, int, bool], tuple[str, str, str]] = {}  # laid-out texts

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:  # noqa: N802
        # narrow: QListView widens each row to the list (a wider hint gave a sideways scroll bar)
        return QSize(160, ROW_HEIGHT)

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
                _meta(row, mfm, width),
                "\n".join(texts.two_lines(row.summary, mfm, width)))
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


def _meta(row: ItemRow, fm: QFontMetrics, width: int) -> str:
    """"FEED · AGE", the feed's name shortened first: the age is what a narrow list must keep."""
    age = f" · {texts.age(row.published)}"
    room = width - fm.horizontalAdvance(age)
    if room < fm.horizontalAdvance("…") * 4:
        return fm.elidedText(row.feed + age, Qt.TextElideMode.ElideRight, width)
    return fm.elidedText(row.feed, Qt.TextElideMode.ElideRight, room) + age
