"""The DApp window's back, forward and reload icons: drawn in the theme's text colour, and plainly
off when disabled (Fusion's own looked the same either way in the light theme)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QIcon, QImage, QPalette
from PySide6.QtWidgets import QApplication

from appstore.ui import theme
from appstore.ui.host.chromeicons import chrome_icon


def _ink(icon: QIcon, mode: QIcon.Mode) -> tuple[QColor, int]:
    """The strongest pixel of ``icon`` in ``mode``, and how many pixels it inks."""
    image = icon.pixmap(48, 48, mode).toImage().convertToFormat(QImage.Format.Format_ARGB32)
    best, inked = QColor(0, 0, 0, 0), 0
    for y in range(image.height()):
        for x in range(image.width()):
            c = image.pixelColor(x, y)
            inked += c.alpha() > 0
            if c.alpha() > best.alpha():
                best = c
    return best, inked


@pytest.mark.parametrize("name", ["light", "dark"])
@pytest.mark.parametrize("kind", ["back", "forward", "reload"])
def test_enabled_in_the_text_colour_disabled_faint(qapp: QApplication, name: str, kind: str) -> None:
    colors = theme.colors(name)
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.WindowText, colors["text"])
    text = colors["text"]
    icon = chrome_icon(kind, palette)
    on, inked = _ink(icon, QIcon.Mode.Normal)
    off, _ = _ink(icon, QIcon.Mode.Disabled)
    assert inked > 100  # a drawn shape, not an empty pixmap
    assert (on.red(), on.green(), on.blue()) == (text.red(), text.green(), text.blue())
    assert on.alpha() == 255 and off.alpha() < 0.35 * 255
    assert theme.contrast(on, colors["window"]) >= 3  # WCAG AA for icons, on the toolbar
