"""A whole-file lock between processes (``flock``; ``msvcrt.locking`` on Windows), taken
without waiting (``try_lock``: callers decide how long to retry), or held for a block after
waiting a while (``held``: the wallet's changes, a store folder's publishing)."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

if sys.platform == "win32":
    import msvcrt

    def try_lock(fd: int) -> bool:
        """Lock the open file ``fd``; False if another process holds it."""
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def try_lock(fd: int) -> bool:
        """Lock the open file ``fd``; False if another process holds it."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


@contextlib.contextmanager
def held(path: Path, timeout: float, busy: Callable[[], Exception]) -> Iterator[None]:
    """Hold the lock of the file ``path`` (made if missing, mode 0600), waiting up to ``timeout``
    seconds for another process or thread to let go; ``busy()`` is raised if it does not."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while not try_lock(fd):
            if time.monotonic() > deadline:
                raise busy()
            time.sleep(0.05)
        try:
            yield
        finally:
            unlock(fd)
    finally:
        os.close(fd)
