"""Installed DApps: the installer (unpacking verified packages with guards), the library database
and crash-safe install, update and uninstall. See docs/library.md."""

from appstore.core.library.library import DEFAULT_SYNC, Library
from appstore.core.library.models import (
    InstalledApp,
    LibraryError,
    PackageError,
    Recovery,
    Step,
    Update,
)
from appstore.core.library.unpack import LIMITS, Limits, Manifest, Sync, Unpacked, unpack

__all__ = [
    "DEFAULT_SYNC", "LIMITS", "InstalledApp", "Library", "LibraryError", "Limits", "Manifest",
    "PackageError", "Recovery", "Step", "Sync", "Unpacked", "Update", "unpack",
]
