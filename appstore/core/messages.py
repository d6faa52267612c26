"""The core's messages in the user's language.

The core says what went wrong in English: the CLI, the logs and the docs use those words. The
GUI shows them in its own language through a catalogue of *templates*
(``resources/translations/messages_LANG.json``): each message as the code writes it, its
values as ``{0}``, ``{1}``…, mapped to its translation. A message is matched against the
templates; the values it carries (ids, paths, amounts, and messages nested inside it) go into
the translation, nested messages translated in turn. A message no template matches is shown as
it is; ``tests/core/test_messages.py`` keeps every message the core raises translated.
"""

from __future__ import annotations

import errno
import json
import re
import threading
from functools import lru_cache

from appstore.core.errors import AppStoreError
from appstore.core.resources import RESOURCES

_SLOT = re.compile(r"\{(\d+)\}")
_DEPTH = 4  # nested messages translated at most this deep
# Messages from the operating system, by errno (strerror is English whatever the GUI's language).
_OS_ZH = {
    errno.ENOENT: "没有这个文件或文件夹",
    errno.EACCES: "没有权限",
    errno.EPERM: "操作不被允许",
    errno.ENOSPC: "磁盘空间不足",
    errno.EEXIST: "文件已存在",
    errno.ENOTDIR: "不是文件夹",
    errno.EISDIR: "是一个文件夹",
    errno.EROFS: "文件系统是只读的",
    errno.ENAMETOOLONG: "文件名太长",
    errno.ENOTEMPTY: "文件夹不是空的",
    errno.EIO: "输入输出错误",
    errno.EDQUOT: "超出磁盘配额",
    errno.ECONNREFUSED: "连接被拒绝",
    errno.ETIMEDOUT: "连接超时",
    errno.EHOSTUNREACH: "无法到达主机",
    errno.ENETUNREACH: "网络不可达",
}


class Catalogue:
    """One language's templates, compiled; ``translate(text)`` gives the text in that language."""

    def __init__(self, entries: dict[str, str]) -> None:
        compiled = []
        for english, translated in entries.items():
            parts = _SLOT.split(english)
            # literal, index, literal, index, …: a value matches anything, as little as it can
            pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<v{p}>.+?)"
                              for i, p in enumerate(parts))
            weight = sum(len(p) for p in parts[::2])
            compiled.append((weight, re.compile(pattern, re.S), translated))
        # the template with the most fixed text first: "no such app {0}" before "{0}: {1}"
        compiled.sort(key=lambda item: -item[0])
        self._templates = [(p, t) for _, p, t in compiled]
        self._lock = threading.Lock()
        self._seen: dict[str, str] = {}

    def translate(self, text: str, depth: int = 0) -> str:
        if depth > _DEPTH or not text:
            return text
        with self._lock:
            if text in self._seen:
                return self._seen[text]
        out = self._match(text, depth)
        with self._lock:
            if len(self._seen) > 512:
                self._seen.clear()
            self._seen[text] = out
        return out

    def _match(self, text: str, depth: int) -> str:
        for pattern, translated in self._templates:
            m = pattern.fullmatch(text)
            if m is None:
                continue
            values = {k[1:]: self.translate(v, depth + 1) for k, v in m.groupdict().items()}
            return _fill(translated, values)
        # "where: message": a place (an id, a host, a file) before a message of ours
        where, sep, rest = text.partition(": ")
        if sep and where and " " not in where:
            inner = self.translate(rest, depth + 1)
            if inner != rest:
                return f"{where}：{inner}"
        return text


def _fill(translated: str, values: dict[str, str]) -> str:
    return _SLOT.sub(lambda s: values.get(s.group(1), s.group(0)), translated)


@lru_cache(maxsize=4)
def catalogue(lang: str) -> Catalogue | None:
    """The templates for ``lang``, or None for English (the code's own words)."""
    if lang.startswith("en"):
        return None
    path = RESOURCES / "translations" / f"messages_{lang}.json"
    try:
        entries = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return None
    return Catalogue(entries)


def translate(text: str, lang: str) -> str:
    """``text``, a message of the core's, in ``lang`` where the catalogue has it."""
    cat = catalogue(lang)
    return cat.translate(text) if cat else text


def os_error(err: OSError, lang: str) -> str:
    """An operating system error (the file it names first) in ``lang``."""
    why = err.strerror or str(err)
    if lang.startswith("zh") and err.errno in _OS_ZH:
        why = _OS_ZH[err.errno]
    return f"{err.filename}: {why}" if err.filename else why


def error_text(err: AppStoreError, lang: str) -> str:
    """``str(err)`` in ``lang``: its place as it is, its message translated."""
    message = translate(err.message, lang)
    if not err.where:
        return message
    sep = "：" if lang.startswith("zh") else ": "
    return f"{err.where}{sep}{message}"
