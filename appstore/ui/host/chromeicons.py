"""The DApp window's back, forward and reload icons: flat strokes in the theme's text colour, like
the rest of imapp (Fusion's own are bevelled bitmaps), with a disabled look that is plainly off."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap, QTransform

SIZE = 48  # drawn large, shown at the toolbar's size


def _path(kind: str) -> QPainterPath:
    path = QPainterPath()
    if kind in ("back", "forward"):
        path.moveTo(10, 24)
        path.lineTo(38, 24)
        path.moveTo(22, 12)
        path.lineTo(10, 24)
        path.lineTo(22, 36)
        if kind == "forward":  # the same arrow, mirrored
            return QTransform(-1, 0, 0, 1, SIZE, 0).map(path)
        return path
    # reload: a circle open at the top right, travelled clockwise, its arrow head at the end
    cx = cy = 24.0
    r = 13.0
    box = QRectF(cx - r, cy - r, 2 * r, 2 * r)
    start, sweep = 20.0, -300.0  # degrees, counter-clockwise positive (Qt's)
    path.arcMoveTo(box, start)
    path.arcTo(box, start, sweep)
    end = math.radians(start + sweep)
    tip = QPointF(cx + r * math.cos(end), cy - r * math.sin(end))
    forward = (math.sin(end), math.cos(end))  # the clockwise tangent, on screen
    for turn in (math.radians(150), math.radians(-150)):  # the two barbs, back from the tip
        dx = forward[0] * math.cos(turn) - forward[1] * math.sin(turn)
        dy = forward[0] * math.sin(turn) + forward[1] * math.cos(turn)
        path.moveTo(tip)
        path.lineTo(tip.x() + 9 * dx, tip.y() + 9 * dy)
    return path


def _pixmap(kind: str, color: QColor) -> QPixmap:
    pix = QPixmap(SIZE, SIZE)
    pix.fill(QColor(0, 0, 0, 0))
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QPen(color, 4.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
    p.drawPath(_path(kind))
    p.end()
    return pix


def chrome_icon(kind: str, palette: QPalette) -> QIcon:
    """``back``, ``forward`` or ``reload`` in ``palette``'s text colour; disabled: a faint one."""
    text = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText)
    off = QColor(text)
    off.setAlphaF(0.28)
    icon = QIcon()
    icon.addPixmap(_pixmap(kind, text), QIcon.Mode.Normal)
    icon.addPixmap(_pixmap(kind, text), QIcon.Mode.Active)
    icon.addPixmap(_pixmap(kind, off), QIcon.Mode.Disabled)
    return icon
