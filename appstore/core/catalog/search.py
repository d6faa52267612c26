"""Search-as-you-type over every store's apps.

Each app's searchable text (names, summaries, id, developer, categories; both languages) is
normalised once into a line where every word follows a space. A query word then matches the
start of a word (``cha`` finds "Charity") by a plain substring test for " cha"; Chinese matches
anywhere (慈善 finds 透明慈善). The tests run through ``map``/``compress`` so the per-app loop
stays in C: a keystroke over 100,000 apps costs a few milliseconds and building costs a join.
Results list apps whose name matches first, each group in default order (featured, then name).
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Iterator, Sequence
from itertools import compress, repeat
from operator import and_, gt

from appstore.core.catalog.models import App

_CJK = "\u3400-\u9fff\uf900-\ufaff"
# bytes.translate table: keep [0-9a-z] and newlines, everything else becomes a space
_LATIN = bytes(c if chr(c).isdigit() or "a" <= chr(c) <= "z" or c == 10 else 32 for c in range(256))
_contains = str.__contains__
CHUNK = 4096


@functools.cache
def _query_word() -> re.Pattern[str]:
    # Compiled on first use (a search, in a worker), not at import: the Chinese ranges take
    # a few milliseconds to compile, and a start imports this module on the GUI thread.
    return re.compile(rf"[0-9a-z]+|[{_CJK}]+")


def query_words(query: str) -> list[str]:
    """The words of a query: runs of ``[0-9a-z]`` and runs of Chinese, lowercased."""
    if not query or query.isspace():
        return []  # (the list every start shows first: no pattern to compile for it)
    return _query_word().findall(query.lower())


def is_cjk(word: str) -> bool:
    """Whether a query word is Chinese (matched anywhere) rather than latin (word starts):
    whether it starts with a character of ``_CJK``."""
    c = word[:1]
    return "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff"


def latin_words(text: str) -> str:
    """The latin words of a lowercased ``text`` (``[0-9a-z]`` runs), separated by spaces."""
    return text.encode("ascii", "replace").translate(_LATIN).decode("ascii")


def sort_key(app: App) -> tuple[bool, str]:
    """Default order: featured first, then by English name."""
    return (not app.featured, app.name.get("en", "").lower())


def _normalise(lines: list[str]) -> tuple[list[str], list[str]]:
    """Per app: its latin words (each after a space) and its Chinese text, as separate lines.

    Keeping them apart keeps the latin lines one byte per character, which makes ``in`` fast.
    """
    text = "\n".join(lines).lower()
    latin_text = latin_words(text)
    return [" " + line for line in latin_text.split("\n")], text.split("\n")


class SearchIndex:
    """``search`` returns indexes into ``apps``, best first."""

    def __init__(self, apps: Sequence[App]) -> None:
        self.apps = apps
        keys = [sort_key(a) for a in apps]
        self._order = sorted(range(len(apps)), key=keys.__getitem__)
        ordered = [apps[i] for i in self._order]
        names = [" ".join(a.name.values()) for a in ordered]
        self._names = _normalise(names)
        self._texts = _normalise([
            f"{a.id} {name} {' '.join(a.summary.values())} {a.developer} {' '.join(a.categories)}"
            for a, name in zip(ordered, names, strict=True)
        ])
        self._categories: dict[str, list[bool]] = {}

    def _category_flags(self, category: str) -> list[bool]:
        flags = self._categories.get(category)
        if flags is None:
            flags = [category in self.apps[i].categories for i in self._order]
            self._categories[category] = flags
        return flags

    @staticmethod
    def _match(lines: tuple[list[str], list[str]], word: str, a: int, b: int) -> Iterator[bool]:
        latin, cjk = lines
        if is_cjk(word):
            return map(_contains, cjk[a:b], repeat(word))
        return map(_contains, latin[a:b], repeat(" " + word))

    def search(self, query: str = "", category: str | None = None) -> list[int]:
        """Indexes into ``apps``, best first. Works in chunks of ``CHUNK`` apps: each chunk is
        one C-level pass that holds the GIL briefly, so a GUI thread never waits long on a
        search running in a worker."""
        words = query_words(query)
        n = len(self._order)
        cats = self._category_flags(category) if category else None
        first: list[int] = []
        rest: list[int] = []
        longest_first = sorted(words, key=len, reverse=True)  # the longest word narrows most
        for a in range(0, n, CHUNK):
            if a:
                time.sleep(0)  # let a waiting thread (the GUI's) take the GIL now
            b = min(n, a + CHUNK)
            if not words:
                if cats is None:
                    first.extend(range(a, b))
                else:
                    first.extend(compress(range(a, b), cats[a:b]))
                continue
            flags: list[bool] | None = None
            for w in longest_first:
                hit = self._match(self._texts, w, a, b)
                flags = list(hit if flags is None else map(and_, flags, hit))
            assert flags is not None
            if cats is not None:
                flags = list(map(and_, flags, cats[a:b]))
            in_name = list(self._match(self._names, words[0], a, b))
            first.extend(compress(range(a, b), map(and_, flags, in_name)))
            rest.extend(compress(range(a, b), map(gt, flags, in_name)))
        return list(map(self._order.__getitem__, first + rest))
