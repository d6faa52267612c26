"""Light and dark themes (Fusion with our palette and a small style sheet); follows the
system's colour scheme unless the user picks one."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from appstore.ui.style import ImappStyle

THEMES = ("system", "light", "dark")

# What each colour is for: ``accent`` is text and lines (links, categories, the focus ring) on
# the backgrounds; ``accent_fill`` the background of primary buttons, the chosen navigation item,
# chips and ticked boxes, with ``on_accent`` on it; ``icon_ring`` outlines an app icon that would
# melt into the card behind it (images.py). PAIRS below says what is drawn on what.
_COLORS = {
    "light": {"window": "#f6f7f9", "base": "#ffffff", "alt": "#eef1f5", "text": "#1d2330",
              "muted": "#5f6b7a", "accent": "#2563eb", "accent_fill": "#2563eb",
              "on_accent": "#ffffff", "border": "#dde2e8", "card": "#ffffff",
              "hover": "#f0f4ff", "danger": "#b42318", "banner": "#fff4e5", "ok": "#147a38",
              "icon_ring": "#7b8594"},
    "dark": {"window": "#15181e", "base": "#1c2028", "alt": "#232834", "text": "#e7eaf0",
             "muted": "#9aa4b2", "accent": "#6d9cff", "accent_fill": "#3468e0",
             "on_accent": "#ffffff", "border": "#2d3340", "card": "#1f2430",
             "hover": "#273047", "danger": "#ff8a80", "banner": "#3a2f1c", "ok": "#4ade80",
             "icon_ring": "#7d8799"},
}

# (foreground, background, least WCAG contrast): every pair the pages draw. WCAG 2.1 AA: 4.5 for
# text, 3 for large text and for icons and the parts of a control (tests/ui/test_theme.py).
_GROUNDS = ("window", "base", "alt", "card", "hover", "banner")
PAIRS: tuple[tuple[str, str, float], ...] = (
    *((fg, bg, 4.5) for fg in ("text", "muted", "accent", "danger", "ok") for bg in _GROUNDS),
    ("on_accent", "accent_fill", 4.5),  # primary buttons, the chosen page, chips, ticks
    ("accent_fill", "base", 3.0), ("accent_fill", "window", 3.0),  # a ticked box, a primary button
    ("muted", "base", 3.0),  # an empty check box's edge
    *(("icon_ring", bg, 3.0) for bg in ("window", "card", "hover")),
)


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG 2.1 contrast ratio of two opaque colours (1 to 21)."""
    def luminance(c: QColor) -> float:
        def linear(v: int) -> float:
            s = v / 255
            return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4
        return 0.2126 * linear(c.red()) + 0.7152 * linear(c.green()) + 0.0722 * linear(c.blue())

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def resolve(choice: str) -> str:
    """'light' or 'dark' for a user choice of 'system', 'light' or 'dark'."""
    if choice in ("light", "dark"):
        return choice
    scheme = QGuiApplication.styleHints().colorScheme()
    return "dark" if scheme == Qt.ColorScheme.Dark else "light"


def current() -> str:
    """The theme in use ('light' or 'dark')."""
    app = QApplication.instance()
    return str(app.property("imapp_theme") or "light") if app is not None else "light"


@cache
def colors(name: str) -> dict[str, QColor]:
    """The theme's colours (shared: do not modify)."""
    return {k: QColor(v) for k, v in _COLORS[name].items()}


_style: ImappStyle | None = None  # the application's (under the style sheet, app.style() is not it)


def apply(app: QApplication, choice: str) -> str:
    from appstore.ui.style import ImappStyle

    global _style
    name = resolve(choice)
    c = _COLORS[name]
    if _style is not None and shiboken6.isValid(_style):
        _style.set_colors(colors(name))  # (the style sheet set below repaints everything)
    else:
        _style = ImappStyle(colors(name))
        app.setStyle(_style)
    pal = QPalette()
    role = QPalette.ColorRole
    for r, key in ((role.Window, "window"), (role.Base, "base"), (role.AlternateBase, "alt"),
                   (role.Text, "text"), (role.WindowText, "text"), (role.ButtonText, "text"),
                   (role.Button, "base"), (role.Highlight, "accent_fill"), (role.Link, "accent"),
                   (role.HighlightedText, "on_accent"), (role.ToolTipBase, "base"),
                   (role.ToolTipText, "text"), (role.PlaceholderText, "muted"), (role.Mid, "border")):
        pal.setColor(r, QColor(c[key]))
    pal.setColor(QPalette.ColorGroup.Disabled, role.Text, QColor(c["muted"]))
    pal.setColor(QPalette.ColorGroup.Disabled, role.ButtonText, QColor(c["muted"]))
    app.setPalette(pal)
    app.setStyleSheet(STYLE.format(**c))
    app.setProperty("imapp_theme", name)
    return name


# Headings are bold (700), not semi-bold: Chinese fonts such as WenQuanYi Micro Hei have one
# weight, and Qt makes a synthetic bold only from 700 up; at 600 the Latin words turned bold
# beside regular Chinese ones.
STYLE = """
QWidget#nav {{ background: {alt}; border-right: 1px solid {border}; }}
QListWidget#navList {{ background: transparent; border: none; font-size: 14px; outline: 0; }}
QListWidget#navList::item {{ padding: 9px 12px; margin: 2px 8px; border-radius: 8px; color: {text}; }}
QListWidget#navList::item:selected {{ background: {accent_fill}; color: {on_accent}; }}
QListWidget#navList::item:hover:!selected {{ background: {hover}; }}
QLabel#brand {{ font-size: 17px; font-weight: 700; padding: 16px 18px 10px 18px; }}
QLabel#pageTitle {{ font-size: 22px; font-weight: 700; }}
QLabel#sectionTitle {{ font-size: 15px; font-weight: 700; }}
QLabel#muted, QLabel[muted="true"] {{ color: {muted}; }}
QLabel#appName {{ font-size: 24px; font-weight: 700; }}
QLabel#balance {{ font-size: 28px; font-weight: 700; }}
QLabel#balanceSmall {{ font-size: 18px; font-weight: 500; }}
QLabel#danger {{ color: {danger}; }}
QLabel#mono {{ font-family: "DejaVu Sans Mono", monospace; }}
QLineEdit#search {{ padding: 8px 12px; border: 1px solid {border}; border-radius: 18px;
                   background: {base}; font-size: 14px; }}
QLineEdit#search:focus {{ border-color: {accent}; }}
QLineEdit, QComboBox {{ padding: 5px 8px; border: 1px solid {border}; border-radius: 6px;
                       background: {base}; color: {text}; }}
QComboBox:focus, QLineEdit:focus {{ border-color: {accent}; }}
QComboBox {{ min-width: 220px; combobox-popup: 0; }}
QComboBox QAbstractItemView {{ background: {base}; color: {text}; border: 1px solid {border};
                              padding: 4px; outline: 0; selection-background-color: {accent_fill};
                              selection-color: {on_accent}; }}
QComboBox QAbstractItemView::item {{ min-height: 26px; padding: 0 8px; border-radius: 4px; }}
QComboBox QAbstractItemView::item:hover {{ background: {hover}; color: {text}; }}
QComboBox QAbstractItemView::item:selected {{ background: {accent_fill}; color: {on_accent}; }}
QDialogButtonBox {{ dialogbuttonbox-buttons-have-icons: 0; }}
QPushButton {{ padding: 6px 14px; border: 1px solid {border}; border-radius: 6px; background: {base};
              color: {text}; }}
QPushButton:hover {{ border-color: {accent}; }}
QPushButton:focus {{ border-color: {accent}; }}
QPushButton#primary {{ background: {accent_fill}; color: {on_accent}; border: none; font-weight: 700; }}
QPushButton#primary:focus {{ border: 2px solid {text}; }}
QPushButton:disabled, QPushButton#primary:disabled {{ background: {alt}; color: {muted};
                                                     border: 1px solid {border}; }}
QCheckBox {{ spacing: 8px; }}
QCheckBox::indicator {{ width: 16px; height: 16px; }}
QPushButton#chip {{ border-radius: 12px; padding: 4px 14px; }}
QPushButton#chip:checked {{ background: {accent_fill}; color: {on_accent}; border-color: {accent_fill}; }}
QPushButton#link {{ border: none; color: {accent}; padding: 4px; background: transparent; }}
QFrame#banner {{ background: {banner}; border: 1px solid {border}; border-radius: 8px; }}
QFrame#card {{ background: {card}; border: 1px solid {border}; border-radius: 10px; }}
QFrame#featured {{ border-radius: 14px; }}
QTableView {{ border: 1px solid {border}; border-radius: 6px; background: {base};
              alternate-background-color: {alt}; gridline-color: {border}; }}
QHeaderView::section {{ background: {alt}; color: {text}; border: none; border-bottom: 1px solid {border};
                       padding: 5px 8px; }}
QListView#apps {{ background: transparent; border: none; outline: 0; }}
QScrollArea {{ border: none; background: transparent; }}
QScrollArea > QWidget > QWidget {{ background: transparent; }}
QStatusBar {{ color: {muted}; padding-left: 12px; }}
QStatusBar QLabel {{ padding-left: 12px; }}
QToolTip {{ background: {base}; color: {text}; border: 1px solid {border}; padding: 4px; }}
QScrollBar:vertical {{ background: transparent; width: 12px; margin: 2px; }}
QScrollBar::handle:vertical {{ background: {border}; border-radius: 4px; min-height: 32px; }}
QScrollBar::handle:vertical:hover {{ background: {muted}; }}
QScrollBar:horizontal {{ background: transparent; height: 12px; margin: 2px; }}
QScrollBar::handle:horizontal {{ background: {border}; border-radius: 4px; min-width: 32px; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: transparent; }}
"""
