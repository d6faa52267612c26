"""Installed DApps: the installer (unpacking verified packages with guards), the library database
and crash-safe install, update and uninstall. See docs/library.md."""

from typing import TYPE_CHECKING

from appstore.core.lazy import lazy_names
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

if TYPE_CHECKING:
    from appstore.core.library.library import DEFAULT_SYNC, Library
    from appstore.core.library.unpack import LIMITS, Limits, Manifest, Sync, Unpacked

# The installer (zipfile, SQLite) loads on first use, not when the catalogue is shown.
_LAZY = {"DEFAULT_SYNC": "library", "Library": "library", "LIMITS": "unpack", "Limits": "unpack",
         "Manifest": "unpack", "Sync": "unpack", "Unpacked": "unpack"}
# (the function ``unpack`` is imported from ``appstore.core.library.unpack``: a package attribute
# of that name is the submodule once it is loaded)


__getattr__ = lazy_names(__name__, _LAZY)


__all__ = [
    "DEFAULT_SYNC", "LIMITS", "InstalledApp", "Library", "LibraryError", "Limits", "Manifest",
    "PackageError", "PermissionsNeeded", "Recovery", "Step", "Sync", "Unpacked", "Update", "asks_for",
]
