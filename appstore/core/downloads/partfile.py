"""The part file of one download (``SHA256.part`` and its ``.part.json``): locked for one
download at a time, resumed from an earlier session (its bytes hashed again), checkpointed,
reserved on the disk, and renamed to ``SHA256.verified`` only when length and SHA-256 match.
The rules are in docs/downloads.md ("The part file", "One download")."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
import sys
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from appstore.core.downloads.meter import Meter
from appstore.core.downloads.options import CHECKPOINT_INTERVAL, TransferOptions
from appstore.core.downloads.state import (
    DownloadError,
    DownloadRequest,
    NoSpace,
    PartState,
    State,
    now_iso,
    part_path,
    state_path,
    verified_path,
)
from appstore.core.errors import shorten
from appstore.core.fileio import fsync_dir
from appstore.core.jobs import Cancelled, JobContext
from appstore.core.oslock import try_lock
from appstore.core.units import human_size

_REHASH_BLOCK = 1024 * 1024
_PART_FLAGS = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def find_verified(request: DownloadRequest, dest_dir: Path) -> Path | None:
    """The verified file of ``request`` if it was downloaded already."""
    path = verified_path(Path(dest_dir), request.sha256)
    try:
        st = path.stat()
    except OSError:
        return None
    return path if stat.S_ISREG(st.st_mode) and st.st_size == request.length else None


class PartFile:
    """The part of ``request`` in ``dest_dir`` as one download holds it: ``fd`` (locked),
    ``have`` bytes in it, all of them hashed into ``hasher``."""

    def __init__(self, request: DownloadRequest, dest_dir: Path, ctx: JobContext,
                 options: TransferOptions, meter: Meter) -> None:
        self.req = request
        self.dir = dest_dir
        self.ctx = ctx
        self.opt = options
        self.meter = meter
        self.part = part_path(dest_dir, request.sha256)
        self.state_file = state_path(dest_dir, request.sha256)
        self.verified = verified_path(dest_dir, request.sha256)
        self.fd = -1
        self.have = 0  # bytes in the part, all of them hashed into self.hasher
        self.hasher = hashlib.sha256()
        self.origin = ""  # where the bytes in the part came from ("" = an earlier session)
        self.mixed = False  # the part holds bytes from an earlier session or another mirror
        self.pstate = PartState(request.sha256, request.length)
        self.next_checkpoint = 0.0

    def _open_part(self) -> bool:
        """Open and lock the part; False if another download finished the file meanwhile.
        Waits (cancellably) while another thread or process downloads the same file."""
        waited = False
        while True:
            try:
                fd = os.open(self.part, _PART_FLAGS, 0o644)
            except OSError as e:
                raise DownloadError(f"cannot write in {self.dir} ({reason(e)})") from None
            if not lock_part(fd, self.part):
                unlock_part(fd, self.part, locked=False)
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
                unlock_part(fd, self.part)
                if find_verified(self.req, self.dir) is not None:
                    return False
                continue
            if find_verified(self.req, self.dir) is not None:
                with suppress(OSError):
                    if os.fstat(fd).st_size == 0:
                        self.part.unlink()
                unlock_part(fd, self.part)
                return False
            self.fd = fd
            return True

    def _close_part(self) -> None:
        if self.fd >= 0:
            unlock_part(self.fd, self.part)
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
                          note=f"checking the {words(size)} already downloaded", force=True)
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
            raise DownloadError(f"cannot read {self.part} ({reason(e)})") from None
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
            raise DownloadError(f"cannot write {self.part} ({reason(e)})") from None
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
            preallocate(self.fd, self.req.length)
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
                f"{words(max(0, self.req.length - held))} more (and "
                f"{words(self.opt.space_margin)} kept spare), but {words(free)} is free in "
                f"{shorten(self.dir, 160)}. Free some space and try again.")

    def _write_error(self, e: OSError) -> DownloadError:
        if e.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            return NoSpace(f"the disk is full: {self.req.name} could not be saved in "
                           f"{shorten(self.dir, 160)}. Free some space and try again; the part "
                           "already downloaded is kept.")
        return DownloadError(f"cannot write {shorten(self.part, 160)} ({reason(e)})")

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
                unlock_part(-1, self.part)
        self.state_file.unlink(missing_ok=True)
        self.meter.update(self.have, state=State.DONE, note="", force=True)


# -- locks and disk blocks ---------------------------------------------------------------------------
_held: set[str] = set()
_held_lock = threading.Lock()


def lock_part(fd: int, path: Path) -> bool:
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


def unlock_part(fd: int, path: Path, *, locked: bool = True) -> None:
    """Close ``fd`` (which releases its flock); forget the in-process hold if we had it."""
    if locked:
        with _held_lock:
            _held.discard(os.path.abspath(path))
    with suppress(OSError):
        os.close(fd)


_fallocate: Callable[[int, int, int, int], int] | None = None
_FALLOC_FL_KEEP_SIZE = 1
PREALLOCATE_MIN = 4 * 1024 * 1024  # smaller files are not worth a system call


def preallocate(fd: int, length: int) -> None:
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


def words(n: int) -> str:
    return human_size(n) or f"{n} bytes"


def reason(e: BaseException) -> str:
    text = str(e)
    for hint in ("Connection refused", "Name or service not known", "timed out",
                 "Connection reset", "IncompleteRead"):
        if hint in text:
            return {"IncompleteRead": "cut short"}.get(hint, hint.lower())
    if isinstance(e, OSError) and e.strerror:
        return e.strerror[:1].lower() + e.strerror[1:]
    return type(e).__name__
