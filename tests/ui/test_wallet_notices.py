"""Reward notices on the real app offscreen (the demo store's embedded IA service over HTTP):
they keep coming after the language is switched in Settings, which rebuilds the window and its
wallet controller, in the new language."""

from __future__ import annotations

import weakref
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from appstore.core.activity import Activity
from tests.ui.conftest import make_desktop


def test_reward_notices_go_on_after_the_language_is_switched(qtbot: QtBot, data: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAPP_WALLET_PASSPHRASE", "a passphrase for the tests")
    desktop = make_desktop(qtbot, data)
    services = desktop.controller.services
    assert services is not None
    services.wallet.address(create=True)  # (without one and without a keyring, claims wait for the user)
    old = weakref.ref(desktop.window.wallet)  # (made: it claims what the user does)
    desktop.window.show_page("settings")
    desktop.window.settings_page.language.setCurrentIndex(1)  # 简体中文: a new window
    window = desktop.window
    qtbot.addWidget(window)
    assert window.wallet is not old()
    qtbot.waitUntil(lambda: window.nav.item(0).text() == "发现", timeout=5000)
    shown: list[str] = []
    window.statusBar().messageChanged.connect(shown.append)
    view = desktop.controller.view
    assert view is not None
    charity = view.find("org.imapp.charity").app
    desktop.controller.record(Activity.FORWARD, charity)
    qtbot.waitUntil(lambda: any(" IA — " in line for line in shown), timeout=30000)
    name = view.app_name("demo", "org.imapp.charity", "zh_CN")
    assert f"+1 IA — 分享了 {name}" in shown, shown
    desktop.controller.record(Activity.FORWARD, charity)  # once a day: refused, and said so
    qtbot.waitUntil(lambda: any("未获得 IA" in line for line in shown), timeout=30000)
    assert services.wallet.ledger.pending() == []
    window.close()
