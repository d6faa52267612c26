"""Messages from below the GUI, in the Chinese UI: a wallet kept in a system keyring that is
gone at the next start (the real app offscreen, the ``fail`` keyring backend) shows the core's
reason in Chinese, and no text on the Wallet page is left in English; a core error shown in the
banner is Chinese too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget
from pytestqt.qtbot import QtBot

from appstore.core.paths import Paths
from appstore.core.wallet.seedstore import SeedStore
from appstore.ui.app import DesktopApp
from tests.seedkit import MemoryKeyring
from tests.ui.conftest import make_desktop

# two English words in a row: a sentence nobody translated (names such as "IA → BCD" are one word)
ENGLISH = re.compile(r"\b[A-Za-z]{2,}[ ,;:]+[A-Za-z]{2,}\b")


def english_left(page: QWidget) -> list[str]:
    texts = [w.text() for w in page.findChildren(QLabel) + page.findChildren(QAbstractButton)
             if w.isVisibleTo(page) and w.text()]
    return [t for t in texts if ENGLISH.search(re.sub(r"<[^>]+>|\w+://\S+", " ", t))]


@pytest.fixture
def desktop(qtbot: QtBot, data: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DesktopApp]:
    monkeypatch.delenv("IMAPP_WALLET_PASSPHRASE", raising=False)
    before = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    paths = Paths(data)
    paths.ensure()
    SeedStore(paths, env={}).create()  # kept in the keyring…
    keyring.set_keyring(fail.Keyring())  # …which this start cannot reach
    d = make_desktop(qtbot, data, lang="zh_CN")
    yield d
    d.window.close()
    keyring.set_keyring(before)


def test_the_keyring_that_is_gone_is_said_in_chinese(desktop: DesktopApp, qtbot: QtBot) -> None:
    desktop.window.show_page("wallet")
    page = desktop.window.wallet_page

    def said() -> list[str]:
        return [w.text() for w in page.findChildren(QLabel)
                if w.isVisibleTo(page) and "这个钱包保存在系统钥匙环中，而钥匙环现在不可用" in w.text()]

    qtbot.waitUntil(lambda: bool(said()), timeout=30000)  # the rewards card: no claim can be signed
    assert "keyring" not in said()[0] and "没有可用的钥匙环服务" in said()[0], said()
    qtbot.waitUntil(lambda: page.account.text.isVisibleTo(page), timeout=30000)
    assert "尚未确认" in page.account.text.text()  # the address recorded beside the wallet
    assert english_left(page) == []


def test_a_core_error_in_the_banner_is_chinese(desktop: DesktopApp) -> None:
    banner = desktop.window.banner
    banner.show_message("cannot reach the store (connection refused). Check the connection and try again.")
    assert banner.text.text() == "无法连接商店（connection refused）。请检查网络连接后重试。"
