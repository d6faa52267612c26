"""The featured banner at the top of Discover: one app at a time, rotating, with dots."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QLinearGradient,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from appstore.core.catalog.models import localized
from appstore.core.store.manager import Listing
from appstore.ui import theme
from appstore.ui.images import ImageLoader, image_key
from appstore.ui.widgets import plain_label

ICON = QSize(192, 192)
FULL_HEIGHT, COMPACT_HEIGHT = 190, 132  # px
FULL_ICON, COMPACT_ICON = 112, 72
LIGHT_END = 115  # the gradient runs from the tint darkened by this (QColor.darker) to DARK_END
DARK_END = 170


def _tint(pix: QPixmap | None) -> QColor:
    """The banner's background: the icon's average colour (or a calm blue), dark enough for
    white text (WCAG AA, 4.5:1, at the gradient's lighter end)."""
    color = QColor("#2563eb")
    if pix is not None and not pix.isNull():
        img = pix.toImage().scaled(8, 8)
        r = g = b = n = 0
        for x in range(8):
            for y in range(8):
                c = img.pixelColor(x, y)
                if c.alpha() > 200:
                    r, g, b, n = r + c.red(), g + c.green(), b + c.blue(), n + 1
        if n:
            color = QColor(r // n, g // n, b // n)
    return readable(color)


def readable(color: QColor) -> QColor:
    """``color``, darkened until white text on ``color.darker(LIGHT_END)`` has 4.5:1."""
    white = QColor("white")
    for _ in range(30):
        if theme.contrast(white, color.darker(LIGHT_END)) >= 4.5:
            break
        color = color.darker(110)
    return color


class FeaturedBanner(QWidget):
    """Signals: ``open_app(str)`` the ref of the app to open."""

    open_app = Signal(str)

    def __init__(self, images: ImageLoader, lang: str) -> None:
        super().__init__()
        self.images = images
        self.lang = lang
        self.items: list[Listing] = []
        self.current = 0
        self.compact = False  # a low window: a lower banner, one line of summary (set_compact)
        self._tints: dict[int, QColor] = {}  # icon pixmap -> banner colour
        self.setFixedHeight(FULL_HEIGHT)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

        self.icon = QLabel()
        self.icon.setFixedSize(FULL_ICON, FULL_ICON)
        self.kicker = plain_label(self.tr("Featured"))
        self.name = plain_label()  # the store's words, shown as they are
        self.summary = plain_label()
        self.summary.setWordWrap(True)
        weights = QFont.Weight
        self._name_size = self.name.font().pointSizeF()
        for w, size, weight in ((self.kicker, 0.9, weights.Bold), (self.name, 2.0, weights.Bold),
                                (self.summary, 1.1, weights.Normal)):
            f = w.font()
            f.setPointSizeF(f.pointSizeF() * size)
            f.setWeight(weight)
            w.setFont(f)
            w.setStyleSheet("color: white; background: transparent;")
        self._summary_text = ""
        self.view_button = QPushButton(self.tr("View"))
        self.view_button.setObjectName("primary")
        self.view_button.clicked.connect(self._open)
        self.view_button.setStyleSheet("QPushButton { background: white; color: #1d2330; border: none;"
                                       " border-radius: 10px; padding: 5px 22px; font-weight: 700; }")
        self.dots = plain_label()
        self.dots.setStyleSheet("color: white; background: transparent; font-size: 16px;")
        prev = QPushButton("‹")
        nxt = QPushButton("›")
        for b in (prev, nxt):
            b.setFixedSize(34, 34)
            b.setStyleSheet("background: rgba(255,255,255,0.22); color: white; border: none;"
                            " border-radius: 17px; font-size: 20px;")
            b.setAccessibleName(self.tr("Previous") if b is prev else self.tr("Next"))
        prev.clicked.connect(lambda: self.show_item(self.current - 1))
        nxt.clicked.connect(lambda: self.show_item(self.current + 1))

        text = QVBoxLayout()
        text.addWidget(self.kicker)
        text.addWidget(self.name)
        text.addWidget(self.summary)
        text.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.view_button)
        buttons.addStretch(1)
        buttons.addWidget(self.dots)
        buttons.addSpacing(12)
        buttons.addWidget(prev)
        buttons.addWidget(nxt)
        text.addLayout(buttons)
        self.row = row = QHBoxLayout(self)
        row.setContentsMargins(28, 22, 22, 18)
        row.setSpacing(24)
        row.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addLayout(text, 1)

        self.timer = QTimer(self)
        self.timer.setInterval(7000)
        self.timer.timeout.connect(lambda: self.show_item(self.current + 1))
        self._pressed = False
        images.loaded.connect(self._image_loaded)

    def set_compact(self, on: bool) -> None:
        """The lower banner (a small window keeps its room for the apps) or the full one."""
        if on == self.compact:
            return
        self.compact = on
        self.setFixedHeight(COMPACT_HEIGHT if on else FULL_HEIGHT)
        side = COMPACT_ICON if on else FULL_ICON
        self.icon.setFixedSize(side, side)
        self.row.setContentsMargins(*((22, 12, 18, 12) if on else (28, 22, 22, 18)))
        self.kicker.setVisible(not on)
        f = self.name.font()
        f.setPointSizeF(self._name_size * (1.5 if on else 2.0))
        self.name.setFont(f)
        self.summary.setWordWrap(not on)
        self._show_summary()
        self._update_icon()

    def _show_summary(self) -> None:
        """The summary, on one line (elided) when compact."""
        text = self._summary_text
        if self.compact:
            text = self.summary.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight,
                                                         max(80, self.summary.width()))
        self.summary.setText(text)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self.compact:
            self._show_summary()

    def set_items(self, items: list[Listing]) -> None:
        self.items = items
        self.setVisible(bool(items))
        self.show_item(0)
        if len(items) > 1:
            self.timer.start()

    def show_item(self, i: int) -> None:
        if not self.items:
            return
        self.current = i % len(self.items)
        app = self.items[self.current].app
        self.name.setText(localized(app.name, self.lang))
        self._summary_text = localized(app.summary, self.lang)
        self._show_summary()
        self.dots.setText(" ".join("●" if k == self.current else "○" for k in range(len(self.items))))
        self._update_icon()
        self.update()

    def _pixmap(self) -> QPixmap | None:
        if not self.items:
            return None
        app = self.items[self.current].app
        return self.images.pixmap(app.store, app.icon, ICON)

    def _update_icon(self) -> None:
        pix = self._pixmap()
        side = self.icon.width()
        self.icon.setPixmap(pix.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                                       Qt.TransformationMode.SmoothTransformation) if pix else QPixmap())

    def _image_loaded(self, key: str) -> None:
        if self.items:
            app = self.items[self.current].app
            if key == image_key(app.store, app.icon, ICON):
                self._update_icon()
                self.update()

    def _open(self) -> None:
        if self.items:
            self.open_app.emit(self.items[self.current].ref)

    # A click on the banner (not on its buttons) opens the app: the left button pressed and
    # released on it, like a button (not a right click, nor a press that started elsewhere).
    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._pressed = event.button() == Qt.MouseButton.LeftButton
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        pressed, self._pressed = self._pressed, False
        if (pressed and event.button() == Qt.MouseButton.LeftButton
                and self.rect().contains(event.position().toPoint())):
            self._open()
        event.accept()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pix = self._pixmap()
        key = pix.cacheKey() if pix is not None else 0
        if key not in self._tints:
            self._tints[key] = _tint(pix)
        base = self._tints[key]
        grad = QLinearGradient(0, 0, self.width(), self.height())
        grad.setColorAt(0, base.darker(LIGHT_END))
        grad.setColorAt(1, base.darker(DARK_END))
        path = QPainterPath()
        path.addRoundedRect(QRectF(self.rect()), 16, 16)
        p.fillPath(path, grad)
        p.end()
