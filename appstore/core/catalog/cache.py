"""A fast, compact local form of a verified catalogue.

Validating a big catalogue is slow, so it is done once, when a new catalogue has been
downloaded and verified. The result is kept in two files keyed by the catalogue's SHA-256:

* ``catalog.cache``: a ``marshal`` of the header, the apps' ids and featured flags, and one
  small ``marshal`` blob per app with every field but the description;
* ``catalog.SHA.details``: the descriptions (``marshal`` too), read only when an app page
  asks for one.

In memory a catalogue is an ``AppRows``: those blobs, each turned into an ``App`` only when
something asks for that app (a card on screen, an app page), so 100,000 apps cost their bytes
(about 600 each) rather than 100,000 object graphs (about 2,500 bytes each), and a warm start
reads a few hundred thousand strings instead of building a million objects.

``bench/catalog.py`` measures the warm start (``warm_vs_json``: a new ``Stores`` refreshing the
unchanged store over HTTP, metadata verified, this cache loaded, the merged view built) against
a bare ``json.loads`` of the same catalogue in the same run. marshal only builds plain data:
nothing in it runs.
"""

from __future__ import annotations

import marshal
import threading
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import fields
from operator import attrgetter
from pathlib import Path
from typing import Any, overload

from appstore.core.bulk import gc_paused
from appstore.core.catalog.models import App, Catalog, Release

VERSION = 6  # 3: App.unknown_permissions; 4: App.payee; 5: one blob per app (AppRows);
# 6: App.screenshots_l10n
_APP_FIELDS = [f.name for f in fields(App)]
_REL_FIELDS = [f.name for f in fields(Release)]
_DESC = _APP_FIELDS.index("description")
_RELEASES = _APP_FIELDS.index("releases")
_STORE = _APP_FIELDS.index("store")
_NAME = _APP_FIELDS.index("name")
_FEATURED = _APP_FIELDS.index("featured")
_marshal_loads = marshal.loads


class LazyText(Mapping[str, str]):
    """A localized text kept on disk until first read (an app's description)."""

    __slots__ = ("_path", "_offset", "_length", "_value")

    def __init__(self, path: Path | bytes, offset: int, length: int) -> None:
        """``path``: the details file, or its bytes when it could not be written."""
        self._path, self._offset, self._length = path, offset, length
        self._value: dict[str, str] | None = None

    @property
    def loaded(self) -> bool:
        """Whether reading it needs the disk (the GUI then reads it in a worker first)."""
        return self._value is not None

    def _load(self) -> dict[str, str]:
        if self._value is None:
            try:
                if isinstance(self._path, bytes):
                    value = marshal.loads(self._path[self._offset:self._offset + self._length])
                else:
                    with open(self._path, "rb") as f:
                        f.seek(self._offset)
                        value = marshal.loads(f.read(self._length))
            except (OSError, ValueError, EOFError, TypeError):
                value = {"en": ""}  # the cache went away under us; the next start rebuilds it
            self._value = value if isinstance(value, dict) else {"en": ""}
        return self._value

    def __getitem__(self, key: str) -> str:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


class AppRows(Sequence[App]):
    """A catalogue's apps as compact blobs, each made an ``App`` when asked for.

    ``ids`` and ``featured`` are at hand for all (what building a view needs); the last
    ``KEEP`` apps made are kept, so a card painted again costs a dictionary lookup. Safe to
    share between threads."""

    KEEP = 2048

    __slots__ = ("ids", "featured", "store", "blobs", "_paths", "_part", "_made", "_lock")

    def __init__(self, ids: Sequence[str], featured: bytes, blobs: Sequence[bytes], store: str,
                 paths: Sequence[Path | bytes], part: array[int] | None = None) -> None:
        self.ids = ids
        self.featured = featured  # one byte per app: 1 if featured
        self.store = store
        self.blobs = blobs
        self._paths = paths  # the details files the blobs' descriptions are in
        self._part = part  # per app, its details file (None: all in paths[0])
        self._made: dict[int, App] = {}
        self._lock = threading.Lock()

    @classmethod
    def join(cls, parts: Sequence[AppRows], store: str) -> AppRows:
        """The apps of ``parts``, in order, as one (their blobs shared, not copied)."""
        if len(parts) == 1:
            return parts[0]
        ids: list[str] = []
        blobs: list[bytes] = []
        part = array("I")
        paths: list[Path | bytes] = []
        for rows in parts:
            base = len(paths)
            paths.extend(rows._paths)
            ids.extend(rows.ids)
            blobs.extend(rows.blobs)
            if rows._part is None:
                part.extend([base] * len(rows.ids))
            else:
                part.extend(base + p for p in rows._part)
        featured = b"".join(rows.featured for rows in parts)
        return cls(ids, featured, blobs, store, paths, part)

    def __len__(self) -> int:
        return len(self.blobs)

    @overload
    def __getitem__(self, i: int) -> App: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[App]: ...

    def __getitem__(self, i: int | slice) -> App | Sequence[App]:
        if isinstance(i, slice):
            return tuple(self._app(k) for k in range(*i.indices(len(self))))
        if i < 0:
            i += len(self.blobs)
        if not 0 <= i < len(self.blobs):
            raise IndexError("app index out of range")
        return self._app(i)

    def __iter__(self) -> Iterator[App]:
        for i in range(len(self.blobs)):  # not kept: a walk over all would evict the cards
            yield self._made.get(i) or self._make(i)

    def sort_keys(self) -> list[tuple[bool, str]]:
        """``search.sort_key`` of every app, read from the blobs without making the apps."""
        out = []
        for blob in self.blobs:
            row = _marshal_loads(blob)
            out.append((not row[_FEATURED], row[_NAME].get("en", "").lower()))
        return out

    def _app(self, i: int) -> App:
        app = self._made.get(i)
        if app is None:
            app = self._make(i)
            with self._lock:
                made = self._made
                if len(made) >= self.KEEP:
                    del made[next(iter(made))]  # the oldest made
                made[i] = app
        return app

    def _make(self, i: int) -> App:
        row = list(_marshal_loads(self.blobs[i]))
        row[_RELEASES] = tuple(Release(*r) for r in row[_RELEASES])
        path = self._paths[0 if self._part is None else self._part[i]]
        row[_DESC] = LazyText(path, *row[_DESC])
        row[_STORE] = self.store
        return App(*row)


def details_path(cache_dir: Path, digest: str) -> Path:
    return cache_dir / f"catalog.{digest[:16]}.details"


def dump(catalog: Catalog, digest: str) -> tuple[bytes, bytes]:
    """(list part, details part) of the cache for ``catalog``."""
    blobs = []
    details = bytearray()
    dumps = marshal.dumps
    app_row, release_row = attrgetter(*_APP_FIELDS), attrgetter(*_REL_FIELDS)
    for a in catalog.apps:
        row: list[Any] = list(app_row(a))
        blob = dumps(a.description if type(a.description) is dict else dict(a.description))
        row[_DESC] = (len(details), len(blob))
        details += blob
        row[_RELEASES] = tuple(map(release_row, a.releases))
        row[_STORE] = ""
        blobs.append(dumps(tuple(row)))
    apps = catalog.apps
    ids = apps.ids if isinstance(apps, AppRows) else tuple(a.id for a in apps)
    featured = (apps.featured if isinstance(apps, AppRows)
                else bytes(a.featured for a in apps))
    body = (VERSION, digest, catalog.store_id, dict(catalog.store_name), catalog.generated,
            {k: dict(v) for k, v in catalog.categories.items()}, tuple(ids), featured,
            tuple(blobs))
    return marshal.dumps(body), bytes(details)


def _body(data: bytes) -> tuple[Any, ...] | None:
    with gc_paused():
        try:
            body: Any = marshal.loads(data)
        except (ValueError, EOFError, TypeError):
            return None
    ok = isinstance(body, tuple) and len(body) == 9 and body[0] == VERSION
    return body if ok else None


def load(data: bytes, digest: str, store: str, details: Path) -> Catalog | None:
    """The cached catalogue (its apps marked as from ``store``), or None if the cache is for
    another catalogue or format."""
    body = _body(data)
    if body is None or body[1] != digest or not details.is_file():
        return None
    _, _, store_id, store_name, generated, categories, ids, featured, blobs = body
    rows = AppRows(ids, featured, blobs, store, [details])
    return Catalog(store_id, store_name, generated, categories, rows, store)


def rows(data: bytes, store: str, details: Path | bytes) -> AppRows:
    """The apps of a cache just made by ``dump`` (``details``: where its details went)."""
    body = _body(data)
    assert body is not None
    return AppRows(body[6], body[7], body[8], store, [details])


def ids_of(apps: Sequence[App]) -> Sequence[str]:
    """Every app's id, without making an ``App`` of each blob."""
    return apps.ids if isinstance(apps, AppRows) else [a.id for a in apps]


def featured_of(apps: Sequence[App]) -> Iterable[bool]:
    """Every app's featured flag, without making an ``App`` of each blob."""
    return map(bool, apps.featured) if isinstance(apps, AppRows) else (a.featured for a in apps)
