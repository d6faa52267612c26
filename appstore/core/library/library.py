"""The library of installed DApps: install, update, uninstall, and recovery after a crash.

Layout (docs/library.md)::

    DATA/library/library.sqlite3        one row per installed app (db.py)
    DATA/library/.lock                  held by the one writer (db.LibraryLock)
    DATA/library/staging/RANDOM/        a package being unpacked
    DATA/library/trash/RANDOM/          a folder being removed
    DATA/library/apps/STORE/APP_ID/VERSION-TOKEN/   an install folder
    DATA/appdata/STORE/APP_ID/          the app's own data (the DApp host's storage)

An install or update unpacks into staging (checked and durable), renames that folder into
``apps/`` (atomic, same file system), commits the database row that points at it, and only then
removes the previous version's folder. The row is the truth: whatever moment a crash happens
at, the row points at a complete folder (the old one or the new one), and ``recover`` removes
what no row points at. The reasoning, step by step, is in docs/library.md.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from pathlib import Path

from appstore.core.catalog.models import App, Release
from appstore.core.errors import NotFound
from appstore.core.fileio import fsync_dir
from appstore.core.ids import ID_RE, STORE_ID_RE
from appstore.core.jobs import JobContext
from appstore.core.library.db import LibraryDB, LibraryLock
from appstore.core.library.models import (
    InstalledApp,
    LibraryError,
    PackageError,
    PermissionsNeeded,
    Recovery,
    Step,
    Update,
    asks_for,
)
from appstore.core.library.unpack import LIMITS, Limits, Sync, unpack
from appstore.core.logs import log
from appstore.core.paths import Paths
from appstore.core.versions import Version

# An fsync per file for small packages, one syncfs for big ones (Linux; elsewhere an fsync per
# file): see unpack.Sync and bench/install.py.
DEFAULT_SYNC: Sync = "auto"


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class Library:
    """The installed DApps of one data dir. Every method does disk I/O: call it off the GUI
    thread. Safe to use from several threads; writers wait for each other (and for another
    imapp on the same data dir) up to ``lock_timeout`` seconds."""

    def __init__(self, paths: Paths, *, limits: Limits = LIMITS, sync: Sync = DEFAULT_SYNC,
                 lock_timeout: float = 120.0) -> None:
        self.paths = paths
        self.limits = limits
        self.sync = sync
        self.lock_timeout = lock_timeout
        self.root = paths.library_dir
        self.apps_dir = self.root / "apps"
        self.staging_dir = self.root / "staging"
        self.trash_dir = self.root / "trash"
        self.db = LibraryDB(self.root / "library.sqlite3", self.apps_dir)
        self.lock = LibraryLock(self.root / ".lock")

    @classmethod
    def open(cls, paths: Paths, *, limits: Limits = LIMITS, sync: Sync = DEFAULT_SYNC,
             lock_timeout: float = 120.0) -> Library:
        """The library of ``paths``, recovered from any interrupted install (unless another
        imapp is writing to it right now: then it recovers on a later start)."""
        library = cls(paths, limits=limits, sync=sync, lock_timeout=lock_timeout)
        library.recover(wait=False)
        return library

    def close(self) -> None:
        self.db.close()

    # -- reading

    def installed(self) -> list[InstalledApp]:
        """Every installed app, by store then id."""
        return self.db.all()

    def get(self, store: str, app_id: str) -> InstalledApp | None:
        return self.db.get(store, app_id)

    def entry_path(self, installed: InstalledApp) -> Path:
        """The app's start page inside its install folder."""
        parts = installed.entry.split("/")
        if any(p in ("", ".", "..") for p in parts):
            raise LibraryError(f"{installed.id}: its entry page {installed.entry!r} is not inside its "
                               "folder; uninstall and install it again")
        return installed.folder.joinpath(*parts)

    def app_data_dir(self, store: str, app_id: str) -> Path:
        """Where the app keeps its own data (``DATA/appdata/STORE/APP_ID``)."""
        _check_ids(store, app_id)
        return self.paths.appdata_dir / store / app_id

    def updates(self, catalog_apps: Iterable[App]) -> list[Update]:
        """Installed apps whose catalogue has a newer release (by version order), sorted by id.
        Apps of a store that is gone get none; ``App.store`` says which store an app is from.
        An update whose catalogue entry asks for permissions the user has not accepted says so
        (``Update.asks_for``): it waits for their consent."""
        live = {(a.store, a.app_id): a for a in self.db.all() if not a.store_gone}
        found: dict[str, Update] = {}
        for app in catalog_apps:
            have = live.get((app.store, app.id))
            latest = app.latest
            if have is None or latest is None or app.kind != "web":
                continue
            try:
                newer = Version(latest.version) > Version(have.version)
            except ValueError:
                continue
            if newer:
                found[have.id] = Update(have.id, have.app_id, have.store, have.version,
                                        latest.version, asks_for(catalog_permissions(app),
                                                                 have.accepted))
        return [found[k] for k in sorted(found)]

    # -- writing

    def install(self, package: Path, app: App, release: Release, *, store: str,
                ctx: JobContext, accept: Collection[str] = ()) -> InstalledApp:
        """Install (or update to, or reinstall) ``release`` of ``app`` from the verified package
        file ``package``. The previous version stays installed and working until the new one is
        live; a crash at any moment leaves one or the other (see docs/library.md).

        Permissions: a first install accepts what the catalogue lists for ``app`` (what its page
        showed). When a version is installed already, the new manifest may ask only for what
        the user accepted before or accepts now (``accept``), else ``PermissionsNeeded`` and
        nothing changes: an update never widens an app's permissions silently.

        ``PackageError`` (the package is damaged, unsafe or does not match the catalogue),
        ``PermissionsNeeded``, ``Cancelled`` (before the new version went live: nothing
        changed), ``LibraryError`` (a link DApp, another imapp writing), ``OSError`` (the disk).
        """
        _check_ids(store, app.id)
        if app.store and app.store != store:
            raise LibraryError(f"{app.id} comes from the store {app.store!r}, not {store!r}")
        if app.kind != "web":
            raise LibraryError(f"{app.id} is a link DApp: it opens its web page and is not installed")
        where = f"{store}/{app.id} {release.version}"
        with self.lock.held(timeout=self.lock_timeout, ctx=ctx):
            ctx.check()
            ctx.progress(0, 0, Step.CHECKING)
            package_size, sha256 = _digest(package, ctx)
            if sha256 != release.sha256.lower() or package_size != release.size:
                raise PackageError("the package file is not the one the catalogue signed (its size "
                                   "or SHA-256 differs); download it again").at(where)
            try:
                unpacked = unpack(package, self.staging_dir, app_id=app.id, version=release.version,
                                  permissions=catalog_permissions(app),
                                  ctx=ctx, limits=self.limits, sync=self.sync)
            except PackageError as e:
                raise e.at(where) from None
            previous = self.db.get(store, app.id)
            wanted = unpacked.manifest.permissions
            if previous is None:
                accepted = tuple(dict.fromkeys((*catalog_permissions(app), *wanted, *accept)))
            else:
                accepted = tuple(dict.fromkeys((*previous.accepted, *accept)))
                missing = asks_for(wanted, accepted)
                if missing:
                    shutil.rmtree(unpacked.folder, ignore_errors=True)
                    raise PermissionsNeeded(f"{store}/{app.id}", release.version, missing)
            app_dir = self.apps_dir / store / app.id
            live = app_dir / f"{release.version}-{secrets.token_hex(4)}"
            try:
                ctx.check()  # the last moment to cancel: after the rename the install goes on
                ctx.progress(unpacked.size, unpacked.size, Step.MOVING)
                self._makedirs(app_dir)
                if live.exists():
                    raise FileExistsError(f"{live} already exists")
                os.rename(unpacked.folder, live)
            except BaseException:
                shutil.rmtree(unpacked.folder, ignore_errors=True)
                raise
            installed = InstalledApp(
                id=f"{store}/{app.id}", app_id=app.id, store=store, version=release.version,
                size=unpacked.size, installed_at=_now(), package_size=package_size,
                files=unpacked.files, sha256=sha256, folder=live, entry=unpacked.manifest.entry,
                permissions=wanted, accepted=accepted)
            try:
                fsync_dir(app_dir)  # the rename is on disk before a row points at it
                fsync_dir(self.staging_dir)
                ctx.progress(unpacked.size, unpacked.size, Step.RECORDING)
                self.db.put(installed)
            except BaseException:
                self._roll_back(store, app.id, live)
                raise
            log.info("library: installed %s %s (%d files, %d bytes)", installed.id, installed.version,
                     installed.files, installed.size)
            ctx.progress(unpacked.size, unpacked.size, Step.CLEANING)
            if previous is not None and previous.folder != live:
                self._remove(previous.folder)
            ctx.progress(unpacked.size, unpacked.size, Step.DONE)
            return installed

    def accept(self, store: str, app_id: str, permissions: Iterable[str]) -> InstalledApp:
        """The user accepts ``permissions`` for an installed app (an update that asks for them
        may then be installed); ``NotFound`` if it is not installed."""
        _check_ids(store, app_id)
        with self.lock.held(timeout=self.lock_timeout):
            installed = self.db.accept(store, app_id, tuple(permissions))
        if installed is None:
            raise NotFound(f"{app_id} is not installed from {store}")
        log.info("library: %s accepted %s", installed.id, ", ".join(installed.accepted) or "nothing")
        return installed

    def uninstall(self, store: str, app_id: str, *, keep_data: bool) -> None:
        """Remove an installed app; with ``keep_data=False`` also its own data
        (``DATA/appdata/STORE/APP_ID``). ``NotFound`` if it is not installed."""
        _check_ids(store, app_id)
        with self.lock.held(timeout=self.lock_timeout):
            installed = self.db.get(store, app_id)
            if installed is None:
                raise NotFound(f"{app_id} is not installed from {store}")
            doomed = []
            data = self.app_data_dir(store, app_id)
            if not keep_data and os.path.lexists(data):
                doomed.append(self._to_trash(data))  # first: a crash must not leave the data
            self.db.delete(store, app_id)  # from here on the app is not installed
            log.info("library: uninstalled %s/%s%s", store, app_id, "" if keep_data else " and its data")
            with contextlib.suppress(OSError):  # what is left is an orphan for recover()
                doomed.append(self._to_trash(installed.folder))
            for path in doomed:
                _remove_tree(path)
            _remove_empty(installed.folder.parent, installed.folder.parent.parent)
            if not keep_data:
                _remove_empty(data.parent)

    def mark_store_gone(self, store: str) -> int:
        """The store was removed: its apps stay installed and usable but get no updates. Returns
        how many apps were marked."""
        with self.lock.held(timeout=self.lock_timeout):
            return self.db.set_store_gone(store, True)

    def mark_store_back(self, store: str) -> int:
        """The store was added again: its apps get updates again."""
        with self.lock.held(timeout=self.lock_timeout):
            return self.db.set_store_gone(store, False)

    def recover(self, *, wait: bool = True) -> Recovery:
        """Finish what an interrupted install, update or uninstall left: remove staging and
        trash leftovers and every install folder no row points at; drop rows whose folder has
        vanished. With ``wait=False`` it gives up at once when another imapp holds the lock
        (``Recovery(skipped=True)``): that one is writing, and its folders are not leftovers."""
        if not self.lock.acquire(self.lock_timeout if wait else 0):
            if wait:
                raise LibraryError("another imapp is installing or removing apps in this data dir; "
                                   "try again when it has finished")
            return Recovery(skipped=True)
        try:
            report = self._recover()
        finally:
            self.lock.release()
        if report.changed:
            log.info("library: recovered from an interrupted install or removal: %s", report)
        return report

    def integrity(self) -> str:
        """The database's ``PRAGMA integrity_check`` ("ok")."""
        return self.db.integrity()

    # -- inside

    def _roll_back(self, store: str, app_id: str, live: Path) -> None:
        """Recording the new version failed: remove its folder unless the database points at
        it (the write may have reached the disk). When the row cannot be read, nobody can
        tell: the folder is kept, and ``recover`` removes it later if no row points at it."""
        try:
            row = self.db.get(store, app_id)
        except Exception:
            log.exception("library: the row of %s/%s cannot be read after a failed install; %s "
                          "is kept for recovery", store, app_id, live)
            return
        if row is None or row.folder != live:
            self._remove(live)

    def _recover(self) -> Recovery:
        staging = 0
        for area in (self.staging_dir, self.trash_dir):
            for leftover in _children(area):
                _remove_tree(leftover)
                staging += 1
        missing = []
        for row in self.db.all():
            if not row.folder.is_dir():
                self.db.delete(row.store, row.app_id)
                missing.append(row.id)
        live = self.db.folders()
        orphans = 0
        for store_dir in _children(self.apps_dir):
            for app_dir in _children(store_dir) if _real_dir(store_dir) else [store_dir]:
                for folder in _children(app_dir) if _real_dir(app_dir) else [app_dir]:
                    if folder.relative_to(self.apps_dir).as_posix() not in live:
                        _remove_tree(folder)
                        orphans += 1
                _remove_empty(app_dir)
            _remove_empty(store_dir)
        return Recovery(staging, orphans, tuple(missing))

    def _makedirs(self, path: Path) -> None:
        """Create ``path`` and its missing parents, each made durable in its parent."""
        missing = []
        p = path
        while not p.is_dir():
            missing.append(p)
            p = p.parent
        for d in reversed(missing):
            d.mkdir(mode=0o755)
            fsync_dir(d.parent)

    def _to_trash(self, path: Path) -> Path:
        """Move ``path`` into the trash (one rename, so it leaves its place all at once); where
        that cannot be done (another file system), it is removed where it is."""
        self.trash_dir.mkdir(parents=True, exist_ok=True)
        target = self.trash_dir / secrets.token_hex(8)
        try:
            os.rename(path, target)
        except OSError:
            _remove_tree(path)
            return path
        return target

    def _remove(self, folder: Path) -> None:
        """Remove an install folder no row points at (a failure leaves an orphan for
        ``recover``)."""
        with contextlib.suppress(OSError):
            _remove_tree(self._to_trash(folder))


def catalog_permissions(app: App) -> tuple[str, ...]:
    """Everything the catalogue lists for ``app``, the permissions this imapp does not know
    included (they are never granted, but the user is told about them all the same)."""
    return (*app.permissions, *app.unknown_permissions)


def _check_ids(store: str, app_id: str) -> None:
    if not STORE_ID_RE.fullmatch(store):
        raise LibraryError(f"{store!r} is not a store id")
    if len(app_id) > 64 or not ID_RE.fullmatch(app_id):
        raise LibraryError(f"{app_id!r} is not an app id")


def _digest(package: Path, ctx: JobContext) -> tuple[int, str]:
    h = hashlib.sha256()
    size = 0
    with open(package, "rb") as f:
        while chunk := f.read(1024 * 1024):
            h.update(chunk)
            size += len(chunk)
            ctx.check()
    return size, h.hexdigest()


def _children(path: Path) -> list[Path]:
    try:
        return sorted(path.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []


def _real_dir(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def _remove_tree(path: Path) -> None:
    """Remove a file, link or folder (never following a link); errors are left for the next
    ``recover``."""
    try:
        if _real_dir(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        pass


def _remove_empty(*folders: Path) -> None:
    """Remove each folder if it is empty (or a stray file or link where a folder belongs)."""
    for folder in folders:
        try:
            if _real_dir(folder):
                folder.rmdir()
            elif os.path.lexists(folder):
                folder.unlink()
        except OSError:
            pass
