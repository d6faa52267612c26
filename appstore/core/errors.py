"""One exception family whose messages a user can read and act on.

An error may name *where* it happened (a store id, a host, a file): ``str(err)`` renders
``where: message`` once, however many layers pass the error on (``at`` names a place only when
none is named yet).
"""

from __future__ import annotations

from typing import Self

SHORT = 80  # characters of a user's argument (URL, id, file name) quoted back in a message


def shorten(text: object, limit: int = SHORT) -> str:
    """``text`` for a message: at most ``limit`` characters (then "…"), on one line."""
    s = str(text)
    if len(s) > limit:
        s = s[:limit] + "…"
    if not s.isprintable():
        s = "".join(c if c.isprintable() else "?" for c in s)
    return s


def short_path(path: object, limit: int = 160) -> str:
    """A file name for a message: long ones keep their start and, most telling, their end."""
    s = str(path)
    if len(s) > limit:
        head = limit // 4
        s = s[:head] + "…" + s[-(limit - head):]
    return shorten(s, limit + 1)


class AppStoreError(Exception):
    """Base of every error the user may see. ``str(err)`` says what happened and what to do."""

    def __init__(self, message: str = "", *, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    def at(self, where: str) -> Self:
        """Name where this happened, unless a place is already named; returns ``self``."""
        if not self.where:
            self.where = where
        return self


class ConfigError(AppStoreError):
    """A setting, option or local file is wrong."""


class SourceError(AppStoreError):
    """A store source tree (for ``publish``) is invalid; the message names the file."""


class StoreError(AppStoreError):
    """A store could not be refreshed or trusted."""


class StoreUnreachable(StoreError):
    """The host could not be reached (or was too slow, or redirected elsewhere)."""


class StoreSecurityError(StoreError):
    """The store's metadata or a file failed verification (tampering, rollback, expiry...)."""


class UnknownRoot(StoreSecurityError):
    """The root metadata does not match the fingerprint the user pinned."""


class CatalogError(AppStoreError):
    """The signed catalogue is malformed."""


class NotFound(AppStoreError):
    """No such app, store or release."""
