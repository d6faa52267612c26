"""One exception family whose messages a user can read and act on."""

from __future__ import annotations


class AppStoreError(Exception):
    """Base of every error the user may see. ``str(err)`` says what happened and what to do."""


class ConfigError(AppStoreError):
    """A setting, option or local file is wrong."""


class SourceError(AppStoreError):
    """A store source tree (for ``publish``) is invalid; the message names the file."""


class StoreError(AppStoreError):
    """A store could not be refreshed or trusted."""


class StoreUnreachable(StoreError):
    """The host could not be reached; the last verified catalogue stays in use."""


class StoreSecurityError(StoreError):
    """The store's metadata or a file failed verification (tampering, rollback, expiry...)."""


class UnknownRoot(StoreSecurityError):
    """The root metadata does not match the fingerprint the user pinned."""


class CatalogError(AppStoreError):
    """The signed catalogue is malformed."""


class NotFound(AppStoreError):
    """No such app, store or release."""
