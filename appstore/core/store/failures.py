"""How a store's failures reach the user: which exceptions are a user's problem (``user_errors``)
and the ``StoreError`` each becomes (``translate``), naming the store once; anything else is a bug.
TUF and requests are looked at only once loaded (``closing`` and ``_request_error`` never load
them)."""

from __future__ import annotations

import sys
from pathlib import Path

from appstore.core.errors import (
    AppStoreError,
    CatalogError,
    StoreError,
    StoreSecurityError,
    StoreUnreachable,
    short_path,
    shorten,
)


def closing() -> bool:
    """True once ``fetcher.abort_all`` ran (without loading the fetcher, and TUF, to ask)."""
    fetcher = sys.modules.get("appstore.core.store.fetcher")
    return bool(fetcher is not None and fetcher.is_closing())


def _request_error() -> type[Exception] | None:
    """requests' error class if requests is loaded. (A requests error implies it was; and a
    module another thread is still importing may not have the class yet: then no error of its
    can exist either.)"""
    cls = getattr(sys.modules.get("requests"), "RequestException", None)
    return cls if isinstance(cls, type) and issubclass(cls, Exception) else None


def user_errors() -> tuple[type[Exception], ...]:
    """The failures a refresh or a download reports to the user (anything else is a bug):
    ours, TUF's verification and download errors, the network's, and OSError on our files."""
    from tuf.api import exceptions as tuf_exc

    families: tuple[type[Exception], ...] = (
        AppStoreError, tuf_exc.RepositoryError, tuf_exc.DownloadError, OSError)
    request_error = _request_error()
    return (*families, request_error) if request_error else families


def translate(err: Exception, where: str, files: Path | None = None) -> StoreError:
    """A failure from ``user_errors()`` as a ``StoreError`` a user can act on, naming ``where``
    (a store id, or the host while a store is being added) once; a file in the store's folder
    ``files`` is named relative to it. Anything else is a bug and is raised again."""
    from tuf.api import exceptions as tuf_exc

    found = _request_error()
    request_error: tuple[type[Exception], ...] = (found,) if found else ()
    detail = shorten(err, 300)
    if isinstance(err, StoreUnreachable) and not err.where:
        return StoreUnreachable(
            f"cannot reach the store ({err.message}). Check the connection or the store's URL "
            "and try again.", where=where)
    if isinstance(err, StoreError):
        return err.at(where)
    if isinstance(err, CatalogError):
        return StoreSecurityError(
            f"the store signed a malformed catalogue ({err.message}); its publisher must fix it",
            where=err.where or where)
    if isinstance(err, AppStoreError):
        return StoreError(err.message, where=err.where or where)
    if isinstance(err, tuf_exc.ExpiredMetadataError):
        return StoreSecurityError(
            f"the store's signed metadata has expired ({detail}). The publisher must re-sign "
            "it.", where=where)
    if isinstance(err, tuf_exc.BadVersionNumberError | tuf_exc.EqualVersionNumberError):
        return StoreSecurityError(
            f"the store offered older metadata than this computer already trusts (a rollback: "
            f"{detail}). A mirror may be stale or under attack; nothing was changed.",
            where=where)
    if isinstance(err, tuf_exc.UnsignedMetadataError):
        return StoreSecurityError(
            f"bad signature on the store's metadata ({detail}). It was altered or signed with "
            "the wrong key; nothing was changed.", where=where)
    if isinstance(err, tuf_exc.LengthOrHashMismatchError | tuf_exc.DownloadLengthMismatchError):
        return StoreSecurityError(
            f"a file does not match what the store signed ({detail}). It was tampered with or "
            "is from a different version of the store; nothing was changed.", where=where)
    if isinstance(err, (tuf_exc.SlowRetrievalError, tuf_exc.DownloadError, *request_error)):
        return StoreUnreachable(
            f"cannot reach the store ({detail or 'no answer'}). Check the connection and try "
            "again.", where=where)
    if isinstance(err, tuf_exc.RepositoryError):
        return StoreSecurityError(f"the store's metadata is invalid ({detail})", where=where)
    if isinstance(err, OSError):
        return StoreError(_file_problem(err, files), where=where)
    raise err


def _file_problem(err: OSError, files: Path | None) -> str:
    """What went wrong with a local file; inside the store's folder, the name of the folder is
    left out (while a store is added it is a temporary one the user never needs to see)."""
    problem = err.strerror or shorten(err, 300)
    name = Path(err.filename) if isinstance(err.filename, str) else None
    if name is not None and files is not None and name.is_relative_to(files):
        return (f"cannot use the local store files in {short_path(files.parent)} "
                f"({name.relative_to(files).as_posix() or '.'}: {problem})")
    shown = f"{short_path(name)}: " if name is not None else ""
    return f"cannot use the local store files ({shown}{problem})"
