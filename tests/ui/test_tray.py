"""The tray offscreen. The offscreen platform has no system tray: the app makes no icon there,
and its menu and counts are tested as they are; for closing into the tray, an icon is made
anyway (Qt says once that this platform lacks the tray's signal)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from appstore.core.activity import Activity
from appstore.ui import tray as tray_module
from appstore.ui.app import DesktopApp, parse_args
from appstore.ui.installs import Phase
from appstore.ui.settingsdesktop import DesktopSettings
from appstore.ui.tray import TELL_AFTER_MS, Tray
from tests.ui.conftest import idle, make_desktop


def _attached(qtbot: QtBot, d: DesktopApp) -> None:
    qtbot.waitUntil(lambda: d.tray.window is d.window, timeout=10000)


def test_the_menu_counts_news_updates_and_todays_ia_and_opens_their_pages(
        qtbot: QtBot, data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAPP_WALLET_PASSPHRASE", "a passphrase for the tests")
    d = make_desktop(qtbot, data)
    _attached(qtbot, d)
    tray = d.tray
    assert tray.icon is None and not tray.active  # no tray offscreen
    actions = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
    assert actions[0] == "Open imapp" and actions[-1] == "Quit"
    news = d.window.news
    qtbot.waitUntil(lambda: news.unread > 0, timeout=10000)
    assert tray.texts()[0] == f"Unread news: {news.unread}" == tray.news_action.text()
    assert tray.texts()[1] == "Updates available: 0"

    view = d.controller.view
    assert view is not None
    app = view.find("org.imapp.fairdice").app
    d.installs.install(app, "1.0.0")
    qtbot.waitUntil(lambda: d.installs.state(app).phase is Phase.UPDATE, timeout=30000)
    assert tray.updates_action.text() == "Updates available: 1"

    services = d.controller.services
    assert services is not None
    services.wallet.address(create=True)
    wallet = d.window.wallet
    wallet.load(create=False)
    qtbot.waitUntil(lambda: wallet.snapshot is not None, timeout=30000)
    d.controller.record(Activity.FORWARD, view.find("org.imapp.charity").app)

    def balance() -> str:  # every IA of this wallet came today: today's IA is all of it
        snap = wallet.snapshot
        return snap.balances.totals["IA"].text if snap is not None else ""
    qtbot.waitUntil(lambda: services.wallet.ledger.pending() == [] and
                    tray.ia_action.text() == f"IA today: +{balance()}" != "IA today: +0", timeout=30000)
    assert tray.icon is None  # (offscreen: no tooltip to show them in)

    for action, page in ((tray.news_action, "news"), (tray.updates_action, "library"),
                         (tray.ia_action, "wallet")):
        d.window.hide()
        action.trigger()
        assert d.window.isVisible() and d.window.current_page() == page
    d.window.close()


def test_the_menu_follows_the_language(qtbot: QtBot, data: Path) -> None:
    d = make_desktop(qtbot, data)
    _attached(qtbot, d)
    d.window.settings_page.language.setCurrentIndex(1)  # 简体中文: a new window
    qtbot.addWidget(d.window)
    _attached(qtbot, d)
    assert d.tray.open_action.text() == "打开 imapp" and d.tray.quit_action.text() == "退出"
    assert d.tray.texts()[1] == "可用更新：0"
    d.window.close()


@pytest.mark.qt_log_ignore("systemTrayWindowChanged")
def test_closing_the_window_keeps_imapp_in_the_tray_when_chosen(qtbot: QtBot, data: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    d = make_desktop(qtbot, data)
    _attached(qtbot, d)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    window = d.window
    window.removeEventFilter(d.tray)  # the app's own tray (no icon offscreen) lets go of it
    tray = Tray(app, d.options, d.notifier, d.installs, available=True)
    tray.attach(window)
    told: list[str] = []
    d.notifier.delivered.connect(lambda notice, how: told.append(notice.summary))
    try:
        assert tray.active
        window.close()  # the option is off (the default): closing quits as before
        assert app.quitOnLastWindowClosed()
        window.show()
        d.options.close_to_tray = True
        window.close()
        assert not window.isVisible() and not app.quitOnLastWindowClosed()
        qtbot.waitUntil(lambda: told == ["imapp is still running"], timeout=TELL_AFTER_MS + 5000)
        assert d.options.told_close_to_tray
        tray.open_action.trigger()  # (the app's handler of open_page is on its own tray)
        d._show_page("")
        assert window.isVisible()
        # said once only: were it told again, its timer would fire at once, before the sentinel
        monkeypatch.setattr(tray_module, "TELL_AFTER_MS", 0)
        window.close()
        idle(qtbot, d.controller.jobs)  # (the notice goes out through a job)
        assert told == ["imapp is still running"]
        d._show_page("")
        d.options.close_to_tray = False
        window.close()
        assert app.quitOnLastWindowClosed()
    finally:
        app.setQuitOnLastWindowClosed(True)
        assert tray.icon is not None
        tray.icon.hide()


def test_start_minimized(qtbot: QtBot, data: Path) -> None:
    assert parse_args(["--minimized"]).minimized is True and parse_args([]).minimized is False
    args = parse_args(["--data-dir", str(data), "--lang", "en", "--theme", "light", "--minimized"])
    d = DesktopApp(QApplication.instance(), args)  # type: ignore[arg-type]
    qtbot.addWidget(d.window)
    d.start()
    assert d.window.isMinimized()  # no tray here: minimised, where the user finds it
    d.window.close()
    d.controller.shutdown()


def test_the_desktop_settings(qtbot: QtBot, data: Path) -> None:
    d = make_desktop(qtbot, data)
    section = d.window.settings_page.desktop
    assert section is not None and section.no_tray is not None  # no tray offscreen: said why
    assert not section.close_to_tray.isEnabled() and not section.start_minimized.isEnabled()
    with_tray = DesktopSettings(d.options, tray=True)
    qtbot.addWidget(with_tray)
    assert with_tray.no_tray is None and with_tray.close_to_tray.isEnabled()
    with_tray.close_to_tray.setChecked(True)
    with_tray.start_minimized.setChecked(True)
    assert d.options.close_to_tray and d.options.start_minimized
    with_tray.notify["rewards"].setChecked(False)
    assert not d.options.notifies("rewards") and d.options.notifies("games")
    d.settings.sync()
    text = (data / "gui.ini").read_text()
    assert "close_to_tray=true" in text and "start_minimized=true" in text and "rewards=false" in text
    d.window.close()
