"""How an app card is painted in the Discover grid."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from appstore.ui import theme
from appstore.ui.models import Roles

CARD = QSize(330, 104)
ICON = 56


class AppCardDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return CARD

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        c = theme.colors(str(QApplication.instance().property("imapp_theme") or "light"))
        state = option.state  # type: ignore[attr-defined]
        rect: QRect = option.rect.adjusted(6, 6, -6, -6)  # type: ignore[attr-defined]
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        path = QPainterPath()
        path.addRoundedRect(QRectF(rect), 10, 10)
        selected = bool(state & QStyle.StateFlag.State_Selected)
        hovered = bool(state & QStyle.StateFlag.State_MouseOver)
        painter.fillPath(path, c["hover"] if (selected or hovered) else c["card"])
        pen = QPen(c["accent"] if selected else c["border"], 2 if selected else 1)
        painter.setPen(pen)
        painter.drawPath(path)

        icon = index.data(Qt.ItemDataRole.DecorationRole)
        icon_rect = QRect(rect.left() + 14, rect.top() + (rect.height() - ICON) // 2, ICON, ICON)
        if isinstance(icon, QPixmap) and not icon.isNull():
            painter.drawPixmap(icon_rect, icon)

        text_left = icon_rect.right() + 14
        width = rect.right() - text_left - 12
        font = QFont(option.font)  # type: ignore[attr-defined]
        font.setPointSizeF(font.pointSizeF() * 1.08)
        font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(font)
        painter.setPen(c["text"])
        fm = QFontMetrics(font)
        name = fm.elidedText(str(index.data(Qt.ItemDataRole.DisplayRole) or ""),
                             Qt.TextElideMode.ElideRight, width)
        y = rect.top() + 14
        painter.drawText(QRect(text_left, y, width, fm.height()), Qt.AlignmentFlag.AlignLeft, name)
        y += fm.height() + 2

        small = QFont(option.font)  # type: ignore[attr-defined]
        painter.setFont(small)
        sfm = QFontMetrics(small)
        painter.setPen(c["muted"])
        summary = str(index.data(Roles.SUMMARY) or "")
        lines = _two_lines(summary, sfm, width)
        for line in lines:
            painter.drawText(QRect(text_left, y, width, sfm.height()), Qt.AlignmentFlag.AlignLeft, line)
            y += sfm.height()
        cat_font = QFont(small)
        cat_font.setPointSizeF(small.pointSizeF() * 0.9)
        painter.setFont(cat_font)
        painter.setPen(c["accent"])
        cfm = QFontMetrics(cat_font)
        category = cfm.elidedText(str(index.data(Roles.CATEGORY) or ""), Qt.TextElideMode.ElideRight, width)
        painter.drawText(QRect(text_left, rect.bottom() - cfm.height() - 8, width, cfm.height()),
                         Qt.AlignmentFlag.AlignLeft, category)
        painter.restore()


def _two_lines(text: str, fm: QFontMetrics, width: int) -> list[str]:
    """Wrap into at most two lines, eliding the second (works for Chinese, which has no spaces)."""
    if fm.horizontalAdvance(text) <= width:
        return [text]
    lo, hi = 1, len(text)  # the longest prefix that fits: binary search
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fm.horizontalAdvance(text[:mid]) <= width:
            lo = mid
        else:
            hi = mid - 1
    cut = text.rfind(" ", 0, lo + 1)
    first = text[: cut if cut > lo // 2 else lo]
    rest = text[len(first):].strip()
    return [first, fm.elidedText(rest, Qt.TextElideMode.ElideRight, width)]
