"""One result of ``search --json`` (docs/cli.md) as text, laid out as
``json.dumps(results, indent=2, ensure_ascii=False)`` lays out an item of its list.

Written directly (the generic encoder is ten times slower with ``indent``), and also ahead of
time: the search index keeps each app's item in both languages the CLI speaks up to its
``"store": `` (``cards``), so a search that prints 10,000 results reads one string per result
instead of parsing a row and encoding it again (what made ``search --json`` grow with the
catalogue). ``item`` is the one layout; a test holds it to ``json.dumps``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from json.encoder import encode_basestring as _q

from appstore.core.catalog.models import localized

LANGS = ("en", "zh_CN")  # the CLI's --lang choices: their items are kept in the index
FEATURED = (",\n    \"featured\": false\n  }", ",\n    \"featured\": true\n  }")


def head(ref: str, app_id: str, name: Mapping[str, str], summary: Mapping[str, str],
         categories: Sequence[str], kind: str, version: str | None, lang: str) -> str:
    """An item up to its ``"store": `` (what follows depends on the store's local id)."""
    cats = ("[\n      " + ",\n      ".join(map(_q, categories)) + "\n    ]") if categories else "[]"
    ver = "null" if version is None else _q(version)
    return (f'  {{\n    "id": {_q(ref)},\n    "app_id": {_q(app_id)},\n'
            f'    "name": {_q(localized(name, lang))},\n'
            f'    "summary": {_q(localized(summary, lang))},\n    "categories": {cats},\n'
            f'    "kind": {_q(kind)},\n    "version": {ver},\n    "store": ')


def item(ref: str, app_id: str, name: Mapping[str, str], summary: Mapping[str, str],
         categories: Sequence[str], kind: str, version: str | None, store: str, featured: bool,
         lang: str) -> str:
    return (head(ref, app_id, name, summary, categories, kind, version, lang) + _q(store)
            + FEATURED[featured])


def cards(app_id: str, name: Mapping[str, str], summary: Mapping[str, str],
          categories: Sequence[str], kind: str, version: str | None) -> tuple[str, str | None]:
    """(English head, Chinese head or None when it is the English one) of an app's item."""
    en, zh = (head(app_id, app_id, name, summary, categories, kind, version, lang)
              for lang in LANGS)
    return en, (None if zh == en else zh)


def with_ref(card: str, app_id: str, ref: str) -> str:
    """A kept head whose ``"id"`` becomes ``ref`` (an id several stores list: STORE/ID)."""
    lead = f'  {{\n    "id": {_q(app_id)}'
    return f'  {{\n    "id": {_q(ref)}' + card[len(lead):]
