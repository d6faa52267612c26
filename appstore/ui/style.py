"""The widget style under the theme's style sheet: Fusion, with the few things a style sheet
cannot draw without picture files, drawn in the theme's colours.

* a check box's tick (a style sheet that colours the box hides Fusion's tick; this draws both);
* a drop-down's arrow as a flat chevron (under a style sheet that gives the drop-down a border,
  Qt draws its arrow on a dark bevel).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QWidget,
)


class ImappStyle(QProxyStyle):
    """Fusion, with ``colors`` (the theme's, by name: ``theme.colors``) for the check box and the
    drop-down arrow. ``set_colors`` switches theme."""

    def __init__(self, colors: dict[str, QColor]) -> None:
        super().__init__(QStyleFactory.create("Fusion"))
        self.colors = colors

    def set_colors(self, colors: dict[str, QColor]) -> None:
        self.colors = colors

    def drawPrimitive(self, element: QStyle.PrimitiveElement, option: QStyleOption,  # noqa: N802
                      painter: QPainter, widget: QWidget | None = None) -> None:
        if element == QStyle.PrimitiveElement.PE_IndicatorCheckBox:
            self._check_box(option, painter)
            return
        if element == QStyle.PrimitiveElement.PE_IndicatorArrowDown and isinstance(widget, QComboBox):
            # Under a style sheet that draws its frame, a drop-down's arrow box is drawn by
            # QWindowsStyle with a bevel (dark lines) the sheet cannot turn off, then this
            # arrow inside it: cover the bevel with the field's colour, draw a flat chevron.
            painter.fillRect(option.rect.adjusted(-3, -3, 3, 3), self.colors["base"])
            self._chevron(QRectF(option.rect), bool(option.state & QStyle.StateFlag.State_Enabled),
                          painter)
            return
        super().drawPrimitive(element, option, painter, widget)

    def _check_box(self, option: QStyleOption, p: QPainter) -> None:
        state = option.state
        c = self.colors
        enabled = bool(state & QStyle.StateFlag.State_Enabled)
        on = bool(state & QStyle.StateFlag.State_On)
        partly = bool(state & QStyle.StateFlag.State_NoChange)
        r = QRectF(option.rect)
        side = min(r.width(), r.height()) - 1
        box = QRectF(r.center().x() - side / 2, r.center().y() - side / 2, side, side)
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if on or partly:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(c["accent_fill"] if enabled else c["muted"])
        else:
            p.setPen(QPen(c["muted"], 1))
            p.setBrush(c["base"])
        p.drawRoundedRect(box, 3, 3)
        if option.state & QStyle.StateFlag.State_HasFocus:
            p.setPen(QPen(c["accent"], 1.5))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(box.adjusted(-1.5, -1.5, 1.5, 1.5), 4, 4)
        pen = QPen(c["on_accent"], max(1.8, side / 8))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        x, y = box.left(), box.top()
        if on:
            tick = QPainterPath(QPointF(x + side * 0.24, y + side * 0.52))
            tick.lineTo(x + side * 0.43, y + side * 0.71)
            tick.lineTo(x + side * 0.77, y + side * 0.31)
            p.drawPath(tick)
        elif partly:
            p.drawLine(QPointF(x + side * 0.26, box.center().y()), QPointF(x + side * 0.74, box.center().y()))
        p.restore()

    def _chevron(self, rect: QRectF, enabled: bool, p: QPainter) -> None:
        half = min(rect.width(), rect.height(), 8.0) / 2
        cx, cy = rect.center().x(), rect.center().y()
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(self.colors["text"] if enabled else self.colors["muted"], 1.6)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        p.setPen(pen)
        arrow = QPainterPath(QPointF(cx - half, cy - half / 2))
        arrow.lineTo(cx, cy + half / 2)
        arrow.lineTo(cx + half, cy - half / 2)
        p.drawPath(arrow)
        p.restore()
