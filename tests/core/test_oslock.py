"""``oslock.held`` (through filelock): one holder at a time across processes and threads, a
busy error after the wait, the lock file made 0600 and left in place."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from appstore.core.oslock import held

# another process holds the lock through the same call, until its stdin closes
HOLDER = """
import sys
from pathlib import Path
from appstore.core.oslock import held
with held(Path(sys.argv[1]), 5, lambda: RuntimeError("busy")):
    print("locked", flush=True)
    sys.stdin.readline()
"""


class Busy(Exception):
    pass


def test_a_lock_held_by_another_process_is_busy_then_free(tmp_path: Path) -> None:
    path = tmp_path / ".lock"
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        with pytest.raises(Busy, match="changing"), held(path, 0.2, lambda: Busy("changing")):
            pass
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        assert proc.wait() == 0
    entered = []
    with held(path, 5, Busy):
        entered.append(True)
    assert entered == [True]
    assert path.is_file()  # left in place: the next holder locks the same file
    if sys.platform != "win32":
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_threads_take_turns_and_a_holder_cannot_take_it_twice(tmp_path: Path) -> None:
    path = tmp_path / "folder.lock"
    inside, let_go = threading.Event(), threading.Event()
    order: list[str] = []

    def first() -> None:
        with held(path, 5, Busy):
            order.append("first in")
            inside.set()
            let_go.wait()
            order.append("first out")

    t = threading.Thread(target=first)
    t.start()
    inside.wait()
    # a no-wait attempt while the other thread holds it
    with pytest.raises(Busy), held(path, 0, Busy):
        pass
    let_go.set()
    with held(path, 5, Busy):  # waits for the first thread to let go
        order.append("second in")
        with pytest.raises(Busy), held(path, 0.1, Busy):  # not re-entrant, as a bare flock
            pass
    t.join()
    assert order == ["first in", "first out", "second in"]


def test_the_body_s_error_passes_through_and_the_lock_is_released(tmp_path: Path) -> None:
    path = tmp_path / ".lock"
    with pytest.raises(ValueError, match="inside"), held(path, 1, Busy):
        raise ValueError("inside")
    with held(path, 0, Busy):
        pass
