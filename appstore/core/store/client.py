"""One signed store on this machine: pin its root, refresh it through TUF, keep the last
verified catalogue for offline use, and fetch verified targets (icons, screenshots...)."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from appstore.core.catalog import cache as catalog_cache
from appstore.core.catalog.models import CATALOG_TARGET, Catalog, parse_catalog
from appstore.core.errors import (
    AppStoreError,
    CatalogError,
    NotFound,
    StoreError,
    StoreSecurityError,
    StoreUnreachable,
    UnknownRoot,
)
from appstore.core.fileio import write_bytes_atomic
from appstore.core.store.config import StoreEntry, StoreState, host_of, now_iso

if TYPE_CHECKING:
    from tuf.api.metadata import TargetFile
    from tuf.ngclient import Updater

# TUF and the network stack load on first use (a refresh), not when the cached catalogue is shown.

RETRY_AFTER = 30.0  # seconds before a failed store is asked again for targets
# Room for big stores: a 100,000-app catalogue's bins stay far below these.
TARGETS_MAX, SNAPSHOT_MAX, ROOT_MAX = 16_000_000, 8_000_000, 512_000


def translate(err: Exception, where: str) -> StoreError:
    """A TUF or network failure as a message a user can act on."""
    from tuf.api import exceptions as tuf_exc

    requests = sys.modules.get("requests")  # a requests error implies it was loaded
    request_error: type[Exception] = requests.RequestException if requests else OSError
    if isinstance(err, StoreUnreachable) and not str(err).startswith(f"{where}:"):
        return StoreUnreachable(
            f"{where}: cannot reach the store ({err}). Check the connection or the store's "
            "URL and try again."
        )
    if isinstance(err, StoreError):
        return err
    if isinstance(err, tuf_exc.ExpiredMetadataError):
        return StoreSecurityError(
            f"{where}: the store's signed metadata has expired ({err}). The publisher must "
            "re-sign it; the last verified catalogue stays in use."
        )
    if isinstance(err, tuf_exc.BadVersionNumberError | tuf_exc.EqualVersionNumberError):
        return StoreSecurityError(
            f"{where}: the store offered older metadata than this computer already trusts "
            f"(a rollback: {err}). A mirror may be stale or under attack; nothing was changed."
        )
    if isinstance(err, tuf_exc.UnsignedMetadataError):
        return StoreSecurityError(
            f"{where}: bad signature on the store's metadata ({err}). It was altered or signed "
            "with the wrong key; nothing was changed."
        )
    if isinstance(err, tuf_exc.LengthOrHashMismatchError | tuf_exc.DownloadLengthMismatchError):
        return StoreSecurityError(
            f"{where}: a file does not match what the store signed ({err}). It was tampered "
            "with or is from a different version of the store; nothing was changed."
        )
    if isinstance(err, tuf_exc.SlowRetrievalError | tuf_exc.DownloadError | request_error):
        return StoreUnreachable(
            f"{where}: cannot reach the store ({err or 'no answer'}). Check the connection and "
            "try again."
        )
    if isinstance(err, tuf_exc.RepositoryError):
        return StoreSecurityError(f"{where}: the store's metadata is invalid ({err})")
    if isinstance(err, OSError):
        return StoreError(f"{where}: cannot use the local store files ({err})")
    return StoreError(f"{where}: {type(err).__name__}: {err}")


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
    def __init__(self, entry: StoreEntry, store_dir: Path) -> None:
        self.entry = entry
        self.dir = store_dir
        self.meta_dir = store_dir / "metadata"
        self.catalog_path = store_dir / "catalog.json"
        self.cache_path = store_dir / "catalog.cache"
        self.state_path = store_dir / "state.json"
        self.targets_dir = store_dir / "targets"
        self._updater: Updater | None = None
        # TUF's updater is not thread-safe: refreshes and target fetches take turns.
        self._lock = threading.RLock()
        self._failed_at = 0.0  # when checking the store for targets last failed

    # -- trust -----------------------------------------------------------------------------
    @staticmethod
    def fetch_root(mirrors: list[str]) -> bytes:
        """Download ``metadata/1.root.json`` (untrusted: it is checked against the pin)."""
        from tuf.api import exceptions as tuf_exc

        from appstore.core.store.fetcher import PLACEHOLDER, MirrorFetcher

        fetcher = MirrorFetcher(mirrors)
        where = host_of(mirrors[0])
        try:
            data = b""
            for chunk in fetcher.fetch(PLACEHOLDER + "metadata/1.root.json"):
                data += chunk
                if len(data) > ROOT_MAX:
                    raise StoreSecurityError(f"{where}: the store's root metadata is too large")
            return data
        except tuf_exc.DownloadHTTPError as e:
            raise StoreError(
                f"{where}: no signed store here (metadata/1.root.json answered {e.status_code}); "
                "check the URL"
            ) from None
        except AppStoreError:
            raise
        except Exception as e:
            raise translate(e, where) from None

    @staticmethod
    def check_pin(root_bytes: bytes, root_sha256: str, where: str) -> None:
        actual = hashlib.sha256(root_bytes).hexdigest()
        if actual != root_sha256.strip().lower():
            raise UnknownRoot(
                f"{where}: the store's root fingerprint is {actual}, not the {root_sha256} you "
                "gave. This is not the store you meant (or it is being impersonated); it was "
                "not added."
            )

    def _new_updater(self, bootstrap: bytes | None) -> Updater:
        from tuf.ngclient import Updater, UpdaterConfig

        from appstore.core.store.fetcher import PLACEHOLDER, MirrorFetcher

        self.meta_dir.mkdir(parents=True, exist_ok=True)
        if bootstrap is None and not (self.meta_dir / "root.json").exists():
            # No trusted root here yet (first use, or local files lost): start again from the
            # pinned fingerprint, never from whatever the server hands us.
            bootstrap = self.fetch_root(self.entry.mirrors)
            self.check_pin(bootstrap, self.entry.root_sha256, self.entry.id)
        return Updater(
            str(self.meta_dir),
            PLACEHOLDER + "metadata/",
            str(self.targets_dir),
            PLACEHOLDER + "targets/",
            fetcher=MirrorFetcher(self.entry.mirrors),
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
        from tuf.api import exceptions as tuf_exc

        state = StoreState.load(self.state_path)
        state.last_attempt = now_iso()
        try:
            catalog, digest = self._refresh(bootstrap)
        except (AppStoreError, tuf_exc.RepositoryError, tuf_exc.DownloadError, OSError) as e:
            err = translate(e, self.entry.id)
            if isinstance(e, CatalogError):
                err = StoreSecurityError(f"{self.entry.id}: {e}")
            state.last_error = str(err)
            self._save_state(state)
            last = self.cached()
            return RefreshOutcome(self.entry.id, last.catalog if last else None, err,
                                  state.last_success)
        state.last_success = state.last_attempt
        state.last_error = None
        state.catalog_sha256 = digest
        self._save_state(state)
        return RefreshOutcome(self.entry.id, catalog, None, state.last_success)

    def _refresh(self, bootstrap: bytes | None) -> tuple[Catalog, str]:
        updater = self._new_updater(bootstrap)
        updater.refresh()
        self._updater = updater
        info = updater.get_targetinfo(CATALOG_TARGET)
        if info is None:
            raise StoreSecurityError(f"{self.entry.id}: the store does not sign a catalogue")
        digest = info.hashes["sha256"]
        cached = self._load_cache(digest)  # built from a file that had this signed hash
        if cached is not None:
            return cached, digest
        if updater.find_cached_target(info, str(self.catalog_path)) is not None:
            return self._load(digest), digest
        tmp = self.dir / "catalog.json.new"
        updater.download_target(info, str(tmp))
        catalog = self._parse(tmp.read_bytes())  # refuse a signed but malformed catalogue
        tmp.replace(self.catalog_path)
        self._write_cache(catalog, digest)
        return catalog, digest

    def _load_cache(self, digest: str) -> Catalog | None:
        try:
            data = self.cache_path.read_bytes()
        except OSError:
            return None
        details = catalog_cache.details_path(self.dir, digest)
        return catalog_cache.load(data, digest, self.entry.id, details)

    def _load(self, digest: str) -> Catalog:
        """The verified catalogue with this digest: from the fast cache, else parsed again."""
        cached = self._load_cache(digest)
        if cached is not None:
            return cached
        catalog = self._parse(self.catalog_path.read_bytes())
        self._write_cache(catalog, digest)
        return catalog

    def _write_cache(self, catalog: Catalog, digest: str) -> None:
        listing, details = catalog_cache.dump(catalog, digest)
        keep = catalog_cache.details_path(self.dir, digest)
        try:
            write_bytes_atomic(keep, details)
            write_bytes_atomic(self.cache_path, listing)
        except OSError:
            return  # only a cache: the next start parses the catalogue again
        # Apps still on screen may read the previous catalogue's descriptions: keep one more.
        olds = sorted(self.dir.glob("catalog.*.details"), key=lambda p: p.stat().st_mtime)
        for old in [p for p in olds if p != keep][:-1]:
            old.unlink(missing_ok=True)

    def _parse(self, data: bytes) -> Catalog:
        try:
            raw = json.loads(data)
        except ValueError as e:
            raise CatalogError(f"{CATALOG_TARGET} is not valid JSON ({e})") from None
        return parse_catalog(raw, where=f"{self.entry.id}: {CATALOG_TARGET}", store=self.entry.id)

    def _save_state(self, state: StoreState) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        state.save(self.state_path)

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
                raise StoreUnreachable(f"{self.entry.id}: the store could not be checked just now")
            try:
                updater = self._new_updater(None)
                updater.refresh()
            except Exception as e:
                self._failed_at = time.monotonic()
                raise translate(e, self.entry.id) from None
            self._updater, self._failed_at = updater, 0.0
        info = self._updater.get_targetinfo(name)
        if info is None:
            raise NotFound(f"{self.entry.id}: the store has no file {name!r}")
        return info

    def fetch_target(self, name: str) -> Path:
        """A verified local copy of target ``name`` (downloaded once, then cached)."""
        with self._lock:
            return self._fetch_target(name)

    def _fetch_target(self, name: str) -> Path:
        dest = self.targets_dir / name
        try:
            info = self._target_info(name)
        except StoreError:
            # Offline or failing store: a copy verified earlier is still the file we verified.
            if dest.is_file():
                return dest
            raise
        assert self._updater is not None
        try:
            cached = self._updater.find_cached_target(info, str(dest))
            if cached:
                return Path(cached)
            dest.parent.mkdir(parents=True, exist_ok=True)
            return Path(self._updater.download_target(info, str(dest)))
        except Exception as e:
            raise translate(e, self.entry.id) from None

    def forget(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def age_text(verified_at: str | None, now: datetime | None = None) -> str:
    """'3 hours ago'-style age of a verification time, for status lines."""
    if not verified_at:
        return "never verified"
    then = datetime.fromisoformat(verified_at)
    secs = int(((now or datetime.now(UTC)) - then).total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if secs >= size:
            n = secs // size
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"
