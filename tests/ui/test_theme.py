"""The themes: every text and icon pair meets WCAG AA (computed with WCAG's formula), and the
controls a style sheet used to spoil show what they should (a drop-down's chosen item, a tick,
dialog buttons without icons, headings bold in Chinese too)."""

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QStyle,
    QStyleOptionButton,
)
from pytestqt.qtbot import QtBot

from appstore.ui import images, theme
from appstore.ui.app import DesktopApp

THEMES = ("light", "dark")


@pytest.fixture
def app(qapp: QApplication) -> Iterator[QApplication]:
    yield qapp
    theme.apply(qapp, "light")  # as the other tests expect


def test_wcag_formula() -> None:
    """The formula itself, on values WCAG's own examples give."""
    assert theme.contrast(QColor("#000000"), QColor("#ffffff")) == pytest.approx(21.0)
    assert theme.contrast(QColor("#777777"), QColor("#ffffff")) == pytest.approx(4.48, abs=0.01)
    assert theme.contrast(QColor("#ffffff"), QColor("#6d9cff")) < 3  # the old dark primary button


@pytest.mark.parametrize("name", THEMES)
def test_every_pair_of_the_theme_meets_wcag_aa(name: str) -> None:
    c = theme.colors(name)
    low = [(fg, bg, round(theme.contrast(c[fg], c[bg]), 2)) for fg, bg, least in theme.PAIRS
           if theme.contrast(c[fg], c[bg]) < least]
    assert low == []


@pytest.mark.parametrize("name", THEMES)
def test_the_palette_pairs_meet_wcag_aa(app: QApplication, name: str) -> None:
    theme.apply(app, name)
    pal = app.palette()
    role = QPalette.ColorRole
    pairs = [(role.WindowText, role.Window), (role.Text, role.Base), (role.Text, role.AlternateBase),
             (role.ButtonText, role.Button), (role.HighlightedText, role.Highlight),
             (role.PlaceholderText, role.Base), (role.ToolTipText, role.ToolTipBase),
             (role.Link, role.Base), (role.Link, role.Window)]
    low = [(fg.name, bg.name, round(theme.contrast(pal.color(fg), pal.color(bg)), 2)) for fg, bg in pairs
           if theme.contrast(pal.color(fg), pal.color(bg)) < 4.5]
    assert low == []


def _count(image: QImage, rect: QRect, color: QColor, tolerance: int = 40) -> int:
    """Pixels in ``rect`` within ``tolerance`` (sum of channel differences) of ``color``."""
    n = 0
    for y in range(rect.top(), rect.bottom() + 1):
        for x in range(rect.left(), rect.right() + 1):
            p = image.pixelColor(x, y)
            if abs(p.red() - color.red()) + abs(p.green() - color.green()) + abs(p.blue() - color.blue()) \
                    <= tolerance:
                n += 1
    return n


@pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")
@pytest.mark.parametrize("name", THEMES)
def test_a_drop_downs_chosen_and_hovered_items_show_their_text(app: QApplication, qtbot: QtBot,
                                                              name: str) -> None:
    theme.apply(app, name)
    c = theme.colors(name)
    combo = QComboBox()
    qtbot.addWidget(combo)
    combo.addItems(["English", "简体中文", "Third choice"])
    combo.setCurrentIndex(1)
    combo.show()
    combo.showPopup()  # (as a list below the field: the style sheet's combobox-popup: 0)
    view = combo.view()
    qtbot.waitUntil(view.isVisible)
    view.setCurrentIndex(combo.model().index(1, 0))
    image = view.grab().toImage()
    combo.hidePopup()
    chosen = view.visualRect(combo.model().index(1, 0))
    other = view.visualRect(combo.model().index(2, 0))
    assert _count(image, chosen, c["accent_fill"]) > chosen.width() * chosen.height() // 3
    assert _count(image, chosen, c["on_accent"], 120) > 10  # the text, on the highlight
    assert _count(image, other, c["text"], 120) > 10  # and the other items' text


@pytest.mark.parametrize("name", THEMES)
def test_a_ticked_box_shows_a_tick(app: QApplication, qtbot: QtBot, name: str) -> None:
    theme.apply(app, name)
    c = theme.colors(name)
    box = QCheckBox("Keep the DApp's data")
    qtbot.addWidget(box)
    box.resize(box.sizeHint())
    option = QStyleOptionButton()
    option.initFrom(box)
    indicator = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
    size = indicator.width()
    assert size >= 14
    box.setChecked(True)
    ticked = box.grab().toImage()
    assert _count(ticked, indicator, c["accent_fill"]) > size * size // 3
    assert _count(ticked, indicator, c["on_accent"], 120) >= size  # the tick's stroke
    box.setChecked(False)
    empty = box.grab().toImage()
    assert _count(empty, indicator, c["accent_fill"]) == 0


def test_dialog_buttons_have_no_icons(app: QApplication, qtbot: QtBot) -> None:
    """Fusion's icons were dark on the dark theme (Close) and a folder on Open."""
    theme.apply(app, "dark")
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close | QDialogButtonBox.StandardButton.Open)
    qtbot.addWidget(buttons)
    buttons.show()
    for b in buttons.buttons():
        assert b.icon().isNull()


def _ink(label: QLabel) -> int:
    """How many dark pixels the label's text paints (a bolder face paints more)."""
    image = label.grab().toImage()
    return sum(1 for y in range(image.height()) for x in range(image.width())
               if image.pixelColor(x, y).lightness() < 100)


def test_headings_are_bold_in_chinese_too(app: QApplication, qtbot: QtBot) -> None:
    """A page title in Chinese paints visibly more ink than the same words at normal weight:
    the Chinese font has no bold face, so the heading must ask for a weight Qt emboldens."""
    theme.apply(app, "light")
    heading, plain = QLabel("钱包 新闻 游戏"), QLabel("钱包 新闻 游戏")
    heading.setObjectName("pageTitle")
    plain.setStyleSheet("font-size: 22px; font-weight: 400;")
    for label in (heading, plain):
        qtbot.addWidget(label)
        label.resize(label.sizeHint())
    assert _ink(heading) > _ink(plain) * 1.15


def _squircle(color: str, size: int = 64) -> QPixmap:
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(color))
    p.drawRoundedRect(QRectF(6, 6, size - 12, size - 12), 14, 14)
    p.end()
    return pix


def test_an_icon_that_melts_into_the_dark_cards_gets_a_ring(qapp: QApplication) -> None:
    navy = _squircle("#1b2233")  # as BCD Market Data's icon
    edge = images.edge_color(navy.toImage())
    assert edge is not None and theme.contrast(edge, QColor("#1b2233")) < 1.1
    assert images.needs_ring(edge, "dark") and not images.needs_ring(edge, "light")
    bright = images.edge_color(_squircle("#e99a14").toImage())  # Quick Notes' orange: its own look
    assert not images.needs_ring(bright, "dark") and not images.needs_ring(bright, "light")
    c = theme.colors("dark")
    ring = images.ringed(navy, c["icon_ring"]).toImage()
    # just outside the squircle's straight left edge (x = 6), the ring; further out, nothing
    assert theme.contrast(ring.pixelColor(5, 32), c["card"]) >= 3
    assert ring.pixelColor(3, 32).alpha() == 0
    assert ring.pixelColor(32, 32) == QColor("#1b2233")  # the icon itself is unchanged


def test_the_demo_stores_dark_icon_has_its_ring_on_the_dark_theme_only(desktop: DesktopApp,
                                                                       qtbot: QtBot) -> None:
    from appstore.ui.models import ICON_SIZE

    loader = desktop.window.images
    app = desktop.controller.view.find("org.imapp.bcdmarket").app  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: loader.pixmap(app.store, app.icon, ICON_SIZE) is not None, timeout=10000)
    light = loader.pixmap(app.store, app.icon, ICON_SIZE)
    try:
        theme.apply(desktop.app, "dark")
        dark = loader.pixmap(app.store, app.icon, ICON_SIZE)
    finally:
        theme.apply(desktop.app, "light")
    assert light is not None and dark is not None and light.cacheKey() != dark.cacheKey()
    assert loader.pixmap(app.store, app.icon, ICON_SIZE).cacheKey() == light.cacheKey()  # type: ignore[union-attr]
    ring = theme.colors("dark")["icon_ring"]
    raw, image = light.toImage(), dark.toImage()
    y = image.height() // 2
    outside = [x for x in range(image.width() // 2) if raw.pixelColor(x, y).alpha() == 0
               and image.pixelColor(x, y).alpha() > 0]  # painted around the icon: the ring
    assert outside
    painted = image.pixelColor(outside[-1], y)
    assert abs(painted.red() - ring.red()) + abs(painted.green() - ring.green()) \
        + abs(painted.blue() - ring.blue()) <= 6


def test_the_featured_banner_keeps_white_text_readable(qapp: QApplication) -> None:
    from appstore.ui.featured import LIGHT_END, _tint

    for color in ("#e99a14", "#ffe066", "#ffffff", "#1b2233", "#2563eb"):  # yellow, pale, white…
        tint = _tint(_squircle(color))
        assert theme.contrast(QColor("white"), tint.darker(LIGHT_END)) >= 4.5
    assert _tint(_squircle("#1b2233")) == QColor("#1b2233")  # dark enough already: unchanged


def test_no_semi_bold_where_chinese_can_show() -> None:
    """Semi-bold (600) turns Latin words bold and leaves Chinese ones regular (their font has one
    weight; Qt emboldens from 700 up): headings, names and figures ask for bold instead."""
    from pathlib import Path

    ui = Path(images.__file__).parent
    found = [f"{p.relative_to(ui)}:{n}" for p in sorted(ui.rglob("*.py"))
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if "DemiBold" in line or "font-weight: 600" in line]
    assert found == []
