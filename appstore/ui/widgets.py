"""Small widgets shared by the pages: the error banner, category chips, clickable label, and the
labels and links that show a store's strings as data, never as markup."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QDesktopServices, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from appstore.core.catalog.models import url_problem
from appstore.ui.texts import core_text

WEB_SCHEMES = ("http", "https")


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label that shows ``text`` as it is: a store's ``<h1>`` is five characters, not a heading.

    (A ``QLabel`` guesses by default, and renders anything that looks like HTML as HTML.)
    """
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


class _WheelToPage(QObject):
    """Scrolling a page over a drop-down scrolls the page: the wheel changes a drop-down's value
    only once it has the focus (a filter must not change because the page moved under it)."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() != QEvent.Type.Wheel or not isinstance(obj, QWidget) or obj.hasFocus():
            return False
        area = obj.parentWidget()
        while area is not None and not isinstance(area, QAbstractScrollArea):
            area = area.parentWidget()
        if area is not None:
            QCoreApplication.sendEvent(area.viewport(), event)
        return True


_wheel_to_page = _WheelToPage()


def wheel_scrolls_page(*widgets: QWidget) -> None:
    """Make the mouse wheel over ``widgets`` (drop-downs on a scrolling page) scroll the page
    unless the widget has the focus."""
    for w in widgets:
        w.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        w.installEventFilter(_wheel_to_page)


def safe_link(url: str) -> str | None:
    """``url`` if it is a plain http(s) link to a host (no quotes, angle brackets, backslashes,
    whitespace or control characters), else None: then show it as text, never as a link."""
    if not isinstance(url, str) or url_problem(url) is not None:
        return None
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return None
    from PySide6.QtCore import QUrl  # (its five enums are made when first named: not at start)

    qurl = QUrl(url, QUrl.ParsingMode.StrictMode)
    if (parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname or not qurl.isValid()
            or qurl.scheme().lower() not in WEB_SCHEMES or not qurl.host()):
        return None
    return url


def link_html(url: str, text: str | None = None) -> str | None:
    """``<a href="url">text</a>``, both escaped, for a ``safe_link``; else None."""
    import html  # (with its table of entities: not what a start needs)

    if safe_link(url) is None:
        return None
    href = html.escape(url, quote=True)
    return f'<a href="{href}">{html.escape(url if text is None else text, quote=True)}</a>'


def open_link(url: str) -> bool:
    """Open ``url`` in the browser if it is an http(s) link (``safe_link``); anything else (a
    ``javascript:``, ``file:`` or relative link) is refused. Returns whether it was opened."""
    if safe_link(url) is None:
        return False
    from PySide6.QtCore import QUrl

    return QDesktopServices.openUrl(QUrl(url, QUrl.ParsingMode.StrictMode))


def link_label(url: str, text: str | None = None,
               on_link: Callable[[str], object] = open_link) -> QLabel:
    """A label with ``url`` as a link (clicked: ``on_link(url)``, by default ``open_link``), or as
    plain text if it is not a ``safe_link``."""
    rich = link_html(url, text)
    if rich is None:
        return plain_label(url if text is None else text)
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setText(rich)
    label.setOpenExternalLinks(False)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                  | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
    label.linkActivated.connect(on_link)
    return label


class Banner(QFrame):
    """A non-blocking message with Retry and Close. Signals: ``retry()``."""

    retry = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 8, 8)
        self.text = plain_label()  # messages can quote a store's values
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
        """Show ``text``; a message of the core's is shown in the GUI's language."""
        self.text.setText(core_text(text))
        self.retry_button.setVisible(can_retry)
        self.show()


class ClickableLabel(QLabel):
    """A label that emits ``clicked()`` when the left button is pressed and released on it."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._pressed = False

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._pressed = True
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        pressed, self._pressed = self._pressed, False
        if (event.button() == Qt.MouseButton.LeftButton and pressed
                and self.rect().contains(event.position().toPoint())):
            self.clicked.emit()
        super().mouseReleaseEvent(event)


def section_title(text: str) -> QLabel:
    """A heading inside a page (styled by the theme's ``sectionTitle``)."""
    label = plain_label(text)
    label.setObjectName("sectionTitle")
    label.setContentsMargins(0, 8, 0, 0)
    return label


def card_frame(name: str = "card") -> tuple[QFrame, QVBoxLayout]:
    """A page's card (styled by the theme's ``card``, or ``name``) and its column."""
    frame = QFrame()
    frame.setObjectName(name)
    col = QVBoxLayout(frame)
    col.setContentsMargins(18, 14, 18, 14)
    col.setSpacing(6)
    return frame, col


def banner_frame() -> tuple[QFrame, QHBoxLayout]:
    """A notice across a page (styled by the theme's ``banner``) and its row."""
    frame = QFrame()
    frame.setObjectName("banner")
    row = QHBoxLayout(frame)
    row.setContentsMargins(12, 8, 8, 8)
    return frame, row


def clear_layout(layout: QLayout) -> None:
    """Remove every item of ``layout``, deleting its widgets."""
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.deleteLater()


def button_text(text: str) -> str:
    """``text`` for a button, shown as it is: ``&`` would otherwise mark a shortcut key."""
    return text.replace("&", "&&")


def chip(text: str, on_click: Callable[[], None]) -> QPushButton:
    """A category chip; ``text`` may be a store's and is shown as it is."""
    button = QPushButton(button_text(text))
    button.setObjectName("chip")
    button.setCheckable(True)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.clicked.connect(on_click)
    return button
