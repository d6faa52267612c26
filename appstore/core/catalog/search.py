"""Search-as-you-type over every store's apps.

A sorted token list with posting sets answers each typed prefix with two bisects; Chinese text is
indexed per character (then checked as a substring), so 慈善 finds 慈善捐赠. Results rank name
matches above other matches, then featured apps, then by name.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence

from appstore.core.catalog.models import App

_WORD = re.compile(r"[0-9a-z]+|[\u3400-\u9fff\uf900-\ufaff]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_MEMO_LIMIT = 256


def _tokens(text: str) -> Iterable[str]:
    for w in _WORD.findall(text):
        if _CJK.match(w):
            yield from w  # one token per character
        else:
            yield w


class SearchIndex:
    """Built once per catalogue load; ``search`` returns indexes into ``apps``."""

    def __init__(self, apps: Sequence[App]) -> None:
        self.apps = apps
        postings: dict[str, set[int]] = {}
        names: list[str] = []
        hay: list[str] = []
        for i, app in enumerate(apps):
            name = " ".join(app.name.values()).lower()
            text = " ".join((
                app.id, name, " ".join(app.summary.values()), app.developer,
                " ".join(app.categories),
            )).lower()
            names.append(name)
            hay.append(text)
            for tok in set(_tokens(text)):
                postings.setdefault(tok, set()).add(i)
        self._names = names
        self._hay = hay
        self._tokens = sorted(postings)
        self._postings = postings
        self._featured = [a.featured for a in apps]
        self._memo: dict[str, frozenset[int]] = {}
        self._default = sorted(range(len(apps)), key=self._rank_default)

    def _rank_default(self, i: int) -> tuple[int, str]:
        return (0 if self.apps[i].featured else 1, self._names[i])

    def _prefix(self, word: str) -> frozenset[int]:
        hit = self._memo.get(word)
        if hit is not None:
            return hit
        lo = bisect_left(self._tokens, word)
        hi = bisect_left(self._tokens, word + "\uffff", lo)
        post = self._postings
        result = frozenset().union(*(post[t] for t in self._tokens[lo:hi]))
        if len(self._memo) >= _MEMO_LIMIT:
            self._memo.clear()
        self._memo[word] = result
        return result

    def search(self, query: str = "", category: str | None = None) -> list[int]:
        """Indexes of the matching apps, best first. Every word must match a word prefix."""
        q = query.strip().lower()
        words = _WORD.findall(q)
        if not words:
            hits: Iterable[int] = self._default
            if category:
                return [i for i in hits if category in self.apps[i].categories]
            return list(hits)
        sets: list[frozenset[int]] = []
        for w in words:
            if _CJK.match(w):
                sets.extend(self._prefix(ch) for ch in w)
            else:
                sets.append(self._prefix(w))
        sets.sort(key=len)
        cand = set(sets[0]).intersection(*sets[1:]) if sets else set()
        cjk = [w for w in words if _CJK.match(w) and len(w) > 1]
        if cjk:
            cand = {i for i in cand if all(w in self._hay[i] for w in cjk)}
        if category:
            cand = {i for i in cand if category in self.apps[i].categories}
        first = words[0]
        names = self._names
        featured = self._featured

        def rank(i: int) -> tuple[int, int, str]:
            name = names[i]
            score = 0 if name.startswith(q) else 1 if first in name else 2
            return (score, 0 if featured[i] else 1, name)

        return sorted(cand, key=rank)
