"""A store's catalogue kept in shards on this computer (docs/store-format.md#the-catalogue-in-shards).

A refresh asks TUF for the signed hash of the shard index and of every shard it names, and
downloads, verifies and parses only the shards whose hash it has not seen: a change to one app
costs one shard, whatever the size of the catalogue. Everything here is keyed by signed hashes,
so nothing unverified is ever used:

    stores/ID/shards/SHA.json               a verified shard (or SHA.index.json: the shard index)
    stores/ID/shards/KEY.cache, KEY.details its parsed apps (``catalog/cache.py``'s format)
    stores/ID/catalog.manifest.json         the catalogue in use: its digest and its shards

``KEY`` is the shard's sha256 and a hash of the index's categories (a shard's apps are checked
against them). The catalogue's digest, what ``state.json`` records, is the SHA-256 of the index's
hash and every shard's, in order. Files of the previous catalogue are kept one generation, for
app pages still reading their descriptions.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import deque
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appstore.core.catalog import cache as catalog_cache
from appstore.core.catalog import shards as catalog_shards
from appstore.core.catalog.cache import AppRows
from appstore.core.catalog.models import Catalog
from appstore.core.errors import CatalogError, StoreSecurityError, shorten
from appstore.core.fileio import write_bytes_atomic, write_json_atomic
from appstore.core.store import shardparse

if TYPE_CHECKING:
    from tuf.api.metadata import TargetFile
    from tuf.ngclient import Updater

MANIFEST = "catalog.manifest.json"


def signed_sha256(info: TargetFile, name: str, where: str) -> str:
    digest = info.hashes.get("sha256")
    if not isinstance(digest, str):
        raise StoreSecurityError(f"the store signs {shorten(name)} without a sha256 hash", where=where)
    return digest


def _has_sha256(path: Path, sha: str) -> bool:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest() == sha
    except OSError:
        return False


class ShardedCatalog:
    """One store's sharded catalogue here. Not thread-safe: the store's client serialises."""

    def __init__(self, store_dir: Path, store: str, label: str) -> None:
        self.dir = store_dir / "shards"
        self.manifest_path = store_dir / MANIFEST
        self.store = store  # the local id, recorded on every app
        self.label = label
        self._apps: dict[str, AppRows] = {}  # shard key -> apps, of the catalogue in use
        self.fetched = 0  # shards downloaded by this object (a refresh's cost, for tests/bench)
        self._unsynced = False  # files written since the last sync

    # -- refresh --------------------------------------------------------------------------------
    def refresh(self, updater: Updater, index_info: TargetFile,
                current: tuple[str, Catalog] | None) -> tuple[Catalog, str]:
        """The catalogue the store signs now, fetching only the shards not seen before.
        ``current`` is the catalogue in use (returned as it is when nothing changed)."""
        index_sha = signed_sha256(index_info, catalog_shards.SHARD_INDEX, self.label)
        self.dir.mkdir(parents=True, exist_ok=True)
        header, names = self._index(updater, index_info, index_sha)
        infos = []
        for name in names:
            info = updater.get_targetinfo(name)
            if info is None:
                raise StoreSecurityError(f"the store's shard index names {shorten(name)}, which "
                                         "the store does not sign", where=self.label)
            infos.append((name, signed_sha256(info, name, self.label), info))
        digest = hashlib.sha256(
            (index_sha + "".join(sha for _, sha, _ in infos)).encode()).hexdigest()
        if current is not None and current[0] == digest:
            return current[1], digest
        cat_key = self._categories_key(header)
        keys = [f"{sha[:32]}-{cat_key}" for _, sha, _ in infos]
        apps: dict[str, AppRows] = {}
        missing: dict[str, int] = {}  # shard key -> its place in ``infos``
        for i, key in enumerate(keys):
            if not self._have(key, apps):
                missing.setdefault(key, i)
        if missing:
            self._fill(header, [(key, infos[i][0], partial(self._shard_file, updater, infos[i][2],
                                                           infos[i][1]))
                                for key, i in missing.items()], apps)
        catalog = self._assemble(header, [(name, apps[key]) for (name, _, _), key
                                          in zip(infos, keys, strict=True)])
        self._apps = apps
        self._save_manifest(digest, index_sha, [(n, s, k) for (n, s, _), k
                                                in zip(infos, keys, strict=True)])
        return catalog, digest

    def _have(self, key: str, apps: dict[str, AppRows]) -> bool:
        """Put the parsed shard ``key`` in ``apps`` if it is known (in memory, or its cache
        here); False if it must be parsed."""
        if key not in apps:
            got = self._apps.get(key)
            got = got if got is not None else self._cached(key)
            if got is None:
                return False
            apps[key] = got
        return True

    def _fill(self, header: Catalog, shards: list[tuple[str, str, Callable[[], Path]]],
              apps: dict[str, AppRows]) -> None:
        """Parse ``shards`` (key, target name, a function giving the verified file) into
        ``apps``; in worker processes when they are many (``shardparse``), each file asked for
        (downloaded) while the workers parse the ones before."""
        categories: shardparse.Categories = {k: dict(v) for k, v in header.categories.items()}
        with shardparse.Parser(len(shards), categories, self.store) as parser:
            waiting: deque[str] = deque()
            for key, name, file in shards:
                parser.submit(key, file(), name)
                waiting.append(key)
                while len(waiting) > parser.window:
                    self._take(parser, waiting.popleft(), apps)
            while waiting:
                self._take(parser, waiting.popleft(), apps)

    def _take(self, parser: shardparse.Parser, key: str, apps: dict[str, AppRows]) -> None:
        try:
            listing, details = parser.result(key)
        except CatalogError as e:
            raise e.at(self.label) from None
        apps[key] = self._keep_cache(key, listing, details)

    def _index(self, updater: Updater, info: TargetFile, sha: str) -> tuple[Catalog, list[str]]:
        path = self.dir / f"{sha}.index.json"
        if not path.is_file():
            self._download(updater, info, path)
        try:
            return catalog_shards.parse_index(shardparse.loads(path.read_bytes(), catalog_shards.SHARD_INDEX),
                                              store=self.store)
        except CatalogError as e:
            raise e.at(self.label) from None

    def _shard_file(self, updater: Updater, info: TargetFile, sha: str) -> Path:
        """The verified shard with this signed hash: the file here if its bytes still have
        that hash (a crash may have torn it), else downloaded."""
        path = self.dir / f"{sha}.json"
        if path.is_file():
            if _has_sha256(path, sha):
                return path
            path.unlink()
        self._download(updater, info, path)
        self.fetched += 1
        self._unsynced = True
        return path

    def _download(self, updater: Updater, info: TargetFile, dest: Path) -> None:
        """``info``'s file, verified against it, written whole to ``dest`` (in ``self.dir``,
        made by ``refresh``)."""
        part = dest.with_name(f".{dest.name}.{os.getpid()}.{threading.get_ident()}.part")
        try:
            updater.download_target(info, str(part))
            os.replace(part, dest)
        finally:
            part.unlink(missing_ok=True)

    @staticmethod
    def _categories_key(header: Catalog) -> str:
        cats = json.dumps({k: dict(v) for k, v in header.categories.items()}, sort_keys=True)
        return hashlib.sha256(cats.encode()).hexdigest()[:16]

    def _keep_cache(self, key: str, listing: bytes, details: bytes) -> AppRows:
        """A parsed shard's cache files written here; its apps, read from them."""
        path = self.dir / f"{key}.details"
        try:  # synced all at once, before the manifest names them (``_save_manifest``)
            write_bytes_atomic(path, details, fsync=False, parent_made=True)
            write_bytes_atomic(self.dir / f"{key}.cache", listing, fsync=False, parent_made=True)
        except OSError:  # only a cache: kept in memory, parsed again next time
            return catalog_cache.rows(listing, self.store, details)
        self._unsynced = True
        return self._cached(key) or catalog_cache.rows(listing, self.store, path)

    def _cached(self, key: str) -> AppRows | None:
        """A shard's apps from its cache here (mapped, not read), if it is here."""
        loaded = catalog_cache.load_file(self.dir / f"{key}.cache", key, self.store,
                                         self.dir / f"{key}.details")
        return loaded.apps if loaded is not None else None  # type: ignore[return-value]

    def _assemble(self, header: Catalog, parts: list[tuple[str, AppRows]]) -> Catalog:
        seen: dict[str, str] = {}  # an app id listed in two shards (or twice in one) is refused
        for name, rows in parts:
            for app_id in rows.ids:
                other = seen.get(app_id)
                if other is not None:
                    raise CatalogError(f"{name}: apps: the id {app_id!r} is used twice"
                                       + ("" if other == name else f" (also in {other})")
                                       ).at(self.label)
                seen[app_id] = name
        apps = AppRows.join([rows for _, rows in parts], self.store)
        return Catalog(header.store_id, header.store_name, header.generated, header.categories,
                       apps, self.store)

    # -- the catalogue in use, offline ---------------------------------------------------------
    def load(self, digest: str) -> Catalog | None:
        """The verified catalogue with this digest from the files here, without the network;
        None if it is not (all) here."""
        manifest = self._manifest()
        if manifest is None or manifest.get("digest") != digest:
            return None
        try:
            index_sha = manifest["index"]
            header, _ = catalog_shards.parse_index(
                shardparse.loads((self.dir / f"{index_sha}.index.json").read_bytes(),
                       catalog_shards.SHARD_INDEX), store=self.store)
            apps: dict[str, AppRows] = {}
            missing: dict[str, tuple[str, str]] = {}
            for name, sha, key in manifest["shards"]:
                if not self._have(key, apps):
                    missing.setdefault(key, (name, sha))
            if missing:  # (a start that finds every cache here parses nothing)
                self._fill(header, [(key, name, partial(self._kept_shard, sha))
                                    for key, (name, sha) in missing.items()], apps)
            catalog = self._assemble(header, [(name, apps[key])
                                              for name, _, key in manifest["shards"]])
        except (OSError, CatalogError, KeyError, TypeError, ValueError):
            return None
        self._apps = apps
        return catalog

    def parts(self, digest: str) -> list[tuple[str, int]] | None:
        """(key, number of apps) of each shard of the catalogue in use, if it has this digest
        (what the search index compares to update itself in place); else None."""
        manifest = self._manifest()
        if manifest is None or manifest.get("digest") != digest:
            return None
        try:
            return [(key, len(self._apps[key])) for _, _, key in manifest["shards"]]
        except (KeyError, TypeError, ValueError):
            return None

    def _kept_shard(self, sha: str) -> Path:
        path = self.dir / f"{sha}.json"
        if not _has_sha256(path, sha):
            raise CatalogError(f"the shard kept as {path.name} is damaged")
        return path

    def _manifest(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.manifest_path.read_bytes())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _save_manifest(self, digest: str, index_sha: str, shards: list[tuple[str, str, str]]) -> None:
        previous = self._manifest() or {}
        if self._unsynced:  # the shards and caches written by this refresh, all in one go
            os.sync()
            self._unsynced = False
        try:
            write_json_atomic(self.manifest_path, {"digest": digest, "index": index_sha,
                                                   "shards": shards})
        except OSError:
            return  # the next start fetches what it lacks
        self._prune([previous, {"index": index_sha, "shards": shards}])

    def _prune(self, manifests: list[dict[str, Any]]) -> None:
        """Remove the files of catalogues older than these (the one in use and the one before)."""
        keep: set[str] = set()
        for m in manifests:
            try:
                keep.add(f"{m['index']}.index.json")
                for _, sha, key in m["shards"]:
                    keep.update((f"{sha}.json", f"{key}.cache", f"{key}.details"))
            except (KeyError, TypeError, ValueError):
                continue
        try:
            files = list(self.dir.iterdir())
        except OSError:
            return
        for p in files:
            if p.name not in keep and not p.name.startswith("."):
                p.unlink(missing_ok=True)
