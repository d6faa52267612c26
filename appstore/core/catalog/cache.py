"""A fast, compact local form of a verified catalogue.

Validating a big catalogue is slow, so it is done once, when a new catalogue has been
downloaded and verified. The result is kept in two files keyed by the catalogue's SHA-256:

* ``catalog.cache``: ``MAGIC``, the length of the header, the header (a ``marshal`` of the
  catalogue's fields, the apps' ids and featured flags, and where each app's row starts), then
  the rows: one small ``marshal`` blob per app with every field but the description;
* ``catalog.SHA.details``: the descriptions (``marshal`` too), read only when an app page
  asks for one.

In memory a catalogue is an ``AppRows``: the ids and flags, and the rows left in the file,
which is mapped (``mmap``) rather than read, each row turned into an ``App`` only when
something asks for that app (a card on screen, an app page). So 100,000 apps cost their ids
(some 10 MB) rather than their rows (60 MB more) or 100,000 object graphs (about 2,500 bytes
each), and a warm start reads a few hundred thousand strings instead of building a million
objects. (Where a mapped file cannot be replaced or removed, Windows, the rows are read.)

``bench/catalog.py`` measures the warm start (``warm_vs_json``: a new ``Stores`` refreshing the
unchanged store over HTTP, metadata verified, this cache loaded, the merged view built) against
a bare ``json.loads`` of the same catalogue in the same run; ``bench/gui_memory.py`` the GUI's
memory. marshal only builds plain data: nothing in it runs.
"""

from __future__ import annotations

import contextlib
import marshal
import mmap
import sys
import threading
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import fields
from operator import attrgetter
from pathlib import Path
from typing import Any, overload

from appstore.core.bulk import gc_paused
from appstore.core.catalog.models import App, Catalog, Release

VERSION = 7  # 3: App.unknown_permissions; 4: App.payee; 5: one blob per app (AppRows);
# 6: App.screenshots_l10n; 7: the rows after the header, mapped
MAGIC = b"imappC7\n"  # then the header's length (8 bytes, big-endian), the header, the rows
_HEAD = len(MAGIC) + 8
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


class _Maps:
    """How many cache files are mapped: each map holds a file descriptor (a 100,000-app store
    is some 200 shards), so past ``most`` (a quarter of the process's limit, at most
    ``MAX``) files are read instead."""

    MAX = 512

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()
        self.most: int | None = None

    def take(self) -> bool:
        with self.lock:
            if self.most is None:
                try:
                    import resource

                    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
                except (ImportError, OSError, ValueError):
                    soft = 1024
                self.most = min(self.MAX, soft // 4 if soft > 0 else self.MAX)
            if self.count >= self.most:
                return False
            self.count += 1
            return True

    def give_back(self) -> None:
        with self.lock:
            self.count -= 1


_maps = _Maps()


class Rows:
    """One cache file's rows: ``buf`` (the mapped file, or its bytes), the rows starting at
    ``base``, row ``j`` from ``offsets[j]`` to ``offsets[j + 1]``; ``details``: the details
    file (or its bytes) their descriptions are in."""

    __slots__ = ("buf", "base", "offsets", "details")

    def __init__(self, buf: bytes | mmap.mmap, base: int, offsets: array[int],
                 details: Path | bytes) -> None:
        self.buf, self.base, self.offsets, self.details = buf, base, offsets, details

    def __del__(self) -> None:
        if isinstance(self.buf, mmap.mmap):
            self.buf.close()
            _maps.give_back()

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def blob(self, j: int) -> bytes:
        at, offsets = self.base, self.offsets
        return self.buf[at + offsets[j]:at + offsets[j + 1]]

    def let_go(self) -> None:
        """Pages of the mapped file read so far leave this process's memory (they stay in the
        system's cache, read again when needed): after a walk over every row."""
        if isinstance(self.buf, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
            with contextlib.suppress(OSError, ValueError):  # (closed, or no advice taken)
                self.buf.madvise(mmap.MADV_DONTNEED)


class AppRows(Sequence[App]):
    """A catalogue's apps as compact rows (in the mapped cache files), each made an ``App``
    when asked for.

    ``ids`` and ``featured`` are at hand for all (what building a view needs); the last
    ``KEEP`` apps made are kept, so a card painted again costs a dictionary lookup. Safe to
    share between threads."""

    KEEP = 2048
    # Reading a row maps the pages around it too (the kernel's fault-around, 64 KB): after this
    # many apps made, the pages read so far are let go, or a few thousand cards scrolled past
    # would map the whole file (60 MB at 100,000 apps).
    LET_GO_EVERY = 256

    __slots__ = ("ids", "featured", "store", "_parts", "_starts", "_made", "_lock", "_fresh")

    def __init__(self, ids: Sequence[str], featured: bytes, store: str, parts: Sequence[Rows]) -> None:
        self.ids = ids
        self.featured = featured  # one byte per app: 1 if featured
        self.store = store
        self._parts = parts  # the apps of parts[k] start at _starts[k]
        starts = array("I", [0])
        for part in parts:
            starts.append(starts[-1] + len(part))
        self._starts = starts
        self._made: dict[int, App] = {}
        self._lock = threading.Lock()
        self._fresh = 0  # apps made since the pages were let go

    @classmethod
    def join(cls, parts: Sequence[AppRows], store: str) -> AppRows:
        """The apps of ``parts``, in order, as one (their rows shared, not copied)."""
        if len(parts) == 1:
            return parts[0]
        ids: list[str] = []
        for rows in parts:
            ids.extend(rows.ids)
        featured = b"".join(rows.featured for rows in parts)
        return cls(ids, featured, store, [p for rows in parts for p in rows._parts])

    def __len__(self) -> int:
        return self._starts[-1]

    @property
    def parts(self) -> tuple[Rows, ...]:
        """The cache files' rows these apps are in, in order (shared by the catalogues that
        hold the same shard)."""
        return tuple(self._parts)

    @overload
    def __getitem__(self, i: int) -> App: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[App]: ...

    def __getitem__(self, i: int | slice) -> App | Sequence[App]:
        if isinstance(i, slice):
            return tuple(self._app(k) for k in range(*i.indices(len(self))))
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("app index out of range")
        return self._app(i)

    def __iter__(self) -> Iterator[App]:
        made = self._made
        for k, part in enumerate(self._parts):
            for i in range(self._starts[k], self._starts[k + 1]):
                yield made.get(i) or self._make(i)  # not kept: a walk would evict the cards
            part.let_go()

    def _locate(self, i: int) -> tuple[Rows, int]:
        parts = self._parts
        if len(parts) == 1:
            return parts[0], i
        k = bisect_right(self._starts, i) - 1
        return parts[k], i - self._starts[k]

    def sort_keys(self) -> list[tuple[bool, str]]:
        """``search.sort_key`` of every app, read from the rows without making the apps."""
        out = []
        for part in self._parts:
            for j in range(len(part)):
                row = _marshal_loads(part.blob(j))
                out.append((not row[_FEATURED], row[_NAME].get("en", "").lower()))
            part.let_go()
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
                self._fresh += 1
                let_go = self._fresh >= self.LET_GO_EVERY
                if let_go:
                    self._fresh = 0
            if let_go:
                for part in self._parts:
                    part.let_go()
        return app

    def _make(self, i: int) -> App:
        part, j = self._locate(i)
        row = list(_marshal_loads(part.blob(j)))
        row[_RELEASES] = tuple(Release(*r) for r in row[_RELEASES])
        row[_DESC] = LazyText(part.details, *row[_DESC])
        row[_STORE] = self.store
        return App(*row)


def details_path(cache_dir: Path, digest: str) -> Path:
    return cache_dir / f"catalog.{digest[:16]}.details"


def dump(catalog: Catalog, digest: str) -> tuple[bytes, bytes]:
    """(list part, details part) of the cache for ``catalog``."""
    rows = bytearray()
    offsets = array("I", [0])
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
        rows += dumps(tuple(row))
        offsets.append(len(rows))
    apps = catalog.apps
    ids = apps.ids if isinstance(apps, AppRows) else tuple(a.id for a in apps)
    featured = (apps.featured if isinstance(apps, AppRows)
                else bytes(a.featured for a in apps))
    header = marshal.dumps((VERSION, digest, catalog.store_id, dict(catalog.store_name),
                            catalog.generated, {k: dict(v) for k, v in catalog.categories.items()},
                            tuple(ids), featured, offsets.tobytes()))
    return b"".join((MAGIC, len(header).to_bytes(8, "big"), header, rows)), bytes(details)


def _header(data: bytes | mmap.mmap) -> tuple[tuple[Any, ...], Rows] | None:
    """The header of a cache file's bytes (or its map), and its rows (details still unset)."""
    if data[:len(MAGIC)] != MAGIC or len(data) < _HEAD:
        return None
    size = int.from_bytes(data[len(MAGIC):_HEAD], "big")
    with gc_paused():
        try:
            head: Any = marshal.loads(data[_HEAD:_HEAD + size])
        except (ValueError, EOFError, TypeError):
            return None
    if not (isinstance(head, tuple) and len(head) == 9 and head[0] == VERSION
            and isinstance(head[8], bytes)):
        return None
    offsets = array("I")
    try:
        offsets.frombytes(head[8])
    except ValueError:
        return None
    base = _HEAD + size
    if len(offsets) != len(head[6]) + 1 or offsets[0] != 0 or base + offsets[-1] != len(data):
        return None  # cut short, or not ours
    return head, Rows(data, base, offsets, b"")


def _catalog(found: tuple[tuple[Any, ...], Rows], store: str, details: Path | bytes) -> Catalog:
    head, part = found
    _, _, store_id, store_name, generated, categories, ids, featured, _ = head
    part.details = details
    return Catalog(store_id, store_name, generated, categories,
                   AppRows(ids, featured, store, [part]), store)


def load(data: bytes, digest: str, store: str, details: Path) -> Catalog | None:
    """The cached catalogue in ``data`` (its apps marked as from ``store``), or None if the
    cache is for another catalogue or format."""
    found = _header(data)
    if found is None or found[0][1] != digest or not details.is_file():
        return None
    return _catalog(found, store, details)


def load_file(path: Path, digest: str, store: str, details: Path) -> Catalog | None:
    """The cached catalogue in the file at ``path``, mapped rather than read; None if it is
    missing, or for another catalogue or format."""
    try:
        with open(path, "rb") as f:
            # (on Windows a mapped file could be neither replaced nor removed)
            if sys.platform == "win32" or not _maps.take():
                return load(f.read(), digest, store, details)
            try:
                data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            except (OSError, ValueError):  # (ValueError: an empty file)
                _maps.give_back()
                return None
    except OSError:
        return None
    found = _header(data)
    if found is None:
        data.close()
        _maps.give_back()
        return None
    if found[0][1] != digest or not details.is_file():
        return None  # (the rows found close the map as they go)
    found[1].let_go()  # the header was read into objects; the rows are read when asked for
    return _catalog(found, store, details)


def rows(data: bytes, store: str, details: Path | bytes) -> AppRows:
    """The apps of a cache just made by ``dump`` (``details``: where its details went)."""
    found = _header(data)
    assert found is not None
    apps = _catalog(found, store, details).apps
    assert isinstance(apps, AppRows)
    return apps


def ids_of(apps: Sequence[App]) -> Sequence[str]:
    """Every app's id, without making an ``App`` of each blob."""
    return apps.ids if isinstance(apps, AppRows) else [a.id for a in apps]


def featured_of(apps: Sequence[App]) -> Iterable[bool]:
    """Every app's featured flag, without making an ``App`` of each blob."""
    return map(bool, apps.featured) if isinstance(apps, AppRows) else (a.featured for a in apps)
