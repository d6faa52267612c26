"""A stranger's desktop with no keyring: the real app (main.py) on a real X server (Xvfb), with no
D-Bus session bus (so no Secret Service) and no ``$IMAPP_WALLET_PASSPHRASE``. A person makes a
wallet protected by a passphrase through the dialog, typing with xdotool, and copies the address
the page shows: the clipboard (read back from the X server) holds the wallet's address.

Needs Debian's ``xvfb`` and ``xdotool`` (``scripts/setup.sh`` installs them when run as root)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PASS = "correct horse battery staple"
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


@pytest.fixture
def display() -> Iterator[str]:
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


def test_a_wallet_protected_by_a_passphrase_on_a_desktop_without_a_keyring(display: str,
                                                                           tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "gui.ini").write_text("[window]\npage=wallet\n")
    env = desktop_env(display)
    log = data / "logs" / "imapp.log"
    app = subprocess.Popen([sys.executable, "main.py", "--data-dir", str(data)], cwd=ROOT, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        main = window(env, "imapp")
        offer = "the Wallet page offers one protected by a passphrase"
        wait_for("the offer of a wallet", lambda: log.exists() and offer in log.read_text())
        assert not (data / "wallet" / "seed.enc").exists()
        # the page has taken that face (and its button the focus) a moment after the worker says so
        wait_for("the offer on the page", lambda: "the Wallet page shows setup" in log.read_text())
        press(env, main, "space")  # "Create a wallet protected by a passphrase…" has the focus
        dialog = window(env, "Create a wallet protected by a passphrase")
        xdotool(env, "windowfocus", "--sync", dialog)
        xdotool(env, "type", "--delay", "20", PASS)
        xdotool(env, "key", "Tab")
        xdotool(env, "type", "--delay", "20", PASS)
        xdotool(env, "key", "Return")
        wait_for("the wallet file", lambda: (data / "wallet" / "seed.enc").exists())
        saved = wait_for("the address in the log", lambda: [line for line in log.read_text().splitlines()
                                                             if "wallet: saved in" in line])
        address = saved[0].rsplit("address ", 1)[1].strip()  # type: ignore[index]
        wait_for("the account on the page", lambda: "the Wallet page shows account" in log.read_text())
        press(env, main, "space")  # the focus went on to "Copy address"
        assert wait_for("the address on the clipboard", lambda: clipboard(env) == address)
        if shutil.which("xwd"):  # a picture to look at when something is off (x11-apps)
            subprocess.run(["xwd", "-id", main, "-out", str(tmp_path / "wallet.xwd")], env=env, timeout=30,
                           check=False)
        # the CLI, with the passphrase, finds the same wallet
        cli = subprocess.run([sys.executable, "-m", "appstore", "--data-dir", str(data), "wallet", "address"],
                             cwd=ROOT, env={**env, "IMAPP_WALLET_PASSPHRASE": PASS}, capture_output=True,
                             text=True, timeout=120)
        assert cli.stdout.strip() == address, cli.stderr
    finally:
        app.send_signal(signal.SIGTERM)
        try:
            _, err = app.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            app.kill()
            _, err = app.communicate()
    assert app.returncode == 0, err
    assert "Traceback" not in err and "Traceback" not in log.read_text()
    assert PASS not in log.read_text()
