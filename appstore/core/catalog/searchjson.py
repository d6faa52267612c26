"""One result of ``search --json`` (docs/cli.md) as text, laid out as
``json.dumps(results, indent=2, ensure_ascii=False)`` lays out an item of its list.

Written directly (the generic encoder is ten times slower with ``indent``), and also ahead of
time: the search index keeps each app's item in both languages the CLI speaks, up to its
``"store": `` (``cards``: the Chinese texts apart, the rest once), so a search that prints
10,000 results reads one string per result instead of parsing a row and encoding it again
(what made ``search --json`` grow with the catalogue). ``item`` is the one layout; a test
holds it to ``json.dumps``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from json.encoder import encode_basestring as _q

from appstore.core.catalog.models import localized

LANGS = ("en", "zh_CN")  # the CLI's --lang choices: their items are kept in the index
FEATURED = (",\n    \"featured\": false\n  }", ",\n    \"featured\": true\n  }")


def _pre(ref: str, app_id: str) -> str:
    return f'  {{\n    "id": {_q(ref)},\n    "app_id": {_q(app_id)},\n'


def _texts(name: Mapping[str, str], summary: Mapping[str, str], lang: str) -> str:
    return (f'    "name": {_q(localized(name, lang))},\n'
            f'    "summary": {_q(localized(summary, lang))},\n')


def _post(categories: Sequence[str], kind: str, version: str | None) -> str:
    cats = ("[\n      " + ",\n      ".join(map(_q, categories)) + "\n    ]") if categories else "[]"
    ver = "null" if version is None else _q(version)
    return f'    "categories": {cats},\n    "kind": {_q(kind)},\n    "version": {ver},\n    "store": '


def head(ref: str, app_id: str, name: Mapping[str, str], summary: Mapping[str, str],
         categories: Sequence[str], kind: str, version: str | None, lang: str) -> str:
    """An item up to its ``"store": `` (what follows depends on the store's local id)."""
    return _pre(ref, app_id) + _texts(name, summary, lang) + _post(categories, kind, version)


def item(ref: str, app_id: str, name: Mapping[str, str], summary: Mapping[str, str],
         categories: Sequence[str], kind: str, version: str | None, store: str, featured: bool,
         lang: str) -> str:
    return (head(ref, app_id, name, summary, categories, kind, version, lang) + _q(store)
            + FEATURED[featured])


def cards(app_id: str, name: Mapping[str, str], summary: Mapping[str, str],
          categories: Sequence[str], kind: str, version: str | None
          ) -> tuple[str, str, str | None, str]:
    """An app's item heads in parts, as the index keeps them: (before the texts, the English
    name and summary lines, the Chinese ones or None when they are the English ones, after
    them). ``head(…, lang)`` is the first, the texts in ``lang``, and the last, joined."""
    en, zh = (_texts(name, summary, lang) for lang in LANGS)
    return (_pre(app_id, app_id), en, None if zh == en else zh,
            _post(categories, kind, version))


def with_ref(card: str, app_id: str, ref: str) -> str:
    """A kept head whose ``"id"`` becomes ``ref`` (an id several stores list: STORE/ID)."""
    lead = f'  {{\n    "id": {_q(app_id)}'
    return f'  {{\n    "id": {_q(ref)}' + card[len(lead):]
