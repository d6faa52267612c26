"""What the library hands out: installed apps, available updates, and its errors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from appstore.core.errors import AppStoreError


class Step(StrEnum):
    """The steps of an install, in order: each is the ``note`` of a ``ctx.progress`` call made
    just before the step starts (``UNPACKING`` once per file)."""

    CHECKING = "checking"  # the package's size and SHA-256 against the catalogue
    UNPACKING = "unpacking"  # into staging, with the guards; then made durable
    MOVING = "moving"  # the staging folder renamed into apps/ (the last moment to cancel)
    RECORDING = "recording"  # the database row pointing at it committed: the new version is live
    CLEANING = "cleaning"  # the previous version's folder removed
    DONE = "done"


class LibraryError(AppStoreError):
    """The library cannot do what was asked (a link DApp, an id that cannot be a folder, another
    imapp busy installing in the same data dir...)."""


class PackageError(LibraryError):
    """A package is damaged or unsafe (a path out of its folder, a link, a zip bomb, a manifest
    that does not match the catalogue...). The message names the entry and the problem; nothing
    was installed."""


@dataclass(frozen=True)
class InstalledApp:
    """One installed DApp: the version that is live and where its files are."""

    id: str  # "STORE/APP_ID"
    app_id: str
    store: str  # the local id of the store it was installed from
    version: str
    size: int  # bytes unpacked
    installed_at: str  # UTC ISO 8601, seconds: when this version was installed
    package_size: int  # bytes of the package (the zip)
    files: int
    sha256: str  # of the package, as the signed catalogue gives it
    folder: Path  # the install folder, DATA/library/apps/STORE/APP_ID/VERSION-TOKEN
    entry: str  # the start page, relative to ``folder`` ("/"-separated)
    permissions: tuple[str, ...]  # what dapp.json asks for (a subset of the catalogue's)
    store_gone: bool = False  # the store was removed: no updates, the app still works
    # What the user agreed to for this app: the catalogue's list when it was first installed,
    # and each permission accepted for an update since. ``permissions`` is always within it.
    accepted: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """What ``imapp installed --json`` prints for this app."""
        return {"id": self.id, "app_id": self.app_id, "store": self.store, "version": self.version,
                "size": self.size, "installed_at": self.installed_at}


@dataclass(frozen=True)
class Update:
    """A newer release of an installed app."""

    id: str  # "STORE/APP_ID"
    app_id: str
    store: str
    installed: str  # the installed version
    available: str  # the catalogue's latest version
    # permissions the new version asks for that the user has not accepted (catalogue order):
    # it waits for their consent, and is never installed without it
    asks_for: tuple[str, ...] = ()

    @property
    def waits(self) -> bool:
        """The update waits for the user's consent to what it asks for more."""
        return bool(self.asks_for)

    def to_json(self) -> dict[str, Any]:
        """What ``imapp updates --json`` prints for this app."""
        return {"id": self.id, "app_id": self.app_id, "store": self.store,
                "installed": self.installed, "available": self.available,
                "asks_for": list(self.asks_for)}


def asks_for(wanted: Iterable[str], accepted: Iterable[str]) -> tuple[str, ...]:
    """The permissions of ``wanted`` (in its order, once each) that are not in ``accepted``."""
    have = set(accepted)
    return tuple(dict.fromkeys(p for p in wanted if p not in have))


class PermissionsNeeded(LibraryError):
    """A version of an installed app asks for permissions the user has not accepted: it is not
    installed until they agree (``asks_for``: the names, in the order the app lists them)."""

    def __init__(self, app: str, version: str, wanted: Iterable[str]) -> None:
        self.app = app  # STORE/APP_ID
        self.version = version
        self.asks_for = tuple(wanted)
        super().__init__(f"{app} {version} asks for permissions you have not accepted "
                         f"({', '.join(self.asks_for)}): it is not installed until you accept them")


@dataclass(frozen=True)
class Recovery:
    """What ``Library.recover`` cleaned up after an interrupted install, update or uninstall."""

    staging: int = 0  # unfinished unpacks (and trash) removed
    orphans: int = 0  # install folders that no database row points at, removed
    missing: tuple[str, ...] = ()  # ids whose install folder had vanished: their rows dropped
    skipped: bool = False  # another imapp held the library lock; nothing was touched

    @property
    def changed(self) -> bool:
        return bool(self.staging or self.orphans or self.missing)
