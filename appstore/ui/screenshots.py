"""A larger look at an app's screenshots: arrows or ←/→ to move, Esc to close."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from appstore.core.catalog.models import App, localized
from appstore.ui import texts
from appstore.ui.images import ImageLoader, image_key
from appstore.ui.widgets import plain_label

LARGE = QSize(1280, 800)


class ScreenshotViewer(QDialog):
    def __init__(self, images: ImageLoader, app: App, index: int, parent: QWidget | None = None,
                 *, shots: Sequence[str] | None = None) -> None:
        """``shots``: the screenshots to page through (the app page's language set); by
        default, those of the UI's language."""
        super().__init__(parent)
        self.images = images
        self.app = app
        self.shots = tuple(shots) if shots is not None else app.screenshots_for(texts.language())
        self.index = index
        # a window title is plain text, but for "[*]" (the unsaved-changes mark): doubled, it shows
        name = localized(app.name, texts.language()).replace("[*]", "[*][*]")
        self.setWindowTitle(self.tr("Screenshots of %1").replace("%1", name))
        self.resize(1000, 680)
        self.picture = plain_label()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setMinimumSize(640, 400)
        self.counter = plain_label()
        self.prev = QPushButton(self.tr("‹ Previous"))
        self.next = QPushButton(self.tr("Next ›"))
        close = QPushButton(self.tr("Close"))
        self.prev.clicked.connect(lambda: self.go(self.index - 1))
        self.next.clicked.connect(lambda: self.go(self.index + 1))
        close.clicked.connect(self.accept)
        bar = QHBoxLayout()
        bar.addWidget(self.prev)
        bar.addWidget(self.next)
        bar.addStretch(1)
        bar.addWidget(self.counter)
        bar.addStretch(1)
        bar.addWidget(close)
        col = QVBoxLayout(self)
        col.addWidget(self.picture, 1)
        col.addLayout(bar)
        images.loaded.connect(self._loaded)
        # Shortcuts, not keyPressEvent: a focused button takes the arrow keys to move the focus
        for key, step in ((Qt.Key.Key_Left, -1), (Qt.Key.Key_Right, 1)):
            QShortcut(QKeySequence(key), self, lambda step=step: self.go(self.index + step))
        self.go(index)

    def go(self, i: int) -> None:
        shots = self.shots
        self.index = max(0, min(i, len(shots) - 1))
        self.counter.setText(f"{self.index + 1} / {len(shots)}")
        self.prev.setEnabled(self.index > 0)
        self.next.setEnabled(self.index < len(shots) - 1)
        self._show()

    def _show(self) -> None:
        pix = self.images.pixmap(self.app.store, self.shots[self.index], LARGE,
                                 kind="screenshot")
        if pix is None:
            self.picture.setText(self.tr("Loading…"))
        else:
            self.picture.setPixmap(pix.scaled(self.picture.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                              Qt.TransformationMode.SmoothTransformation))

    def _loaded(self, key: str) -> None:
        if key == image_key(self.app.store, self.shots[self.index], LARGE):
            self._show()
