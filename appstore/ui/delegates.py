"""How an app card is painted in the Discover grid.

A store's strings are drawn with ``QPainter.drawText``, which never reads markup; the tooltip
(which would) gets them escaped.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QHelpEvent, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
)

from appstore.ui import texts, theme
from appstore.ui.models import Roles

CARD = QSize(330, 104)  # the default; the grid sets the width to fill its rows (``card_width``)
ICON = 56
CARD_CACHE = 100  # rendered cards kept: five screens or so (one is 130 KB: 300 were 40 MB)


class AppCardDelegate(QStyledItemDelegate):
    """Paints cards; fonts and wrapped summaries are cached, since painting runs per frame."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fonts_for: str | None = None
        self._lines: dict[tuple[str, int], list[str]] = {}
        self._cards: dict[tuple[object, ...], QPixmap] = {}
        self.card_width = CARD.width()  # set by the grid from its width; read by sizeHint

    def _fonts(self, base: QFont) -> tuple[QFont, QFont, QFont]:
        key = base.key()
        if key != self._fonts_for:
            name = QFont(base)
            name.setPointSizeF(base.pointSizeF() * 1.08)
            name.setWeight(QFont.Weight.Bold)  # 700: Chinese names get a synthetic bold too
            small = QFont(base)
            cat = QFont(base)
            cat.setPointSizeF(base.pointSizeF() * 0.9)
            self._font_cache = (name, small, cat)
            self._metrics = (QFontMetrics(name), QFontMetrics(small), QFontMetrics(cat))
            self._fonts_for = key
            self._lines.clear()
        return self._font_cache

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(self.card_width, CARD.height())

    def helpEvent(self, event: QHelpEvent, view: QAbstractItemView, option: QStyleOptionViewItem,
                  index: QModelIndex | QPersistentModelIndex) -> bool:
        """The tooltip (the summary) as plain text: Qt would render a summary that looks like HTML
        as HTML."""
        if event is None or event.type() != QEvent.Type.ToolTip:
            return super().helpEvent(event, view, option, index)
        text = str(index.data(Qt.ItemDataRole.ToolTipRole) or "") if index.isValid() else ""
        if text:
            import html  # (with its table of entities: not what a start needs)

            QToolTip.showText(event.globalPos(), f"<p>{html.escape(text)}</p>", view.viewport(), option.rect)
        else:
            QToolTip.hideText()
        event.setAccepted(bool(text))
        return bool(text)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        """Draw the card from a cache of rendered cards (scrolling repaints the same ones)."""
        theme_name = theme.current()
        state = option.state
        selected = bool(state & QStyle.StateFlag.State_Selected)
        hovered = bool(state & QStyle.StateFlag.State_MouseOver)
        icon = index.data(Qt.ItemDataRole.DecorationRole)
        rect: QRect = option.rect
        dpr = painter.device().devicePixelRatioF()
        key = (index.data(Roles.REF), theme_name, selected, hovered, rect.width(), rect.height(), dpr,
               icon.cacheKey() if isinstance(icon, QPixmap) else 0, self._fonts_for,
               index.data(Qt.ItemDataRole.DisplayRole), index.data(Roles.ACTION), index.data(Roles.NOTE))
        card = self._cards.get(key)
        if card is None:
            card = QPixmap(int(rect.width() * dpr), int(rect.height() * dpr))
            card.setDevicePixelRatio(dpr)
            # opaque (the page's colour behind the rounded corners): blitting it is a plain copy
            card.fill(theme.colors(theme_name)["window"])
            p = QPainter(card)
            self._draw(p, option, index, QRect(0, 0, rect.width(), rect.height()), theme_name,
                       selected, hovered, icon)
            p.end()
            if len(self._cards) >= CARD_CACHE:
                self._cards.pop(next(iter(self._cards)))
            self._cards[key] = card
        painter.drawPixmap(rect.topLeft(), card)

    def _draw(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex, area: QRect, theme_name: str,
              selected: bool, hovered: bool, icon: object) -> None:
        c = theme.colors(theme_name)
        rect = area.adjusted(6, 6, -6, -6)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        path = QPainterPath()
        path.addRoundedRect(QRectF(rect), 10, 10)
        painter.fillPath(path, c["hover"] if (selected or hovered) else c["card"])
        pen = QPen(c["accent"] if selected else c["border"], 2 if selected else 1)
        painter.setPen(pen)
        painter.drawPath(path)

        icon_rect = QRect(rect.left() + 14, rect.top() + (rect.height() - ICON) // 2, ICON, ICON)
        if isinstance(icon, QPixmap) and not icon.isNull():
            painter.drawPixmap(icon_rect, icon)

        text_left = icon_rect.right() + 14
        width = rect.right() - text_left - 12
        font, small, cat_font = self._fonts(option.font)
        fm, sfm, cfm = self._metrics
        painter.setFont(font)
        painter.setPen(c["text"])
        name = fm.elidedText(str(index.data(Qt.ItemDataRole.DisplayRole) or ""),
                             Qt.TextElideMode.ElideRight, width)
        y = rect.top() + 14
        painter.drawText(QRect(text_left, y, width, fm.height()), Qt.AlignmentFlag.AlignLeft, name)
        y += fm.height() + 2

        painter.setFont(small)
        painter.setPen(c["muted"])
        summary = str(index.data(Roles.SUMMARY) or "")
        lines = self._lines.get((summary, width))
        if lines is None:
            if len(self._lines) > 5000:
                self._lines.clear()
            lines = self._lines[(summary, width)] = texts.two_lines(summary, sfm, width)
        for line in lines:
            painter.drawText(QRect(text_left, y, width, sfm.height()), Qt.AlignmentFlag.AlignLeft, line)
            y += sfm.height()
        action = index.data(Roles.ACTION)
        pill = self.action_rect(area, action) if action else QRect()
        if action:
            primary = bool(index.data(Roles.ACTION_PRIMARY))
            pill_path = QPainterPath()
            pill_path.addRoundedRect(QRectF(pill), pill.height() / 2, pill.height() / 2)
            painter.fillPath(pill_path, c["accent_fill"] if primary else c["window"])
            painter.setPen(QPen(c["accent_fill"] if primary else c["accent"], 1))
            painter.drawPath(pill_path)
            painter.setFont(cat_font)
            painter.setPen(c["on_accent"] if primary else c["accent"])
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, action)
        painter.setFont(cat_font)
        note = str(index.data(Roles.NOTE) or "")  # e.g. an update that asks for more
        painter.setPen(c["danger"] if note else c["accent"])
        cat_width = width - (pill.width() + 8 if action else 0)
        category = cfm.elidedText(note or str(index.data(Roles.CATEGORY) or ""),
                                  Qt.TextElideMode.ElideRight, cat_width)
        painter.drawText(QRect(text_left, rect.bottom() - cfm.height() - 8, cat_width, cfm.height()),
                         Qt.AlignmentFlag.AlignLeft, category)
        painter.restore()

    def action_rect(self, card: QRect, text: str) -> QRect:
        """Where a card's action button (Install, Open, 43 %…) is, inside ``card``."""
        _, _, cfm = self._metrics if self._fonts_for else (None, None, QFontMetrics(QFont()))
        inner = card.adjusted(6, 6, -6, -6)
        w = max(64, cfm.horizontalAdvance(text) + 24)
        h = cfm.height() + 8
        return QRect(inner.right() - 10 - w, inner.bottom() - 6 - h, w, h)
