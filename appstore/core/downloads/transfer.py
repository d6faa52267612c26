"""One download: resumable, verified while it streams, across mirrors, pausable.

``download(request, dest_dir, ctx)`` fetches the file the store signed into
``dest_dir/SHA256.part`` (with ``SHA256.part.json`` beside it), checks length and SHA-256 as
the bytes arrive, and renames it to ``dest_dir/SHA256.verified`` only when both match. A
cancelled download keeps its part (that is "pause"); ``discard`` removes it ("cancel").
The design and its rules are in docs/downloads.md. Here: the run and its rounds over the
mirrors (``urllib3``'s ``Retry`` decides how many and how long to wait, ``Retry-After``
included); ``mirror.py`` is one attempt on one mirror and the byte loop, ``partfile.py`` the
part on disk, ``meter.py`` the progress.

``requests`` loads on the first http(s) download, not on import.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from appstore.core.downloads.http import Monitor
from appstore.core.downloads.meter import Meter, ProgressListener
from appstore.core.downloads.mirror import Failure, Mirror
from appstore.core.downloads.options import (
    BACKOFF,
    CHUNK,
    CONNECT_TIMEOUT,
    FREE_RETRIES,
    MAX_BACKOFF,
    MAX_RETRY_AFTER,
    RETRIES,
    SPACE_MARGIN,
    STALL_TIMEOUT,
    TransferOptions,
)
from appstore.core.downloads.partfile import (
    find_verified,
    lock_part,
    reason,
    unlock_part,
    words,
)
from appstore.core.downloads.state import (
    DownloadError,
    DownloadRequest,
    PartState,
    State,
    part_path,
    state_path,
)
from appstore.core.errors import StoreSecurityError, StoreUnreachable
from appstore.core.httpsession import watching
from appstore.core.jobs import Cancelled, JobContext

if TYPE_CHECKING:
    from urllib3.util.retry import Retry

__all__ = ["CHUNK", "CONNECT_TIMEOUT", "RETRIES", "SPACE_MARGIN", "STALL_TIMEOUT", "BACKOFF",
           "ProgressListener", "TransferOptions", "discard", "download", "download_with",
           "find_verified", "partial_bytes", "target_urls"]

_DEFAULTS = TransferOptions()


def target_urls(mirrors: Sequence[str], target: str, sha256: str) -> list[str]:
    """The URL of ``target`` on each mirror, in order, as a consistent-snapshot store serves it:
    ``MIRROR/targets/DIR/SHA256.NAME``.

    This is the URL python-tuf's ngclient asks for (``Updater.download_target`` with
    ``prefix_targets_with_hash``: ``DIR/`` + first hash + ``.`` + ``NAME`` under the targets
    base, which the store client puts at ``MIRROR/targets/``). Characters that cannot stand in
    a URL path (space, ``%``, ``#``, ``?``…) are percent-encoded, which ngclient leaves to the
    server; store target names never contain them.
    """
    dirname, sep, basename = target.rpartition("/")
    rel = urllib.parse.quote(f"{dirname}{sep}{sha256.lower()}.{basename}", safe="/:@!$&'()*+,;=~")
    return [m.rstrip("/") + "/targets/" + rel for m in mirrors]


def download(request: DownloadRequest, dest_dir: Path, ctx: JobContext, *,
             stall_timeout: float = STALL_TIMEOUT, retries: int = RETRIES, chunk: int = CHUNK,
             connect_timeout: float = CONNECT_TIMEOUT, backoff: float = BACKOFF,
             space_margin: int = SPACE_MARGIN,
             on_progress: ProgressListener | None = None) -> Path:
    """Download ``request`` into ``dest_dir`` and return the verified file
    (``dest_dir/SHA256.verified``); returns at once if it is already there.

    Raises ``Cancelled`` when ``ctx`` is cancelled (the part and its state are kept: a later
    call resumes), ``NoSpace`` when the disk is too full, ``StoreSecurityError`` when no mirror
    has the bytes the store signed (the part is deleted), ``StoreUnreachable`` when no mirror
    could be reached (the part is kept), ``DownloadError`` when the download folder is unusable.
    """
    options = TransferOptions(stall_timeout=stall_timeout, retries=retries, chunk=chunk,
                              connect_timeout=connect_timeout, backoff=backoff,
                              space_margin=space_margin)
    return download_with(request, dest_dir, ctx, options, on_progress)


def download_with(request: DownloadRequest, dest_dir: Path, ctx: JobContext,
                  options: TransferOptions = _DEFAULTS,
                  on_progress: ProgressListener | None = None) -> Path:
    """``download`` with its options in one value (what the queue uses)."""
    return _Transfer(request, Path(dest_dir), ctx, options, on_progress).run()


def discard(request: DownloadRequest, dest_dir: Path) -> None:
    """Remove the part of ``request`` and its state ("cancel"); the verified file, if any, is
    kept. ``DownloadError`` if the file is being downloaded right now (pause it first)."""
    dest_dir = Path(dest_dir)
    part = part_path(dest_dir, request.sha256)
    try:
        fd = os.open(part, os.O_RDWR | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        state_path(dest_dir, request.sha256).unlink(missing_ok=True)
        return
    except OSError as e:
        raise DownloadError(f"cannot remove {part} ({reason(e)})") from None
    try:
        if not lock_part(fd, part):
            raise DownloadError(f"{request.name} is being downloaded; pause it before removing it")
        with suppress(FileNotFoundError):
            part.unlink()
        state_path(dest_dir, request.sha256).unlink(missing_ok=True)
    finally:
        unlock_part(fd, part)


def partial_bytes(request: DownloadRequest, dest_dir: Path) -> int:
    """How many bytes of ``request`` are kept in its part (0 if none, or none that resume)."""
    dest_dir = Path(dest_dir)
    if PartState.load(state_path(dest_dir, request.sha256), request) is None:
        return 0
    try:
        size = part_path(dest_dir, request.sha256).stat().st_size
    except OSError:
        return 0
    return size if size <= request.length else 0


def _retry_policy(options: TransferOptions) -> Retry:
    """urllib3's ``Retry`` as the policy of the rounds over the mirrors: ``retries`` more rounds,
    waiting ``backoff`` × 2, × 4… seconds before the second and later ones (at most
    ``MAX_BACKOFF``), or what a ``Retry-After`` asked (at most ``MAX_RETRY_AFTER``). It is not
    given to requests: our rounds resume with Range across mirrors, and wait through
    ``ctx.wait`` so a pause answers at once (urllib3 would sleep)."""
    from urllib3.util.retry import Retry

    return Retry(total=max(0, options.retries), backoff_factor=options.backoff,
                 backoff_max=MAX_BACKOFF, retry_after_max=MAX_RETRY_AFTER,
                 respect_retry_after_header=True, allowed_methods=frozenset({"GET"}))


# -- one download ----------------------------------------------------------------------------------
class _Transfer(Mirror):
    def __init__(self, request: DownloadRequest, dest_dir: Path, ctx: JobContext,
                 options: TransferOptions, listener: ProgressListener | None) -> None:
        super().__init__(request, dest_dir, ctx, options, Meter(request.length, ctx, listener))
        self.meter.source = lambda: self.have

    # -- the whole run -------------------------------------------------------------------------
    def run(self) -> Path:
        done = find_verified(self.req, self.dir)
        if done is not None:
            self.meter.update(self.req.length, state=State.DONE, force=True)
            return done
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise DownloadError(f"cannot use {self.dir} for downloads ({reason(e)})") from None
        with Monitor(self.ctx, self.meter.idle) as monitor, watching(monitor):
            if not self._open_part():
                self.meter.update(self.req.length, state=State.DONE, force=True)
                return self.verified
            ok = False
            try:
                path = self._run_locked()
                ok = True
                return path
            finally:
                if not ok and self.have == 0:
                    self._remove_part()  # nothing worth keeping: leave no empty part
                self._close_part()

    def _run_locked(self) -> Path:
        try:
            self._resume()
            if self.have == self.req.length and self._finish_if_good():
                return self.verified
            self._mirrors()
            return self.verified
        except Cancelled:
            self._checkpoint(sync=True, note="paused")
            raise
        except StoreSecurityError as e:
            self._remove_part()
            self.meter.update(self.have, state=State.FAILED, note=str(e), force=True)
            raise
        except DownloadError as e:  # the disk or the folder: the part stays for later
            self._checkpoint(error=str(e))
            self.meter.update(self.have, state=State.FAILED, note=str(e), force=True)
            raise
        except StoreUnreachable as e:
            self._checkpoint(sync=True, error=str(e))
            self.meter.update(self.have, state=State.FAILED, note=str(e), force=True)
            raise

    def _mirrors(self) -> None:
        """Try each mirror in turn until the file is whole and verified, a few rounds."""
        alive = list(dict.fromkeys(self.req.urls))
        reasons: dict[str, str] = {}
        bad: dict[str, str] = {}
        transient = False  # some mirror may answer later (not only 404s and bad copies)
        free = FREE_RETRIES
        retry: Retry | None = None  # made at the first failed round (file:// needs no urllib3)
        while alive:
            asked = 0.0  # the longest Retry-After a mirror gave in this round
            for url in list(alive):
                again = 8  # resets from zero on one mirror, bounded
                while True:
                    self.ctx.check()
                    before = self.received
                    try:
                        self._attempt(url)
                        return
                    except Failure as f:
                        progressed = self.received > before
                        if f.kind == "again" and again > 0:
                            again -= 1
                            continue
                        if f.kind in ("drop", "stall") and progressed and free > 0:
                            free -= 1
                            continue
                        reasons[url] = f.reason
                        transient = transient or f.kind in ("drop", "stall", "unreachable")
                        asked = max(asked, f.retry_after or 0.0)
                        if f.kind in ("bad", "missing", "again"):
                            alive.remove(url)
                            if f.kind == "bad":
                                bad[url] = f.reason
                        self._checkpoint(error=f.reason)
                        break
            if not alive:
                break
            from urllib3.exceptions import MaxRetryError

            try:
                retry = (retry or _retry_policy(self.opt)).increment(method="GET")
            except MaxRetryError:
                break
            # urllib3 starts its back-off at the second retry; the first waits ``backoff`` as
            # it always did (1 s, 2 s, 4 s…)
            wait = retry.get_backoff_time() or min(self.opt.backoff, MAX_BACKOFF)
            self._wait_to_retry(max(wait, asked), next(reversed(reasons.values()), ""))
        raise self._final_error(reasons, bad, len(retry.history) if retry else 0, transient)

    def _wait_to_retry(self, delay: float, last: str) -> None:
        """Wait ``delay`` seconds (a pause cuts it short) before the next round, saying so."""
        if delay <= 0:
            return
        self.meter.update(self.have, note=f"trying again in {max(1, round(delay))} s ({last})",
                          force=True)
        if self.ctx.wait(delay):
            raise Cancelled()
        self.meter.update(self.have, note="")

    def _final_error(self, reasons: dict[str, str], bad: dict[str, str], rounds: int,
                     transient: bool) -> StoreUnreachable | StoreSecurityError:
        listed = "; ".join(dict.fromkeys(reasons.values()))
        if bad:
            return StoreSecurityError(
                f"{self.req.name} does not match what the store signed ({listed}). It was "
                "deleted and nothing was installed; a mirror may be damaged or tampered with.",
                where=self.req.store_id)
        tries = f" after {rounds + 1} tries" if rounds else ""
        advice = ("Check the connection and try again" if transient else
                  "The store does not serve this file right now; refresh the store and try again "
                  "later")
        if self.have:
            advice += f" (the {words(self.have)} already downloaded are kept)"
        return StoreUnreachable(f"cannot download {self.req.name}{tries}: {listed}. {advice}.",
                                where=self.req.store_id)
