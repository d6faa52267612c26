"""Wording shared by several pages: permissions and ages (from the core's one table, shared with
the CLI) in the GUI's language, and sizes (a Qt plural)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFontMetrics

from appstore.core import messages, wording
from appstore.core.catalog.models import localized
from appstore.core.errors import AppStoreError
from appstore.core.units import human_size

if TYPE_CHECKING:
    from appstore.core.downloads import Progress
    from appstore.core.store.manager import CatalogView

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
        """Bytes in words (one decimal; under 1 KB in bytes, translated), the number and its unit
        held together (a no-break space: a line never ends between "15.2" and "KB")."""
        return (human_size(n) or self.tr("%n byte(s)", "", n)).replace(" ", "\u00a0")

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


# Line breaking where we wrap text ourselves (the cards' and the news list's two-line summaries):
# a closing mark never starts a line and an opening one never ends one (Chinese "kinsoku"), and
# a Latin word is not cut while a space lets the line end before it.
NO_LINE_START = frozenset("，。、；：！？）」』”’》〉】〕〗｝］…‥·・ー々,.;:!?)]}%")
NO_LINE_END = frozenset("（「『“‘《〈【〔〖｛［([{")


def line_end(text: str, fits: int) -> int:
    """Where the first line of ``text`` ends, given that its first ``fits`` characters fit."""
    if fits >= len(text):
        return len(text)
    cut = max(1, fits)
    if _latin(text[cut - 1]) and _latin(text[cut]):  # inside a word: end at a space near it
        space = text.rfind(" ", 0, cut)
        if space > cut * 2 // 3:
            cut = space + 1
    while cut > 1 and (text[cut] in NO_LINE_START or text[cut - 1] in NO_LINE_END
                       or text[cut - 1] == " " and text[cut - 2] in NO_LINE_END):
        cut -= 1  # carry a character over, so the mark keeps its neighbour
    return cut


def _latin(c: str) -> bool:
    return c.isalnum() and c < "\u2e80"  # letters and digits of alphabetic scripts, not CJK


def two_lines(text: str, fm: QFontMetrics, width: int) -> list[str]:
    """``text`` in at most two lines of ``width`` pixels (the second elided), broken as
    ``line_end`` says."""
    if not text or fm.horizontalAdvance(text) <= width:
        return [text] if text else []
    lo, hi = 1, len(text)
    while lo < hi:  # the longest prefix that fits: binary search
        mid = (lo + hi + 1) // 2
        if fm.horizontalAdvance(text[:mid]) <= width:
            lo = mid
        else:
            hi = mid - 1
    cut = line_end(text, lo)
    first, rest = text[:cut].rstrip(), text[cut:].lstrip()
    return [first, fm.elidedText(rest, Qt.TextElideMode.ElideRight, width)] if rest else [first]


def core_text(text: str) -> str:
    """A message of the core's (an error, a verification's finding) in the GUI's language."""
    return messages.translate(text, _lang)


def error_text(err: BaseException) -> str:
    """What the user reads for ``err``: our own errors and file problems in the GUI's language
    (their place as it is); anything else as ``str``."""
    if isinstance(err, AppStoreError):
        return messages.error_text(err, _lang)
    if isinstance(err, OSError):
        return messages.os_error(err, _lang)
    return str(err)


def store_name(view: CatalogView | None, store: str) -> str:
    """Store ``store``'s name in the GUI's language, as its catalogue gives it; its id when the
    catalogue is not read (yet)."""
    names = view.store_names.get(store) if view is not None else None
    return (localized(names, _lang) or store) if names else store
