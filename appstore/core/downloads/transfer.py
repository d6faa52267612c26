"""One download: resumable, verified while it streams, across mirrors, pausable.

``download(request, dest_dir, ctx)`` fetches the file the store signed into
``dest_dir/SHA256.part`` (with ``SHA256.part.json`` beside it), checks length and SHA-256 as
the bytes arrive, and renames it to ``dest_dir/SHA256.verified`` only when both match. A
cancelled download keeps its part (that is "pause"); ``discard`` removes it ("cancel").
The design and its rules are in docs/downloads.md.

``requests`` loads on the first http(s) download, not on import.
"""

from __future__ import annotations

import collections
import errno
import hashlib
import os
import re
import shutil
import socket
import stat
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from appstore.core.downloads.http import Monitor, detach
from appstore.core.downloads.state import (
    DownloadError,
    DownloadRequest,
    NoSpace,
    PartState,
    Progress,
    State,
    now_iso,
    part_path,
    state_path,
    verified_path,
)
from appstore.core.errors import StoreSecurityError, StoreUnreachable, shorten
from appstore.core.fileio import fsync_dir
from appstore.core.httpsession import session, watching
from appstore.core.jobs import Cancelled, JobContext
from appstore.core.oslock import try_lock
from appstore.core.store.config import DEFAULT_PORTS, foreign_redirect, host_of
from appstore.core.units import human_size

if TYPE_CHECKING:
    import requests

CHUNK = 256 * 1024  # bytes asked of the socket (or file) per read
STALL_TIMEOUT = 30.0  # seconds without a byte before a connection is given up
CONNECT_TIMEOUT = 10.0
RETRIES = 3  # extra rounds over the mirrors after the first
BACKOFF = 1.0  # seconds before the first retry round; doubles each round
MAX_BACKOFF = 30.0
SPACE_MARGIN = 32 * 1024 * 1024  # left free on the disk after a download
MAX_REDIRECTS = 5
PROGRESS_INTERVAL = 0.1  # at most ~10 progress reports a second
SPEED_WINDOW = 4.0  # seconds the speed is averaged over
IDLE_REPORT = 0.5  # with nothing arriving, progress (speed falling to 0) is still reported
CHECKPOINT_INTERVAL = 5.0  # seconds between state-file updates while bytes stream
FREE_RETRIES = 64  # broken connections retried at once because bytes had arrived before
_REHASH_BLOCK = 1024 * 1024
_CONTENT_RANGE = re.compile(r"\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*", re.IGNORECASE)
_FILE_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_PART_FLAGS = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)

ProgressListener = Callable[[Progress], None]


@dataclass(frozen=True)
class TransferOptions:
    """How patient a download is (seconds) and how it reads (bytes)."""

    stall_timeout: float = STALL_TIMEOUT
    retries: int = RETRIES
    chunk: int = CHUNK
    connect_timeout: float = CONNECT_TIMEOUT
    backoff: float = BACKOFF
    space_margin: int = SPACE_MARGIN


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
                  options: TransferOptions = TransferOptions(),
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
        raise DownloadError(f"cannot remove {part} ({_reason(e)})") from None
    try:
        if not _lock(fd, part):
            raise DownloadError(f"{request.name} is being downloaded; pause it before removing it")
        with suppress(FileNotFoundError):
            part.unlink()
        state_path(dest_dir, request.sha256).unlink(missing_ok=True)
    finally:
        _unlock(fd, part)


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


def find_verified(request: DownloadRequest, dest_dir: Path) -> Path | None:
    """The verified file of ``request`` if it was downloaded already."""
    path = verified_path(Path(dest_dir), request.sha256)
    try:
        st = path.stat()
    except OSError:
        return None
    return path if stat.S_ISREG(st.st_mode) and st.st_size == request.length else None


# -- what went wrong on one mirror ----------------------------------------------------------------
Kind = Literal[
    "again",  # the part was reset: ask the same mirror again at once
    "drop",  # the connection broke
    "stall",  # nothing arrived for stall_timeout seconds
    "unreachable",  # no connection, or an error on the server (5xx)
    "missing",  # the mirror has no such file (404 and other refusals), or not a plain file
    "bad",  # the mirror's bytes are not the ones the store signed
]


class _Failure(Exception):
    def __init__(self, reason: str, kind: Kind) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


# -- progress ------------------------------------------------------------------------------------
class _Meter:
    """Turns byte counts into throttled ``Progress`` reports with a sliding-window speed."""

    def __init__(self, total: int, ctx: JobContext, listener: ProgressListener | None) -> None:
        self.total = total
        self.ctx = ctx
        self.listener = listener
        self.state = State.DOWNLOADING
        self.note = ""
        self.done = 0
        self.last_emit = 0.0
        self.last: Progress | None = None
        self.source: Callable[[], int] | None = None  # the bytes received, read by ``idle``
        self._samples: collections.deque[tuple[float, int]] = collections.deque()
        self._lock = threading.Lock()

    def update(self, done: int, *, state: State | None = None, note: str | None = None,
               force: bool = False) -> None:
        now = time.monotonic()
        with self._lock:
            self.done = done
            if state is not None:
                force = force or state != self.state
                self.state = state
            if note is not None:
                force = force or note != self.note
                self.note = note
            if force or now - self.last_emit >= PROGRESS_INTERVAL:
                self._emit(now)

    def idle(self) -> None:
        """Nothing arrived for a while: report anyway, so the speed shown falls."""
        now = time.monotonic()
        with self._lock:
            if now - self.last_emit >= IDLE_REPORT:
                if self.source is not None and self.state == State.DOWNLOADING:
                    self.done = self.source()
                self._emit(now)

    def _emit(self, now: float) -> None:
        done, samples = self.done, self._samples
        if samples and done < samples[-1][1]:
            samples.clear()  # restarted from zero: the old rate means nothing
        samples.append((now, done))
        while len(samples) > 2 and samples[1][0] <= now - SPEED_WINDOW:
            samples.popleft()
        t0, d0 = samples[0]
        speed = int((done - d0) / (now - t0)) if now - t0 >= 0.25 else 0
        if speed == 0 and self.last is not None and now - t0 < 0.25:
            speed = self.last.speed_bps  # too soon to tell: keep the last estimate
        left = self.total - done
        eta = left / speed if speed > 0 and left >= 0 else None
        progress = Progress(done, self.total, speed, eta, self.state, self.note)
        self.last, self.last_emit = progress, now
        if self.listener is not None:
            self.listener(progress)
        self.ctx.progress(done, self.total, self.note)


# -- one download ----------------------------------------------------------------------------------
class _Transfer:
    def __init__(self, request: DownloadRequest, dest_dir: Path, ctx: JobContext,
                 options: TransferOptions, listener: ProgressListener | None) -> None:
        self.req = request
        self.dir = dest_dir
        self.ctx = ctx
        self.opt = options
        self.part = part_path(dest_dir, request.sha256)
        self.state_file = state_path(dest_dir, request.sha256)
        self.verified = verified_path(dest_dir, request.sha256)
        self.meter = _Meter(request.length, ctx, listener)
        self.fd = -1
        self.have = 0  # bytes in the part, all of them hashed into self.hasher
        self.meter.source = lambda: self.have
        self.hasher = hashlib.sha256()
        self.received = 0  # bytes received in this call (to tell a retry that made progress)
        self.origin = ""  # where the bytes in the part came from ("" = an earlier session)
        self.mixed = False  # the part holds bytes from an earlier session or another mirror
        self.clean_retried = False
        self.pstate = PartState(request.sha256, request.length)
        self.next_checkpoint = 0.0
        self.stall = max(0.001, options.stall_timeout)

    # -- the whole run -------------------------------------------------------------------------
    def run(self) -> Path:
        done = find_verified(self.req, self.dir)
        if done is not None:
            self.meter.update(self.req.length, state=State.DONE, force=True)
            return done
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise DownloadError(f"cannot use {self.dir} for downloads ({_reason(e)})") from None
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
        rounds = 0
        while alive:
            for url in list(alive):
                again = 8  # resets from zero on one mirror, bounded
                while True:
                    self.ctx.check()
                    before = self.received
                    try:
                        self._attempt(url)
                        return
                    except _Failure as f:
                        progressed = self.received > before
                        if f.kind == "again" and again > 0:
                            again -= 1
                            continue
                        if f.kind in ("drop", "stall") and progressed and free > 0:
                            free -= 1
                            continue
                        reasons[url] = f.reason
                        transient = transient or f.kind in ("drop", "stall", "unreachable")
                        if f.kind in ("bad", "missing", "again"):
                            alive.remove(url)
                            if f.kind == "bad":
                                bad[url] = f.reason
                        self._checkpoint(error=f.reason)
                        break
            if not alive or rounds >= self.opt.retries:
                break
            rounds += 1
            delay = min(MAX_BACKOFF, self.opt.backoff * 2 ** (rounds - 1))
            last = next(reversed(reasons.values()), "")
            self.meter.update(self.have, note=f"trying again in {max(1, round(delay))} s ({last})",
                              force=True)
            if self.ctx.wait(delay):
                raise Cancelled()
            self.meter.update(self.have, note="")
        raise self._final_error(reasons, bad, rounds, transient)

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
            advice += f" (the {_words(self.have)} already downloaded are kept)"
        return StoreUnreachable(f"cannot download {self.req.name}{tries}: {listed}. {advice}.",
                                where=self.req.store_id)

    # -- the part file --------------------------------------------------------------------------
    def _open_part(self) -> bool:
        """Open and lock the part; False if another download finished the file meanwhile.
        Waits (cancellably) while another thread or process downloads the same file."""
        waited = False
        while True:
            try:
                fd = os.open(self.part, _PART_FLAGS, 0o644)
            except OSError as e:
                raise DownloadError(f"cannot write in {self.dir} ({_reason(e)})") from None
            if not _lock(fd, self.part):
                _unlock(fd, self.part, locked=False)
                if not waited:
                    self.meter.update(0, note="waiting for another download of the same file",
                                      force=True)
                    waited = True
                if self.ctx.wait(0.2):
                    raise Cancelled()
                continue
            try:
                same = os.stat(self.part).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if not same:  # renamed or removed by the download that held it: look again
                _unlock(fd, self.part)
                if find_verified(self.req, self.dir) is not None:
                    return False
                continue
            if find_verified(self.req, self.dir) is not None:
                with suppress(OSError):
                    if os.fstat(fd).st_size == 0:
                        self.part.unlink()
                _unlock(fd, self.part)
                return False
            self.fd = fd
            return True

    def _close_part(self) -> None:
        if self.fd >= 0:
            _unlock(self.fd, self.part)
            self.fd = -1

    def _resume(self) -> None:
        """Pick up what an earlier session left: the part's bytes are hashed again, once."""
        size = os.fstat(self.fd).st_size
        saved = PartState.load(self.state_file, self.req)
        if saved is None or size > self.req.length:
            if size:
                self._truncate(reserve=False)
            size = 0
            saved = PartState(self.req.sha256, self.req.length, started=now_iso())
        self.pstate = saved
        self.pstate.key, self.pstate.target = self.req.key, self.req.target
        self.pstate.sessions += 1
        self.pstate.last_error = ""
        self._check_space(size)
        self._reserve()
        self.have = size
        self._checkpoint()
        if size:
            self.mixed = True
            self._rehash(size)

    def _rehash(self, size: int) -> None:
        self.meter.update(0, state=State.VERIFYING,
                          note=f"checking the {_words(size)} already downloaded", force=True)
        buf = bytearray(_REHASH_BLOCK)
        view = memoryview(buf)
        pos = 0
        try:
            with open(self.fd, "rb", buffering=0, closefd=False) as f:
                f.seek(0)
                while pos < size:
                    self.ctx.check()
                    n = f.readinto(view[: min(_REHASH_BLOCK, size - pos)])
                    if not n:
                        break
                    self.hasher.update(view[:n])
                    pos += n
                    self.meter.update(pos)
        except OSError as e:
            raise DownloadError(f"cannot read {self.part} ({_reason(e)})") from None
        if pos != size:  # shrank under us: start over
            self._truncate()
            pos = 0
        self.have = pos
        self.meter.update(self.have, state=State.DOWNLOADING, note="", force=True)

    def _truncate(self, *, reserve: bool = True) -> None:
        try:
            os.ftruncate(self.fd, 0)
            os.lseek(self.fd, 0, os.SEEK_SET)
        except OSError as e:
            raise DownloadError(f"cannot write {self.part} ({_reason(e)})") from None
        self.have = 0
        self.hasher = hashlib.sha256()
        self.origin = ""
        self.mixed = False
        if reserve:
            self._reserve()

    def _reserve(self) -> None:
        """Reserve the disk blocks of the whole file up front, without changing its size (so
        the part's size stays the count of bytes received): writes then need no allocation,
        which makes them several times faster on ext4, and the space cannot run out midway."""
        try:
            _preallocate(self.fd, self.req.length)
        except OSError as e:
            if e.errno == errno.ENOSPC:
                raise self._write_error(e) from None

    def _restart(self, note: str) -> None:
        """Back to zero bytes (a server ignored Range, or the part was refused)."""
        self._truncate()
        self.meter.update(0, note=note, force=True)

    def _remove_part(self) -> None:
        with suppress(OSError):
            self.part.unlink()
        with suppress(OSError):
            self.state_file.unlink()

    def _checkpoint(self, *, sync: bool = False, note: str | None = None,
                    error: str | None = None) -> None:
        """Save what is known about the part (``sync``: its bytes first reach the disk). Never
        raises: the state is a hint, and a pause must not turn into an error."""
        self.pstate.have = self.have
        if self.origin:
            self.pstate.source = self.origin
        if error is not None:
            self.pstate.last_error = error
        with suppress(OSError):
            if sync and self.fd >= 0:
                os.fsync(self.fd)
            self.pstate.save(self.state_file)
        self.next_checkpoint = time.monotonic() + CHECKPOINT_INTERVAL
        if note is not None:
            self.meter.update(self.have, state=State.PAUSED, note=note, force=True)

    def _check_space(self, have: int) -> None:
        try:
            free = shutil.disk_usage(self.dir).free
            # blocks reserved by an earlier session are already taken from ``free``
            held = max(have, getattr(os.fstat(self.fd), "st_blocks", 0) * 512)
        except OSError:
            return
        need = max(0, self.req.length - held) + self.opt.space_margin
        if free < need:
            raise NoSpace(
                f"not enough disk space to download {self.req.name}: it needs "
                f"{_words(max(0, self.req.length - held))} more (and "
                f"{_words(self.opt.space_margin)} kept spare), but {_words(free)} is free in "
                f"{shorten(self.dir, 160)}. Free some space and try again.")

    def _write_error(self, e: OSError) -> DownloadError:
        if e.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            return NoSpace(f"the disk is full: {self.req.name} could not be saved in "
                           f"{shorten(self.dir, 160)}. Free some space and try again; the part "
                           "already downloaded is kept.")
        return DownloadError(f"cannot write {shorten(self.part, 160)} ({_reason(e)})")

    def _finish_if_good(self) -> bool:
        """The part is whole: True (and renamed) if it is the signed file, else reset to zero."""
        self.meter.update(self.have, state=State.VERIFYING, note="verifying", force=True)
        if self.have == self.req.length and self.hasher.hexdigest() == self.req.sha256:
            self._publish()
            return True
        self._restart("the part kept from before was damaged; starting again")
        return False

    def _publish(self) -> None:
        """fsync, rename to ``.verified``, forget the state: the only way a file is handed out."""
        try:
            os.fsync(self.fd)
            if sys.platform == "win32":  # an open file cannot be renamed there
                os.close(self.fd)
                self.fd = -1  # still held in this process until the rename is done
            os.replace(self.part, self.verified)
            fsync_dir(self.dir)
        except OSError as e:
            raise self._write_error(e) from None
        finally:
            if self.fd < 0:
                _unlock(-1, self.part)
        self.state_file.unlink(missing_ok=True)
        self.meter.update(self.have, state=State.DONE, note="", force=True)

    # -- one attempt on one mirror ------------------------------------------------------------------
    def _attempt(self, url: str) -> None:
        origin = _origin(url)
        if self.have and self.origin != origin:
            self.mixed = True
        if url.startswith("file:"):
            self._attempt_file(url)
        else:
            self._attempt_http(url, origin)
        if self.have < self.req.length:  # a partial range answered in full: ask for the rest
            raise _Failure(f"{host_of(url)} sent only part of the file", "drop")
        self.meter.update(self.have, state=State.VERIFYING, note="verifying", force=True)
        if self.hasher.hexdigest() == self.req.sha256:
            self._publish()
            return
        if self.mixed and not self.clean_retried:
            # Bytes from an earlier session or another mirror may be the damaged ones.
            self.clean_retried = True
            self._restart("the file did not verify; downloading it again from the start")
            raise _Failure(f"{host_of(url)}: the file did not verify", "again")
        self._restart("")
        raise _Failure(f"the copy on {host_of(url)} has a different SHA-256", "bad")

    def _attempt_http(self, url: str, origin: str) -> None:
        start = self.have
        use_range = start > 0 and origin not in self.pstate.no_range
        headers = {"Accept-Encoding": "identity"}
        if use_range:
            headers["Range"] = f"bytes={start}-"
        resp, final = self._get(url, headers)
        host = host_of(final)
        try:
            status = resp.status_code
            encoded = resp.headers.get("Content-Encoding", "identity").strip().lower() not in (
                "", "identity")
            if status == 416:
                # The server says the part reaches its end: it is whole, or it is wrong.
                if start == self.req.length:
                    return
                self._restart(f"{host} refused to resume; starting again")
                raise _Failure(f"{host} refused to resume the download", "again")
            if status >= 500 or status in (408, 429):
                raise _Failure(f"{host} answered with error {status}", "unreachable")
            if status == 206:
                span = _content_range(resp.headers.get("Content-Range", ""))
                if (not use_range or encoded or span is None or span[0] != start
                        or span[1] >= self.req.length or span[2] not in (None, self.req.length)):
                    self._no_range(origin)
                    self._restart(f"{host} sent the wrong part of the file; starting again")
                    raise _Failure(f"{host} sent the wrong part of the file", "again")
                end = span[1] + 1
            elif status == 200:
                if start:
                    if use_range:
                        self._no_range(origin)
                    self._restart(f"{host} cannot resume downloads; starting again")
                end = self.req.length
                size = _int(resp.headers.get("Content-Length"))
                if size is not None and not encoded and size != self.req.length:
                    longer = "more" if size > self.req.length else "fewer"
                    raise _Failure(f"{host} offers {size} bytes, {longer} than the "
                                   f"{self.req.length} the store signed", "bad")
            else:
                raise _Failure(f"{host} answered {status}", "missing")
            self.origin = origin
            self._pump(lambda n: resp.raw.read1(n, decode_content=encoded), host, end)
        finally:
            detach()
            resp.close()

    def _get(self, url: str, headers: dict[str, str]) -> tuple[requests.Response, str]:
        """GET ``url``, following redirects only within its host (at most MAX_REDIRECTS)."""
        import requests

        s = session()
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                resp = s.get(current, headers=headers, stream=True, allow_redirects=False,
                             timeout=(self.opt.connect_timeout, self.stall))
            except requests.RequestException as e:
                detach()
                self.ctx.check()
                raise self._request_failure(e, current) from None
            if not resp.is_redirect:
                return resp, current
            target = urllib.parse.urljoin(current, resp.headers.get("Location", ""))
            detach()
            resp.close()
            other = foreign_redirect(current, target)
            if other:
                raise _Failure(f"{host_of(current)} redirects to another server ({other}), which is "
                               "not followed", "missing")
            current = target
        raise _Failure(f"{host_of(url)} redirects more than {MAX_REDIRECTS} times", "missing")

    def _request_failure(self, e: Exception, url: str) -> _Failure:
        import requests

        host = host_of(url)
        if isinstance(e, requests.ConnectTimeout):
            return _Failure(f"{host} did not answer (no connection within "
                            f"{self.opt.connect_timeout:g} s)", "unreachable")
        if isinstance(e, requests.Timeout):
            return _Failure(_stalled(host, self.stall), "stall")
        if isinstance(e, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema
                      | requests.exceptions.InvalidSchema):
            return _Failure(f"{shorten(url)} is not a download address", "missing")
        return _Failure(f"could not connect to {host} ({_reason(e)})", "unreachable")

    def _attempt_file(self, url: str) -> None:
        """A mirror on this machine: a regular file only (a FIFO or device would block)."""
        try:
            path = urllib.request.url2pathname(urllib.parse.urlsplit(url).path)
            st = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            raise _Failure(f"{shorten(url)} does not exist", "missing") from None
        except (OSError, ValueError) as e:
            raise _Failure(f"cannot read {shorten(url)} ({_reason(e)})", "unreachable") from None
        if not stat.S_ISREG(st.st_mode):
            raise _Failure(_not_a_file(path), "missing")
        try:
            fd = os.open(path, _FILE_FLAGS)  # never blocks, even if it became a FIFO since
        except OSError as e:
            raise _Failure(f"cannot read {shorten(path)} ({_reason(e)})", "unreachable") from None
        with os.fdopen(fd, "rb", buffering=0) as f:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise _Failure(_not_a_file(path), "missing")
            if st.st_size != self.req.length:
                longer = "more" if st.st_size > self.req.length else "fewer"
                raise _Failure(f"{shorten(path)} has {st.st_size} bytes, {longer} than the "
                               f"{self.req.length} the store signed", "bad")
            f.seek(self.have)
            self.origin = _origin(url)
            self._pump(f.read, shorten(path), self.req.length, local=True)

    # -- the loop every byte goes through --------------------------------------------------------
    def _pump(self, read: Callable[[int], bytes], host: str, end: int, *, local: bool = False) -> None:
        """Read until EOF into the part, hashing as it goes; ``end`` is the offset the source
        said it stops at. More than the signed length stops it at once."""
        chunk, length, fd, ctx, meter = self.opt.chunk, self.req.length, self.fd, self.ctx, self.meter
        update = self.hasher.update
        timeouts, broken = _transport_errors()
        have = self.have
        next_report = time.monotonic() + PROGRESS_INTERVAL
        try:
            while True:
                try:
                    data = read(chunk)
                except timeouts:
                    ctx.check()
                    raise _Failure(_stalled(host, self.stall), "stall") from None
                except broken as e:
                    ctx.check()
                    broke = f"reading {host} failed" if local else f"the connection to {host} broke"
                    raise _Failure(f"{broke} ({_reason(e)})", "drop") from None
                if not data:
                    break
                n = len(data)
                if have + n > end:
                    if have + n > length:
                        raise _Failure(f"{host} sent more than the {length} bytes the store "
                                       "signed", "bad")
                    raise _Failure(f"{host} sent more than it announced", "bad")
                update(data)
                view = memoryview(data)
                while view:
                    try:
                        written = os.write(fd, view)
                    except OSError as e:
                        raise self._write_error(e) from None
                    view = view[written:]
                have += n
                self.have = have
                self.received += n
                ctx.check()
                now = time.monotonic()
                if now >= next_report:
                    next_report = now + PROGRESS_INTERVAL
                    meter.update(have)
                    if now >= self.next_checkpoint:
                        self._checkpoint()
            ctx.check()
            if have < end:
                broke = f"reading {host} failed" if local else f"the connection to {host} broke"
                raise _Failure(f"{broke} (the file was cut short)", "drop")
        except _Failure as f:
            if f.kind == "bad":
                self._restart("")
            raise
        finally:
            meter.update(self.have)

    def _no_range(self, origin: str) -> None:
        if origin not in self.pstate.no_range:
            self.pstate.no_range.append(origin)


# -- helpers ---------------------------------------------------------------------------------------
_held: set[str] = set()
_held_lock = threading.Lock()


def _lock(fd: int, path: Path) -> bool:
    """Lock a part for one download: between threads here, and between processes (flock)."""
    key = os.path.abspath(path)
    with _held_lock:
        if key in _held:
            return False
        try:
            if not try_lock(fd):
                return False
        except OSError:
            return False
        _held.add(key)
        return True


def _unlock(fd: int, path: Path, *, locked: bool = True) -> None:
    """Close ``fd`` (which releases its flock); forget the in-process hold if we had it."""
    if locked:
        with _held_lock:
            _held.discard(os.path.abspath(path))
    with suppress(OSError):
        os.close(fd)


_fallocate: Callable[[int, int, int, int], int] | None = None
_FALLOC_FL_KEEP_SIZE = 1
PREALLOCATE_MIN = 4 * 1024 * 1024  # smaller files are not worth a system call


def _preallocate(fd: int, length: int) -> None:
    """``fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, length)`` on Linux; nothing elsewhere or where
    the file system cannot (``OSError`` only for ENOSPC)."""
    global _fallocate
    if sys.platform != "linux" or length < PREALLOCATE_MIN:
        return
    if _fallocate is None:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        fn = getattr(libc, "fallocate64", None) or getattr(libc, "fallocate", None)
        if fn is None:
            _fallocate = lambda *_args: 0  # noqa: E731 - no fallocate: nothing to do
        else:
            fn.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64]
            fn.restype = ctypes.c_int

            def call(fd: int, mode: int, offset: int, size: int) -> int:
                return 0 if fn(fd, mode, offset, size) == 0 else ctypes.get_errno()

            _fallocate = call
    err = _fallocate(fd, _FALLOC_FL_KEEP_SIZE, 0, length)
    if err == errno.ENOSPC:
        raise OSError(err, os.strerror(err))


_errors: tuple[tuple[type[BaseException], ...], tuple[type[BaseException], ...]] | None = None


def _transport_errors() -> tuple[tuple[type[BaseException], ...], tuple[type[BaseException], ...]]:
    """(timeouts, broken connections) as the loaded network stack raises them."""
    global _errors
    if _errors is None:
        timeouts: tuple[type[BaseException], ...] = (TimeoutError, socket.timeout)
        broken: tuple[type[BaseException], ...] = (OSError,)
        if "urllib3" in sys.modules or "requests" in sys.modules:
            from urllib3.exceptions import HTTPError, ReadTimeoutError

            timeouts += (ReadTimeoutError,)
            broken += (HTTPError,)
            _errors = (timeouts, broken)
        return timeouts, broken
    return _errors


def _content_range(value: str) -> tuple[int, int, int | None] | None:
    """``bytes START-END/TOTAL`` (TOTAL may be ``*``) as numbers; None if not that."""
    m = _CONTENT_RANGE.fullmatch(value or "")
    if not m:
        return None
    start, end = int(m.group(1)), int(m.group(2))
    if end < start:
        return None
    return start, end, None if m.group(3) == "*" else int(m.group(3))


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _origin(url: str) -> str:
    """``scheme://host:port`` of a URL (``file://`` for local files)."""
    try:
        p = urllib.parse.urlsplit(url)
        port = p.port or DEFAULT_PORTS.get(p.scheme)
        return f"{p.scheme}://{(p.hostname or '').lower()}" + (f":{port}" if port else "")
    except ValueError:
        return url


def _stalled(host: str, stall: float) -> str:
    return f"{host} stopped sending data (nothing for {stall:g} s)"


def _not_a_file(path: str) -> str:
    return (f"{shorten(path)} is not a regular file (a folder, pipe or device); a store is made "
            "of plain files")


def _words(n: int) -> str:
    return human_size(n) or f"{n} bytes"


def _reason(e: BaseException) -> str:
    text = str(e)
    for hint in ("Connection refused", "Name or service not known", "timed out",
                 "Connection reset", "IncompleteRead"):
        if hint in text:
            return {"IncompleteRead": "cut short"}.get(hint, hint.lower())
    if isinstance(e, OSError) and e.strerror:
        return e.strerror[:1].lower() + e.strerror[1:]
    return type(e).__name__
