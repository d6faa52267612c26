"""A fast local form of a verified catalogue.

Validating a big catalogue is slow, so it is done once, when a new catalogue has been
downloaded and verified. The result is kept in two files keyed by the catalogue's SHA-256:

* ``catalog.cache``: a ``marshal`` of plain tuples with every field but the descriptions;
* ``catalog.SHA.details``: the descriptions, read only when an app page asks for one.

A warm start loads the first file only. ``bench/catalog.py`` measures it (``warm_vs_json``: a new
``Stores`` refreshing the unchanged store over HTTP, metadata verified, this cache loaded, the
merged view built) against a bare ``json.loads`` of the same catalogue in the same run: about
0.55x at 100,000 apps in one cache, 0.7x in 512 shard caches (``store/sharded.py``), 0.65-0.8x
at 10,000. marshal only builds plain data: nothing in it runs.
"""

from __future__ import annotations

import json
import marshal
from collections.abc import Iterator, Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from appstore.core.bulk import gc_paused
from appstore.core.catalog.models import App, Catalog, Release

VERSION = 4  # 3: App.unknown_permissions; 4: App.payee
_APP_FIELDS = [f.name for f in fields(App)]
_REL_FIELDS = [f.name for f in fields(Release)]
_DESC = _APP_FIELDS.index("description")
_RELEASES = _APP_FIELDS.index("releases")
_STORE = _APP_FIELDS.index("store")


class LazyText(Mapping[str, str]):
    """A localized text kept on disk until first read (an app's description)."""

    __slots__ = ("_path", "_offset", "_length", "_value")

    def __init__(self, path: Path, offset: int, length: int) -> None:
        self._path, self._offset, self._length = path, offset, length
        self._value: dict[str, str] | None = None

    @property
    def loaded(self) -> bool:
        """Whether reading it needs the disk (the GUI then reads it in a worker first)."""
        return self._value is not None

    def _load(self) -> dict[str, str]:
        if self._value is None:
            try:
                with open(self._path, "rb") as f:
                    f.seek(self._offset)
                    value = json.loads(f.read(self._length))
            except (OSError, ValueError):
                value = {"en": ""}  # the cache went away under us; the next start rebuilds it
            self._value = value if isinstance(value, dict) else {"en": ""}
        return self._value

    def __getitem__(self, key: str) -> str:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


def details_path(cache_dir: Path, digest: str) -> Path:
    return cache_dir / f"catalog.{digest[:16]}.details"


def dump(catalog: Catalog, digest: str) -> tuple[bytes, bytes]:
    """(list part, details part) of the cache for ``catalog``."""
    apps = []
    details = bytearray()
    for a in catalog.apps:
        row = [getattr(a, n) for n in _APP_FIELDS]
        blob = json.dumps(dict(a.description), ensure_ascii=False).encode()
        row[_DESC] = (len(details), len(blob))
        details += blob
        row[_RELEASES] = tuple(tuple(getattr(r, n) for n in _REL_FIELDS) for r in a.releases)
        apps.append(tuple(row))
    body = (VERSION, digest, catalog.store_id, dict(catalog.store_name), catalog.generated,
            {k: dict(v) for k, v in catalog.categories.items()}, tuple(apps))
    return marshal.dumps(body), bytes(details)


def load(data: bytes, digest: str, store: str, details: Path) -> Catalog | None:
    """The cached catalogue (its apps marked as from ``store``), or None if the cache is for
    another catalogue or format."""
    with gc_paused():
        return _load(data, digest, store, details)


def _load(data: bytes, digest: str, store: str, details: Path) -> Catalog | None:
    try:
        body: Any = marshal.loads(data)
        version, cached_digest, store_id, store_name, generated, categories, apps = body
    except (ValueError, EOFError, TypeError):
        return None
    if version != VERSION or cached_digest != digest or not details.is_file():
        return None
    out = []
    for row in apps:
        row = list(row)
        row[_RELEASES] = tuple(Release(*r) for r in row[_RELEASES])
        row[_DESC] = LazyText(details, *row[_DESC])
        row[_STORE] = store
        out.append(App(*row))
    return Catalog(store_id, store_name, generated, categories, tuple(out), store)
