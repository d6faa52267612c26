"""Whole-file locks between processes: held for a block after waiting a while (``held``, through
``filelock``: the wallet's changes, a store folder's publishing, a stake), or taken without
waiting on a file the caller holds open (``try_lock``: the single-instance lock, a download's
part file, the library database; callers decide how long to retry).

``try_lock`` stays a bare ``flock`` (``msvcrt.locking`` on Windows): it is one system call on the
start-up path, and importing ``filelock`` costs about 11 ms there; ``held`` imports it when used.
"""

from __future__ import annotations

import contextlib
import os
import sys
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
        """Lock the open file ``fd``; False if another process (or descriptor) holds it."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


@contextlib.contextmanager
def held(path: Path, timeout: float, busy: Callable[[], Exception]) -> Iterator[None]:
    """Hold the lock of the file ``path`` (made if missing, mode 0600, left in place), waiting up
    to ``timeout`` seconds for another process or thread to let go; ``busy()`` is raised if it
    does not. Not re-entrant: each call opens its own descriptor, so a thread that already holds
    ``path`` waits for itself and gets ``busy()``, as with a bare ``flock``."""
    import filelock

    # fallback_to_soft=False: a file system without flock is an error, never a marker file
    # that a crashed process would leave behind
    lock = filelock.FileLock(path, timeout=max(timeout, 0.0), mode=0o600, thread_local=False,
                             fallback_to_soft=False)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise busy() from None
    try:
        yield
    finally:
        lock.release()
