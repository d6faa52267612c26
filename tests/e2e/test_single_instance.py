"""Two real imapp processes on one data dir: the second hands its link to the first and ends;
one that can neither hand it over nor take the data dir's lock says that another imapp is
using the data dir, and ends; once the first has ended, the data dir is free again."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from appstore.ui.instance import socket_path

ROOT = Path(__file__).resolve().parents[2]


def _env(runtime: Path) -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "IMAPP_DATA_DIR": "",
            "XDG_RUNTIME_DIR": str(runtime)}


def _start(data: Path, runtime: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "main.py", "--data-dir", str(data), *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(runtime))


def _wait_for(what: str, ready: object, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not ready():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.1)


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return err


def test_a_second_start_hands_its_link_to_the_first_and_ends(tmp_path: Path, runtime: Path) -> None:
    data = tmp_path / "d"
    first = _start(data, runtime)
    try:
        channel = socket_path(data.resolve())
        _wait_for("channel", channel.exists)
        assert channel.parent == runtime / "imapp"
        # (a link handed over sooner waits for the catalogue: wait for it here, so that the
        # page is open before the first is told to quit)
        log = data / "logs" / "imapp.log"
        _wait_for("the first window", lambda: log.exists() and "the window is up" in log.read_text())
        _wait_for("the first refresh", (data / "stores" / "demo" / "state.json").exists)
        second = subprocess.run([sys.executable, "main.py", "--data-dir", str(data),
                                 "imapp://app/demo/org.imapp.fairdice"], cwd=ROOT, capture_output=True,
                                text=True, timeout=60, env=_env(runtime))
        assert second.returncode == 0, second.stderr
        _wait_for("the link handled", lambda: "a later start handed over 1 link(s)\n" in log.read_text()
                  and "handled a link from a later start\n" in log.read_text())
        assert log.read_text().count("imapp starting on") == 1  # the second never started a window
    finally:
        err = _stop(first)
    assert "Traceback" not in err
    assert "\npage=app:org.imapp.fairdice\n" in (data / "gui.ini").read_text()  # the link was opened
    assert not channel.exists()  # removed by its owner on the way out
    # the lock went with the process: the data dir is free for the next start
    again = subprocess.run([sys.executable, "main.py", "--data-dir", str(data), "--screenshot",
                            str(tmp_path / "x.png"), "--page", "settings"], cwd=ROOT, capture_output=True,
                           text=True, timeout=180, env=_env(runtime))
    assert again.returncode == 0, again.stderr


def test_a_start_that_cannot_hand_over_says_the_data_dir_is_in_use(tmp_path: Path, runtime: Path) -> None:
    data = tmp_path / "d"
    first = _start(data, runtime)
    try:
        _wait_for("channel", socket_path(data.resolve()).exists)
        # Another runtime folder: the second start cannot find the first one's channel. It waits
        # a moment (the first may be starting or closing), then says so (and, with a display,
        # in a dialog, which the offscreen platform keeps open: ended here once it has spoken).
        elsewhere = Path(tempfile.mkdtemp(prefix="imr"))
        try:
            second = _start(data, elsewhere, "imapp://app/demo/org.imapp.fairdice")
            assert second.stderr is not None
            line = second.stderr.readline()
            second.kill()
            second.communicate(timeout=30)
        finally:
            shutil.rmtree(elsewhere, ignore_errors=True)
        assert line.startswith(f"error: Another imapp (process {first.pid}) is using the data dir "), line
        assert "did not take this start's link (it does not answer)" in line
        assert "--data-dir" in line
        # a screenshot never hands a link over: it ends at once with the same words
        shot = subprocess.run([sys.executable, "main.py", "--data-dir", str(data), "--screenshot",
                               str(tmp_path / "x.png")], cwd=ROOT, capture_output=True, text=True,
                              timeout=60, env=_env(runtime))
        assert shot.returncode == 1
        assert shot.stderr.startswith(f"error: Another imapp (process {first.pid}) is using the data dir")
        assert not (tmp_path / "x.png").exists()
        assert (data / "logs" / "imapp.log").read_text().count("imapp starting on") == 1
    finally:
        _stop(first)
