"""One signed store on this machine: pin its root, refresh it through TUF, keep the last
verified catalogue for offline use, and fetch verified targets (icons, screenshots...)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from appstore.core.catalog import cache as catalog_cache
from appstore.core.catalog import index as catalog_index
from appstore.core.catalog import reindex
from appstore.core.catalog.index import StoreIndex
from appstore.core.catalog.models import CATALOG_TARGET, Catalog
from appstore.core.catalog.parse import parse_catalog
from appstore.core.catalog.shards import SHARD_INDEX
from appstore.core.errors import (
    CatalogError,
    NotFound,
    StoreError,
    StoreSecurityError,
    StoreUnreachable,
    UnknownRoot,
    short_path,
    shorten,
)
from appstore.core.fileio import write_bytes_atomic
from appstore.core.logs import log
from appstore.core.store.config import StoreEntry, StoreState, host_of, normalise_fingerprint, now_iso
from appstore.core.store.failures import closing, translate, user_errors
from appstore.core.store.sharded import ShardedCatalog

if TYPE_CHECKING:
    from tuf.api.metadata import TargetFile
    from tuf.ngclient import Updater

    from appstore.core.store.fetcher import Limits

# TUF and the network stack load on first use (a refresh), not when the cached catalogue is shown.

RETRY_AFTER = 30.0  # seconds before a failed store is asked again for targets
# TUF's updater keeps every delegated role it loads: a hashed bin of a 100,000-app store is some
# 150 KB of objects, and the icons of a few hundred cards load most of the 1,024 bins (+150 MB).
# After this many target lookups a fresh updater (one timestamp request) starts again.
LOOKUPS_PER_UPDATER = 128
# Room for big stores: a 100,000-app catalogue's bins stay far below these.
TARGETS_MAX, SNAPSHOT_MAX, ROOT_MAX = 16_000_000, 8_000_000, 512_000


@dataclass(frozen=True)
class RefreshOutcome:
    """Result of refreshing one store; ``catalog`` is what is in use (fresh or last good)."""

    store_id: str
    catalog: Catalog | None
    error: StoreError | None
    verified_at: str | None  # when ``catalog`` was last verified against the store

    @property
    def ok(self) -> bool:
        return self.error is None


class StoreClient:
    """``label`` names the store in messages (its id; the host while it is being added);
    ``limits`` bounds every wait on the network (default: ``fetcher.DEFAULT_LIMITS``)."""

    def __init__(self, entry: StoreEntry, store_dir: Path, *, label: str | None = None,
                 limits: Limits | None = None) -> None:
        self.entry = entry
        self.label = label or entry.id
        self.limits = limits
        self.dir = store_dir
        self.meta_dir = store_dir / "metadata"
        self.catalog_path = store_dir / "catalog.json"
        self.cache_path = store_dir / "catalog.cache"
        self.index_path = store_dir / catalog_index.FILE_NAME
        self.state_path = store_dir / "state.json"
        self.targets_dir = store_dir / "targets"
        self._updater: Updater | None = None
        self._lookups = 0  # target lookups by ``_updater`` (LOOKUPS_PER_UPDATER)
        # TUF's updater is not thread-safe: refreshes and target fetches take turns.
        self._lock = threading.RLock()
        self._locks_lock = threading.Lock()
        self._file_locks: dict[str, threading.Lock] = {}  # one per target being fetched
        self._failed_at = 0.0  # when checking the store for targets last failed
        self._renew_failed_at = 0.0  # when renewing the updater last failed (RETRY_AFTER)
        # The catalogue last handed out, with its signed sha256: a refresh that finds the same
        # hash hands out the same object (no reload, no rebuild; the view above sees "same").
        self._current: tuple[str, Catalog] | None = None
        self._index: StoreIndex | None = None  # the search index of the catalogue in use
        self.sharded = ShardedCatalog(store_dir, entry.id, self.label)

    # -- trust -----------------------------------------------------------------------------
    @staticmethod
    def fetch_root(mirrors: list[str], *, where: str | None = None,
                   limits: Limits | None = None) -> bytes:
        """Download ``metadata/1.root.json`` (untrusted: it is checked against the pin).
        Errors name ``where`` (default: the first mirror's host)."""
        from tuf.api import exceptions as tuf_exc

        from appstore.core.store.fetcher import DEFAULT_LIMITS, PLACEHOLDER, MirrorFetcher

        fetcher = MirrorFetcher(mirrors, limits or DEFAULT_LIMITS)
        where = where or host_of(mirrors[0])
        try:
            data = bytearray()
            for chunk in fetcher.fetch(PLACEHOLDER + "metadata/1.root.json"):
                data += chunk
                if len(data) > ROOT_MAX:
                    raise StoreSecurityError("the store's root metadata is too large", where=where)
            return bytes(data)
        except tuf_exc.DownloadHTTPError as e:
            raise StoreError(
                f"no signed store here (metadata/1.root.json answered {e.status_code}); "
                "check the URL", where=where) from None
        except user_errors() as e:
            raise translate(e, where) from None

    @staticmethod
    def check_pin(root_bytes: bytes, root_sha256: str, where: str) -> None:
        actual = hashlib.sha256(root_bytes).hexdigest()
        if actual != normalise_fingerprint(root_sha256):
            raise UnknownRoot(
                f"the store's root fingerprint is {actual}, not the {shorten(root_sha256)} you "
                "gave. This is not the store you meant (or it is being impersonated); it was "
                "not added.", where=where)

    def _new_updater(self, bootstrap: bytes | None) -> Updater:
        from tuf.api.exceptions import RepositoryError

        self.meta_dir.mkdir(parents=True, exist_ok=True)
        if bootstrap is None:
            root = self.meta_dir / "root.json"
            try:
                return self._make_updater(None)  # from the trusted root.json kept here
            except (OSError, RepositoryError) as e:
                # Lost (first use, files removed) or damaged: start again from the pinned
                # fingerprint, never from whatever the server hands us. (An OSError about
                # another file, such as a failed write, is no reason to: it is reported.)
                if isinstance(e, OSError) and e.filename != str(root):
                    raise
                if not isinstance(e, FileNotFoundError):
                    log.warning("%s: the trusted root here is unusable (%s); starting again "
                                "from the pinned fingerprint", self.label, e)
                    self._discard(root)
            bootstrap = self.fetch_root(self.entry.mirrors, where=self.label, limits=self.limits)
            self.check_pin(bootstrap, self.entry.root_sha256, self.label)
        return self._make_updater(bootstrap)

    @staticmethod
    def _discard(path: Path) -> None:
        """Remove a damaged local file (or whatever took its name)."""
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)

    def _make_updater(self, bootstrap: bytes | None) -> Updater:
        from tuf.ngclient import Updater, UpdaterConfig

        from appstore.core.store.fetcher import DEFAULT_LIMITS, PLACEHOLDER, MirrorFetcher

        return Updater(
            str(self.meta_dir),
            PLACEHOLDER + "metadata/",
            str(self.targets_dir),
            PLACEHOLDER + "targets/",
            fetcher=MirrorFetcher(self.entry.mirrors, self.limits or DEFAULT_LIMITS),
            config=UpdaterConfig(targets_max_length=TARGETS_MAX, snapshot_max_length=SNAPSHOT_MAX,
                                 root_max_length=ROOT_MAX),
            bootstrap=bootstrap,
        )

    # -- refresh -----------------------------------------------------------------------------
    def refresh(self, *, bootstrap: bytes | None = None) -> RefreshOutcome:
        """Update metadata and catalogue; on failure keep the last verified catalogue."""
        with self._lock:
            return self._refresh_locked(bootstrap)

    def _refresh_locked(self, bootstrap: bytes | None) -> RefreshOutcome:
        state = StoreState.load(self.state_path)
        state.last_attempt = now_iso()
        try:
            catalog, digest = self._refresh(bootstrap)
        except user_errors() as e:
            err = translate(e, self.label, self.dir)
            if not closing():  # cut short by imapp closing: nothing learnt about the store
                state.last_error = str(err)
                self._save_state(state)  # best effort: the refresh's own error is the news
            last = self.cached()
            return RefreshOutcome(self.entry.id, last.catalog if last else None, err,
                                  state.last_success)
        state.last_success = state.last_attempt
        state.last_error = None
        state.catalog_sha256 = digest
        saved = self._save_state(state)
        return RefreshOutcome(self.entry.id, catalog, saved, state.last_success)

    def _refresh(self, bootstrap: bytes | None) -> tuple[Catalog, str]:
        updater = self._new_updater(bootstrap)
        updater.refresh()
        self._updater, self._lookups = updater, 0
        shards = updater.get_targetinfo(SHARD_INDEX)
        if shards is not None:  # only the shards that changed are fetched
            catalog, combined = self.sharded.refresh(updater, shards, self._current)
            return self._keep(catalog, combined), combined
        info = updater.get_targetinfo(CATALOG_TARGET)
        if info is None:
            raise StoreSecurityError("the store does not sign a catalogue", where=self.label)
        digest = info.hashes.get("sha256")
        if not isinstance(digest, str):
            raise StoreSecurityError("the store signs its catalogue without a sha256 hash",
                                     where=self.label)
        current = self._current
        if current is not None and current[0] == digest:
            return current[1], digest  # nothing changed: the catalogue in use stays in use
        cached = self._load_cache(digest)  # built from a file that had this signed hash
        if cached is not None:
            return self._keep(cached, digest), digest
        if updater.find_cached_target(info, str(self.catalog_path)) is not None:
            return self._load(digest), digest
        tmp = self.dir / "catalog.json.new"
        updater.download_target(info, str(tmp))
        catalog = self._parse(tmp.read_bytes())  # refuse a signed but malformed catalogue
        tmp.replace(self.catalog_path)
        return self._keep(self._write_cache(catalog, digest), digest), digest

    def _keep(self, catalog: Catalog, digest: str) -> Catalog:
        """Remember ``catalog`` (verified, with this signed sha256) as the one in use."""
        self._current = (digest, catalog)
        return catalog

    def _load_cache(self, digest: str) -> Catalog | None:
        details = catalog_cache.details_path(self.dir, digest)
        return catalog_cache.load_file(self.cache_path, digest, self.entry.id, details)

    def _load(self, digest: str) -> Catalog:
        """The verified catalogue with this digest: the one in use, else from the fast cache,
        else parsed again."""
        current = self._current
        if current is not None and current[0] == digest:
            return current[1]
        sharded = self.sharded.load(digest)
        if sharded is not None:
            return self._keep(sharded, digest)
        cached = self._load_cache(digest)
        if cached is not None:
            return self._keep(cached, digest)
        catalog = self._parse(self.catalog_path.read_bytes())
        return self._keep(self._write_cache(catalog, digest), digest)

    def _write_cache(self, catalog: Catalog, digest: str) -> Catalog:
        """Write the fast cache of a catalogue just parsed; the same catalogue in its compact
        form (``catalog_cache.AppRows``), the one to keep in memory."""
        listing, details = catalog_cache.dump(catalog, digest)
        keep = catalog_cache.details_path(self.dir, digest)
        try:
            write_bytes_atomic(keep, details)
            write_bytes_atomic(self.cache_path, listing)
        except OSError:  # only a cache: the next start parses the catalogue again
            return replace(catalog, apps=catalog_cache.rows(listing, self.entry.id, details))
        mapped = catalog_cache.load_file(self.cache_path, digest, self.entry.id, keep)
        compact = replace(catalog, apps=mapped.apps if mapped is not None
                          else catalog_cache.rows(listing, self.entry.id, keep))
        # Apps still on screen may read the previous catalogue's descriptions: keep one more.
        olds = sorted(self.dir.glob("catalog.*.details"), key=lambda p: p.stat().st_mtime)
        for old in [p for p in olds if p != keep][:-1]:
            old.unlink(missing_ok=True)
        return compact

    def _parse(self, data: bytes) -> Catalog:
        try:
            raw = json.loads(data)
            return parse_catalog(raw, where=CATALOG_TARGET, store=self.entry.id)
        except RecursionError:  # JSON nested deeper than the parser's recursion allows
            raise CatalogError(f"{CATALOG_TARGET} is nested too deeply to be a catalogue",
                               where=self.label) from None
        except CatalogError as e:
            raise e.at(self.label) from None
        except ValueError as e:
            raise CatalogError(f"{CATALOG_TARGET} is not valid JSON ({shorten(e, 200)})",
                               where=self.label) from None

    def search_index(self) -> StoreIndex | None:
        """The SQLite search index of the last verified catalogue, built (once per catalogue:
        it is kept on disk, keyed by the catalogue's signed sha256) if it is not there yet.
        None if this store has no verified catalogue here, or the index cannot be written."""
        current = self._current
        digest = current[0] if current is not None else StoreState.load(self.state_path).catalog_sha256
        if not digest:
            return None
        index = self._index
        if index is not None and index.digest == digest:
            return index
        index = StoreIndex.open(self.index_path, digest, self.entry.id)
        if index is None:
            try:
                catalog = self._load(digest)  # (a refresh that changed one app: updated in place)
                reindex.refresh(self.index_path, catalog, digest, self.sharded.parts(digest))
            except (OSError, CatalogError, sqlite3.Error) as e:
                log.warning("%s: cannot build the search index in %s: %s", self.label,
                            self.index_path, e)
                return None
            index = StoreIndex.open(self.index_path, digest, self.entry.id)
        self._index = index
        return index

    def _save_state(self, state: StoreState) -> StoreError | None:
        """Write ``state.json``; a failure is returned (and logged), never raised."""
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            state.save(self.state_path)
        except OSError as e:
            log.warning("%s: cannot save %s: %s", self.label, self.state_path, e)
            return StoreError(
                f"the store was checked, but its state could not be saved in "
                f"{short_path(self.state_path)} ({e.strerror or e}); check that the data dir "
                "is writable", where=self.label)
        return None

    def cached(self) -> RefreshOutcome | None:
        """The last verified catalogue and what the last refresh said, without the network;
        None if this store has never been verified here."""
        state = StoreState.load(self.state_path)
        if not state.catalog_sha256:
            return None
        try:
            catalog = self._load(state.catalog_sha256)
        except (OSError, CatalogError):  # no cache and no catalogue file
            return None
        err = StoreError(state.last_error) if state.last_error else None
        return RefreshOutcome(self.entry.id, catalog, err, state.last_success)

    def state(self) -> StoreState:
        return StoreState.load(self.state_path)

    # -- targets -----------------------------------------------------------------------------
    def target_info(self, name: str) -> TargetFile:
        """The signed length and hashes of a target (refreshing trust once if needed)."""
        with self._lock:
            return self._target_info(name)

    def _target_info(self, name: str) -> TargetFile:
        if self._updater is None:
            if self._failed_at and time.monotonic() - self._failed_at < RETRY_AFTER:
                raise StoreUnreachable("the store could not be checked just now",
                                       where=self.label)
            try:
                updater = self._new_updater(None)
                updater.refresh()
            except user_errors() as e:
                self._failed_at = time.monotonic()
                raise translate(e, self.label, self.dir) from None
            self._updater, self._failed_at, self._lookups = updater, 0.0, 0
        elif (self._lookups >= LOOKUPS_PER_UPDATER  # let go of the bins it loaded
              and time.monotonic() - self._renew_failed_at >= RETRY_AFTER):
            # (a renewal asks the store: one that failed is not tried again for RETRY_AFTER, so
            # a store gone dead holds up the lookups under this lock once, not every 128 icons)
            try:
                updater = self._new_updater(None)
                updater.refresh()
                self._updater = updater
            except user_errors() as e:  # the one at hand still answers from what it verified
                self._renew_failed_at = time.monotonic()
                log.info("%s: kept the store's trusted metadata at hand (%s)", self.label, e)
            self._lookups = 0
        self._lookups += 1
        try:
            info = self._updater.get_targetinfo(name)
        except user_errors() as e:  # a delegated role (hashed bin) is fetched on demand
            raise translate(e, self.label, self.dir) from None
        if info is None:
            raise NotFound(f"the store has no file {shorten(name)!r}", where=self.label)
        return info

    def fetch_target(self, name: str, *, max_length: int | None = None) -> Path:
        """A verified local copy of target ``name`` (downloaded once, then cached).

        The signed target info is taken under the store's lock; the transfer runs outside it,
        so one slow file never holds up the store's refreshes or its other files. While a
        refresh holds the lock, a copy verified earlier is used rather than waiting for it. A
        target signed as longer than ``max_length`` is refused before a byte of it is fetched."""
        dest = self.targets_dir / name

        def usable_copy() -> bool:
            return dest.is_file() and (max_length is None or dest.stat().st_size <= max_length)

        if not self._lock.acquire(blocking=False):
            if usable_copy():
                return dest  # verified when it was fetched (written whole: see below)
            self._lock.acquire()
        try:
            try:
                info = self._target_info(name)
            except StoreError:
                # Offline or failing store: a copy verified earlier is still the file we verified.
                if usable_copy():
                    return dest
                raise
            updater = self._updater
        finally:
            self._lock.release()
        assert updater is not None
        if max_length is not None and info.length > max_length:
            raise StoreSecurityError(
                f"the store signs {shorten(name)!r} as {info.length} bytes, more than the "
                f"{max_length} a file of its kind may have; it was not downloaded", where=self.label)
        with self._file_lock(name):  # one transfer per file; readers never see half of one
            try:
                cached = updater.find_cached_target(info, str(dest))
                if cached:
                    return Path(cached)
                dest.parent.mkdir(parents=True, exist_ok=True)
                part = dest.with_name(f".{dest.name}.part")
                try:
                    updater.download_target(info, str(part))  # verified against info
                    os.replace(part, dest)
                finally:
                    part.unlink(missing_ok=True)
                return dest
            except user_errors() as e:
                raise translate(e, self.label, self.dir) from None

    def _file_lock(self, name: str) -> threading.Lock:
        with self._locks_lock:
            return self._file_locks.setdefault(name, threading.Lock())

    def forget(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
