"""A bug while answering a DApp's ``window.imapp`` request is reported as a bug (logged with its
traceback), and the page still gets its answer: a plain refusal, never the bug's words."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot

from appstore.core import logs
from appstore.core.host.policy import DAppIdentity, Kind
from appstore.core.host.provider import Code
from appstore.ui.host.bridge import DAppBridge


class BrokenWallet(QObject):
    """A ``WalletRequests`` with a bug in it: every request raises (the fault under test)."""

    notice = Signal(str, str)

    def register(self, bridge: DAppBridge) -> None:
        self.registered = bridge

    def handle(self, bridge: DAppBridge, request_id: int, text: str) -> None:
        raise ZeroDivisionError("a bug in the wallet's side")


def test_a_bug_in_a_wallet_request_is_logged_with_its_traceback(qtbot: QtBot, tmp_path: Path) -> None:
    logs.setup(tmp_path)
    identity = DAppIdentity("demo", "org.test.alpha", Kind.WEB, "imapp-dapp://alpha",
                            "imapp-dapp://alpha/index.html", ("wallet",))
    access = BrokenWallet()
    bridge = DAppBridge(identity, access=access)
    assert access.registered is bridge
    with qtbot.waitSignal(bridge.response, timeout=1000) as answered:
        bridge.request(7, json.dumps({"method": "imapp_accounts"}))
    request_id, body = answered.args
    error = json.loads(body)["error"]
    assert request_id == 7 and error["code"] == Code.INTERNAL.value
    assert "ZeroDivisionError" not in body and "bug" not in error["message"]
    logged = (tmp_path / "logs" / "imapp.log").read_text()
    assert "bug in the wallet request of demo/org.test.alpha" in logged
    assert "Traceback" in logged and "ZeroDivisionError: a bug in the wallet's side" in logged
