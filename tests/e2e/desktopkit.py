"""A real desktop for end-to-end GUI tests: an X server (Xvfb), the app's environment without a
session bus or a passphrase, and xdotool to find windows and press keys, as a person would.

Needs Debian's ``xvfb`` and ``xdotool`` (``scripts/setup.sh`` installs them when run as root)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("Xvfb", "xdotool")


def _tools() -> None:
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if not missing:
        return
    why = f"{' and '.join(missing)} not installed (Debian packages xvfb, xdotool)"
    if os.geteuid() == 0:
        pytest.fail(f"{why}: run scripts/setup.sh as root, which installs them")
    pytest.skip(f"{why}, and not root to install them: run scripts/setup.sh as root")


def wait_for(what: str, check: Callable[[], object], timeout: float = 90.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def x_server() -> Iterator[str]:
    """A fresh X server on a free display number (Xvfb picks it: -displayfd)."""
    _tools()
    read, write = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1400x1000x24",
                             "-nolisten", "tcp"], pass_fds=(write,), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as f:
        number = f.readline().strip()
    assert number.isdigit(), "Xvfb did not start"
    try:
        yield f":{number}"
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=30)


def desktop_env(display: str) -> dict[str, str]:
    """The app's environment: no session bus, no passphrase variable, the real X server."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DBUS_SESSION_BUS_ADDRESS", "IMAPP_WALLET_PASSPHRASE", "QT_QPA_PLATFORM",
                        "PYTHON_KEYRING_BACKEND", "GNOME_KEYRING_CONTROL", "WAYLAND_DISPLAY")}
    env.update(DISPLAY=display, IMAPP_DATA_DIR="", QT_QPA_PLATFORM="xcb",
               QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox --disable-gpu --log-level=3")
    return env


def xdotool(env: dict[str, str], *args: str) -> str:
    return subprocess.run(["xdotool", *args], env=env, capture_output=True, text=True, timeout=30).stdout


def window(env: dict[str, str], title: str) -> str:
    """The id of the visible window called exactly ``title`` (waited for)."""
    def find() -> str:
        ids = xdotool(env, "search", "--onlyvisible", "--name", f"^{title}$").split()
        return ids[-1] if ids else ""
    return str(wait_for(f"the window {title!r}", find))


def press(env: dict[str, str], win: str, *keys: str) -> None:
    xdotool(env, "windowfocus", "--sync", win)
    xdotool(env, "key", "--clearmodifiers", *keys)


def clipboard(env: dict[str, str]) -> str:
    """What the X clipboard holds, read by another Qt program on the same display."""
    code = "from PySide6.QtGui import QGuiApplication as A; a = A([]); print(a.clipboard().text())"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=60).stdout.strip()


def stop(app: subprocess.Popen[str]) -> str:
    """End ``app`` as a log-out does (SIGTERM); its stderr. Killed if it does not end in a minute."""
    app.send_signal(signal.SIGTERM)
    try:
        _, err = app.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        app.kill()
        _, err = app.communicate()
    return str(err)
