"""Wording shared by several pages: permissions and ages (from the core's one table, shared with
the CLI) in the GUI's language, and sizes (a Qt plural)."""

from __future__ import annotations

from PySide6.QtCore import QObject

from appstore.core import wording
from appstore.core.units import human_size

_lang = "en"  # the GUI's language (``set_language``, called when translations are installed)


def set_language(lang: str) -> None:
    """Use ``lang`` (``en``, ``zh_CN``) for the wording below from now on."""
    global _lang
    _lang = lang


def language() -> str:
    return _lang


class Wording(QObject):
    """A QObject only so that lupdate finds these texts (plural forms included) under one
    context."""

    def size(self, n: int) -> str:
        """Bytes in words (one decimal; under 1 KB in bytes, translated)."""
        return human_size(n) or self.tr("%n byte(s)", "", n)


def permission(key: str, lang: str | None = None) -> str:
    """What permission ``key`` lets an app do (an unknown key is worded as not granted)."""
    return wording.permission(key, lang or _lang)


def size(n: int) -> str:
    return Wording().size(n)


def age(iso: str | None, lang: str | None = None) -> str:
    return wording.age(iso, lang or _lang)
