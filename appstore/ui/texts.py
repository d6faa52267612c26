"""Wording shared by several pages: permissions and ages (from the core's one table, shared with
the CLI) in the GUI's language, and sizes (a Qt plural)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from appstore.core import wording
from appstore.core.units import human_size

if TYPE_CHECKING:
    from appstore.core.downloads import Progress

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

    def progress(self, done: int, total: int, speed_bps: int, eta_seconds: float | None) -> str:
        """``1.2 MB of 4.5 MB · 300 KB/s · 10 s left`` (a download's progress in words)."""
        parts = [self.tr("%1 of %2").replace("%1", self.size(done)).replace("%2", self.size(total))]
        if speed_bps:
            parts.append(self.tr("%1/s").replace("%1", self.size(speed_bps)))
        if eta_seconds is not None:
            secs = int(eta_seconds)
            parts.append(self.tr("%n s left", "", secs) if secs < 90 else
                         self.tr("%n min left", "", (secs + 30) // 60))
        return " · ".join(parts)


def permission(key: str, lang: str | None = None) -> str:
    """What permission ``key`` lets an app do (an unknown key is worded as not granted)."""
    return wording.permission(key, lang or _lang)


def size(n: int) -> str:
    return Wording().size(n)


def progress(p: Progress) -> str:
    return Wording().progress(p.done, p.total, p.speed_bps, p.eta_seconds)


def age(iso: str | None, lang: str | None = None) -> str:
    return wording.age(iso, lang or _lang)
