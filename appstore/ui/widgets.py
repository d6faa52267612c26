"""Small widgets shared by the pages: the error banner, flow of category chips, clickable label."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLayout, QPushButton, QWidget


class Banner(QFrame):
    """A non-blocking message with Retry and Close. Signals: ``retry()``."""

    retry = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 8, 8)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = QPushButton(self.tr("Retry"))
        self.retry_button.clicked.connect(self.retry)
        close = QPushButton(self.tr("Dismiss"))
        close.clicked.connect(self.hide)
        row.addWidget(self.text, 1)
        row.addWidget(self.retry_button)
        row.addWidget(close)
        self.hide()

    def show_message(self, text: str, can_retry: bool = True) -> None:
        self.text.setText(text)
        self.retry_button.setVisible(can_retry)
        self.show()


class ClickableLabel(QLabel):
    """A label that emits ``clicked()``."""

    clicked = Signal()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


def section_title(text: str) -> QLabel:
    """A heading inside a page (styled by the theme's ``sectionTitle``)."""
    label = QLabel(text)
    label.setObjectName("sectionTitle")
    label.setContentsMargins(0, 8, 0, 0)
    return label


def clear_layout(layout: QLayout) -> None:
    """Remove every item of ``layout``, deleting its widgets."""
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.deleteLater()


def chip(text: str, on_click: Callable[[], None]) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName("chip")
    button.setCheckable(True)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.clicked.connect(on_click)
    return button
