"""Light and dark themes (Fusion with our palette and a small style sheet); follows the
system's colour scheme unless the user picks one."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("system", "light", "dark")

_COLORS = {
    "light": {"window": "#f6f7f9", "base": "#ffffff", "alt": "#eef1f5", "text": "#1d2330",
              "muted": "#5f6b7a", "accent": "#2563eb", "border": "#dde2e8", "card": "#ffffff",
              "hover": "#f0f4ff", "danger": "#b42318", "banner": "#fff4e5", "ok": "#15803d"},
    "dark": {"window": "#15181e", "base": "#1c2028", "alt": "#232834", "text": "#e7eaf0",
             "muted": "#9aa4b2", "accent": "#6d9cff", "border": "#2d3340", "card": "#1f2430",
             "hover": "#273047", "danger": "#ff8a80", "banner": "#3a2f1c", "ok": "#4ade80"},
}


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


def apply(app: QApplication, choice: str) -> str:
    name = resolve(choice)
    c = _COLORS[name]
    app.setStyle("Fusion")
    pal = QPalette()
    role = QPalette.ColorRole
    for r, key in ((role.Window, "window"), (role.Base, "base"), (role.AlternateBase, "alt"),
                   (role.Text, "text"), (role.WindowText, "text"), (role.ButtonText, "text"),
                   (role.Button, "base"), (role.Highlight, "accent"), (role.Link, "accent"),
                   (role.ToolTipBase, "base"), (role.ToolTipText, "text"),
                   (role.PlaceholderText, "muted"), (role.Mid, "border")):
        pal.setColor(r, QColor(c[key]))
    pal.setColor(role.HighlightedText, QColor("#ffffff"))
    pal.setColor(QPalette.ColorGroup.Disabled, role.Text, QColor(c["muted"]))
    pal.setColor(QPalette.ColorGroup.Disabled, role.ButtonText, QColor(c["muted"]))
    app.setPalette(pal)
    app.setStyleSheet(STYLE.format(**c))
    app.setProperty("imapp_theme", name)
    return name


STYLE = """
QWidget#nav {{ background: {alt}; border-right: 1px solid {border}; }}
QListWidget#navList {{ background: transparent; border: none; font-size: 14px; outline: 0; }}
QListWidget#navList::item {{ padding: 9px 12px; margin: 2px 8px; border-radius: 8px; color: {text}; }}
QListWidget#navList::item:selected {{ background: {accent}; color: white; }}
QListWidget#navList::item:hover:!selected {{ background: {hover}; }}
QLabel#brand {{ font-size: 17px; font-weight: 600; padding: 16px 18px 10px 18px; }}
QLabel#pageTitle {{ font-size: 22px; font-weight: 600; }}
QLabel#sectionTitle {{ font-size: 15px; font-weight: 600; }}
QLabel#muted, QLabel[muted="true"] {{ color: {muted}; }}
QLabel#appName {{ font-size: 24px; font-weight: 600; }}
QLabel#balance {{ font-size: 28px; font-weight: 600; }}
QLabel#balanceSmall {{ font-size: 18px; font-weight: 500; }}
QLabel#danger {{ color: {danger}; }}
QLabel#mono {{ font-family: "DejaVu Sans Mono", monospace; }}
QLineEdit#search {{ padding: 8px 12px; border: 1px solid {border}; border-radius: 18px;
                   background: {base}; font-size: 14px; }}
QLineEdit#search:focus {{ border-color: {accent}; }}
QLineEdit, QComboBox {{ padding: 5px 8px; border: 1px solid {border}; border-radius: 6px;
                       background: {base}; }}
QComboBox {{ min-width: 220px; }}
QComboBox QAbstractItemView {{ background: {base}; border: 1px solid {border};
                              selection-background-color: {accent}; }}
QPushButton {{ padding: 6px 14px; border: 1px solid {border}; border-radius: 6px; background: {base}; }}
QPushButton:hover {{ border-color: {accent}; }}
QPushButton#primary {{ background: {accent}; color: white; border: none; font-weight: 600; }}
QPushButton:disabled, QPushButton#primary:disabled {{ background: {alt}; color: {muted};
                                                     border: 1px solid {border}; }}
QCheckBox::indicator {{ width: 15px; height: 15px; border: 1px solid {muted}; border-radius: 3px;
                       background: {base}; }}
QCheckBox::indicator:checked {{ background: {accent}; border-color: {accent}; }}
QPushButton#chip {{ border-radius: 12px; padding: 4px 14px; }}
QPushButton#chip:checked {{ background: {accent}; color: white; border-color: {accent}; }}
QPushButton#link {{ border: none; color: {accent}; padding: 4px; background: transparent; }}
QFrame#banner {{ background: {banner}; border: 1px solid {border}; border-radius: 8px; }}
QFrame#card {{ background: {card}; border: 1px solid {border}; border-radius: 10px; }}
QFrame#featured {{ border-radius: 14px; }}
QListView#apps {{ background: transparent; border: none; outline: 0; }}
QScrollArea {{ border: none; background: transparent; }}
QScrollArea > QWidget > QWidget {{ background: transparent; }}
QStatusBar {{ color: {muted}; padding-left: 12px; }}
QStatusBar QLabel {{ padding-left: 12px; }}
QScrollBar:vertical {{ background: transparent; width: 12px; margin: 2px; }}
QScrollBar::handle:vertical {{ background: {border}; border-radius: 4px; min-height: 32px; }}
QScrollBar::handle:vertical:hover {{ background: {muted}; }}
QScrollBar:horizontal {{ background: transparent; height: 12px; margin: 2px; }}
QScrollBar::handle:horizontal {{ background: {border}; border-radius: 4px; min-width: 32px; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: transparent; }}
"""
