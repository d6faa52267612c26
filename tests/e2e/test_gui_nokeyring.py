"""A stranger's desktop with no keyring: the real app (main.py) on a real X server (Xvfb), with no
D-Bus session bus (so no Secret Service) and no ``$IMAPP_WALLET_PASSPHRASE``. A person makes a
wallet protected by a passphrase through the dialog, typing with xdotool, and copies the address
the page shows: the clipboard (read back from the X server) holds the wallet's address.

Needs Debian's ``xvfb`` and ``xdotool`` (``scripts/setup.sh`` installs them when run as root)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.e2e.desktopkit import ROOT, clipboard, desktop_env, press, stop, wait_for, window, xdotool

PASS = "correct horse battery staple"


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
        err = stop(app)
    assert app.returncode == 0, err
    assert "Traceback" not in err and "Traceback" not in log.read_text()
    assert PASS not in log.read_text()
