"""The News page's reader: a ``QTextBrowser`` that never loads anything by itself.

The item's HTML was sanitised before it was stored, its pictures are ``news-image:KEY``
resources decoded in a worker and handed to the document, and ``loadResource`` answers nothing
else (no file, no network).
"""

from __future__ import annotations

import html
import re
from typing import Any

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtGui import QFont, QResizeEvent, QTextDocument
from PySide6.QtWidgets import QTextBrowser

from appstore.core.news.sanitize import IMAGE_SCHEME
from appstore.ui import texts, theme
from appstore.ui.newsmodel import Opened

READER_WIDTH = 760  # the column text is set in, at most (lines longer than that tire the eye)


class Reader(QTextBrowser):
    """Shows one item. ``loadResource`` gives only pictures put in the document by ``show``;
    it never reads a file or the network. Signals: ``link(str)`` a link was clicked."""

    link = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("newsReader")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(lambda url: self.link.emit(url.toString()))
        self.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.setStyleSheet("QTextBrowser#newsReader { background: transparent; }")
        self.viewport().setAutoFillBackground(False)
        self.opened: Opened | None = None
        self._resize = QTimer(self)
        self._resize.setSingleShot(True)
        self._resize.setInterval(120)
        self._resize.timeout.connect(self._render)

    def loadResource(self, kind: int, url: QUrl | str) -> Any:  # noqa: N802 - Qt's name
        return None  # everything the document may show was added to it already

    def show_item(self, opened: Opened | None) -> None:
        self.opened = opened
        self._render()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self.opened is not None:
            self._resize.start()

    def _render(self) -> None:
        doc = QTextDocument(self)
        c = theme.colors(theme.current())
        doc.setDefaultStyleSheet(_STYLE.format(**{k: v.name() for k, v in c.items()}))
        font = QFont(self.font())
        font.setPixelSize(15)
        doc.setDefaultFont(font)
        doc.setDocumentMargin(24)
        if self.opened is None:
            self._use(doc, None)
            return
        item = self.opened.item
        width = max(120, min(READER_WIDTH, self.viewport().width()) - 56)
        for key, image in self.opened.images.items():
            doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(f"{IMAGE_SCHEME}:{key}"), image)

        def sized(m: re.Match[str]) -> str:
            key = m.group(1)
            image = self.opened.images.get(key) if self.opened else None
            if image is None:
                return ""  # not fetched (yet): nothing rather than a broken picture
            w = min(width, image.width())
            h = round(image.height() * w / max(1, image.width()))
            return f'<img src="{IMAGE_SCHEME}:{key}" width="{w}" height="{h}"'

        body = re.sub(r'<img src="' + IMAGE_SCHEME + r':([0-9a-f]+)"', sized, item.content)
        body = re.sub(r"<img(?![^>]*\bwidth=)[^>]*>", "", body)
        # a paragraph that is only a picture: no line spacing around it (it is one tall line)
        body = re.sub(r"<p>(\s*<img[^>]*>\s*)</p>", r'<p class="picture">\1</p>', body)
        row = item.row
        meta = " · ".join(p for p in (row.feed, texts.age(row.published), item.author) if p)
        doc.setHtml(f'<h1>{html.escape(row.title or self.tr("(untitled)"))}</h1>'
                    f'<p class="meta">{html.escape(meta)}</p>{body}')
        self._use(doc, width + 56)

    def _use(self, doc: QTextDocument, width: int | None) -> None:
        if width is None:
            self.setLineWrapMode(QTextBrowser.LineWrapMode.WidgetWidth)
        else:
            self.setLineWrapMode(QTextBrowser.LineWrapMode.FixedPixelWidth)
            self.setLineWrapColumnOrWidth(width)
        self.setDocument(doc)  # the previous one, a child of this browser, is deleted by Qt


_STYLE = """
h1 {{ font-size: 24px; font-weight: 700; color: {text}; margin-bottom: 4px; }}
h2 {{ font-size: 20px; font-weight: 700; margin-top: 18px; }}
h3, h4, h5, h6 {{ font-size: 16px; font-weight: 700; margin-top: 14px; }}
p {{ line-height: 160%; margin-top: 0px; margin-bottom: 14px; color: {text}; }}
p.picture {{ line-height: 100%; margin-bottom: 18px; }}
p.meta {{ color: {muted}; font-size: 13px; margin-bottom: 18px; }}
li {{ line-height: 150%; margin-bottom: 4px; }}
a {{ color: {accent}; text-decoration: none; }}
blockquote {{ color: {muted}; margin-left: 16px; }}
pre, code {{ font-family: "DejaVu Sans Mono", monospace; font-size: 13px; }}
pre {{ background: {alt}; }}
td, th {{ padding: 4px 8px; border: 1px solid {border}; }}
figcaption {{ color: {muted}; font-size: 13px; }}
"""
