"""Quitting while the wallet asks for its passphrase: the real app (main.py) on a real X server
(Xvfb), with no keyring and no ``$IMAPP_WALLET_PASSPHRASE``, and a wallet in its passphrase
file. A download recorded earlier makes the start's claim round need the key, so the unlock
dialog comes up; then SIGTERM. imapp closes settled (no job left waiting for the person: the
shutdown runs inside the dialog's event loop, so the dialog cannot end first), and the download
is credited at the next start.

Needs Debian's ``xvfb`` and ``xdotool`` (``scripts/setup.sh`` installs them when run as root)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from appstore.core.activity import Activity
from appstore.core.services import Services
from appstore.service.builtin import start_demo_service
from tests.e2e.desktopkit import ROOT, desktop_env, stop, window

PASS = "correct horse battery staple"


def test_quitting_while_the_passphrase_is_asked_closes_settled(
        display: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    data = tmp_path / "data"
    monkeypatch.setenv("IMAPP_WALLET_PASSPHRASE", PASS)
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # the wallet goes in its passphrase file
    try:
        s = Services.open(str(data), embedded=start_demo_service)
        try:
            assert s.wallet.status().storage is None
            s.wallet.address(create=True)
            assert s.wallet.status().storage == "file"
            event = s.activity.record(Activity.DOWNLOAD, "demo", "org.imapp.memory")
        finally:
            s.close()
    finally:
        keyring.set_keyring(before)

    (data / "gui.ini").write_text("[window]\npage=wallet\n")  # (a page to ask on: its dialog's parent)
    env = desktop_env(display)
    log = data / "logs" / "imapp.log"
    app = subprocess.Popen([sys.executable, "main.py", "--data-dir", str(data)], cwd=ROOT, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        window(env, "imapp")
        window(env, "Unlock your wallet")  # the start's claim round waits for the passphrase
    finally:
        err = stop(app)
    text = log.read_text()
    assert app.returncode == 0, err
    assert "Traceback" not in err and "Traceback" not in text
    assert "imapp closed\n" in text, text[-2000:]  # not "closed with work unfinished"
    assert "jobs still running at exit" not in text

    keyring.set_keyring(fail.Keyring())
    s = Services.open(str(data), embedded=start_demo_service)  # the next start, with the passphrase
    try:
        report = s.rewards.claim()
        assert [c.receipt.reference.rsplit("#", 1)[1] for c in report.credits] == [event.id], report
    finally:
        s.close()
        keyring.set_keyring(before)
