"""Search over the items: the folded text each item is found by, and search-as-you-type over a
list already loaded (``SearchTexts``, ``matches``). The SQL side is ``db.NewsDB._matching``."""

from __future__ import annotations

import operator
import re
from itertools import compress, repeat

from appstore.core.news.parse import Entry
from appstore.core.news.sanitize import html_to_text

_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


def body_text(e: Entry) -> str:
    """What search looks in besides the title: the summary and the text, folded."""
    text = html_to_text(e.content) if e.content else ""
    return f"{e.summary}\n{e.author}\n{text[:2000]}".casefold()


class SearchTexts:
    """Each item's folded searchable text, twice: as it is, and with every run of non-ASCII
    characters made one space. A word in ASCII is looked for in the second (one byte per
    character in CPython, so the scan is several times faster), any other word in the first."""

    def __init__(self, texts: dict[int, str]) -> None:
        self.ids = list(texts)
        self.full = list(texts.values())
        self.ascii = [t if t.isascii() else _NOT_ASCII.sub(" ", t) for t in self.full]

    def __len__(self) -> int:
        return len(self.ids)


def matches(texts: SearchTexts, query: str) -> set[int] | None:
    """The ids whose text holds every word of ``query`` (None: no query, everything); the same
    answers as ``News.items(query=…)``. The substring tests run in C (``map``/``compress``)."""
    words = [w for w in query.casefold().split() if w][:8]
    if not words:
        return None
    rows: list[int] = list(range(len(texts.ids)))
    for word in sorted(words, key=len, reverse=True):  # the rarest first, probably
        pool = texts.ascii if word.isascii() else texts.full
        strings = pool if len(rows) == len(pool) else [pool[i] for i in rows]
        rows = list(compress(rows, map(operator.contains, strings, repeat(word))))
        if not rows:
            return set()
    return {texts.ids[i] for i in rows}
