"""Settings: stores (add with fingerprint check, remove), language, theme, window state."""

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from appstore.ui.app import DesktopApp
from tests.conftest import Published
from tests.ui.conftest import make_desktop


@pytest.fixture
def http_store(served: Published) -> Published:
    """The test store, published and served on 127.0.0.1 (tests/conftest.py)."""
    return served


def test_wrong_fingerprint_is_refused_in_the_dialog(desktop: DesktopApp, qtbot: QtBot,
                                                    http_store: Published) -> None:
    dialog = desktop.window.settings_page.add_store()
    qtbot.addWidget(dialog)
    dialog.url.setText(http_store.url)
    dialog.expected.setText("ab" * 32)
    dialog.check_button.click()
    qtbot.waitUntil(lambda: "does not match" in dialog.message.text(), timeout=10000)  # noqa

    assert not dialog.add_button.isEnabled()
    assert http_store.result.root_sha256[:4] in dialog.found.text()  # shown for comparison
    assert [s.id for s in desktop.controller.services.stores.config.stores] == ["demo"]  # type: ignore[union-attr]


def test_add_store_with_right_fingerprint(desktop: DesktopApp, qtbot: QtBot, http_store: Published) -> None:
    dialog = desktop.window.settings_page.add_store()
    qtbot.addWidget(dialog)
    dialog.url.setText(http_store.url + "/")
    dialog.expected.setText(http_store.result.root_sha256.upper())
    dialog.check_button.click()
    qtbot.waitUntil(dialog.add_button.isEnabled, timeout=10000)
    assert "matches" in dialog.message.text()
    loads = desktop.controller.loads_done
    dialog.add_button.click()
    qtbot.waitUntil(lambda: desktop.controller.loads_done > loads, timeout=20000)
    view = desktop.controller.view
    assert view is not None and view.find("org.test.alpha").app.store == "teststore"
    cards = "\n".join(lbl.text() for lbl in desktop.window.settings_page.findChildren(QLabel))
    assert "teststore" in cards and "Verified" in cards


def test_unconfirmed_fingerprint_needs_the_tick(desktop: DesktopApp, qtbot: QtBot,
                                               http_store: Published) -> None:
    dialog = desktop.window.settings_page.add_store()
    qtbot.addWidget(dialog)
    dialog.url.setText(http_store.url)
    dialog.check_button.click()
    qtbot.waitUntil(dialog.confirm.isVisible, timeout=10000)
    assert not dialog.add_button.isEnabled()
    dialog.confirm.setChecked(True)
    assert dialog.add_button.isEnabled()


def test_bad_url_is_explained(desktop: DesktopApp) -> None:
    dialog = desktop.window.settings_page.add_store()
    dialog.url.setText("ftp://nope")
    dialog.check_button.click()
    assert "not a store URL" in dialog.message.text()
    dialog.close()


def test_remove_store(desktop: DesktopApp, qtbot: QtBot) -> None:
    desktop.window.settings_page.remove_store("demo", confirm=False)
    qtbot.waitUntil(lambda: desktop.controller.view is not None and not desktop.controller.view.listings,
                    timeout=10000)
    assert desktop.window.discover.empty.isVisible()
    assert "Add a store" in desktop.window.discover.empty.text()


def test_language_switch(desktop: DesktopApp, qtbot: QtBot) -> None:
    assert desktop.window.nav.item(0).text() == "Discover"
    desktop.window.settings_page.language.setCurrentIndex(1)  # 简体中文
    assert desktop.lang == "zh_CN"
    assert desktop.window.nav.item(0).text() == "发现"
    assert desktop.window.current_page() == "settings"
    assert desktop.window.discover.search.placeholderText() == "在所有商店中搜索应用"
    qtbot.addWidget(desktop.window)
    desktop.window.settings_page.language.setCurrentIndex(0)
    assert desktop.window.nav.item(0).text() == "Discover"


def test_theme_switch(desktop: DesktopApp) -> None:
    desktop.window.settings_page.theme.setCurrentIndex(2)  # dark
    app = QApplication.instance()
    assert app.property("imapp_theme") == "dark"  # type: ignore[union-attr]
    assert app.palette().window().color().lightness() < 60  # type: ignore[union-attr]
    desktop.window.settings_page.theme.setCurrentIndex(1)
    assert app.property("imapp_theme") == "light"  # type: ignore[union-attr]


def test_window_remembers_size_and_page(qtbot: QtBot, data: Path) -> None:
    d = make_desktop(qtbot, data)
    d.window.resize(1010, 707)
    d.window.show_page("settings")
    d.window.close()
    again = make_desktop(qtbot, data)
    # the offscreen screen is 800 px wide, so the width is clamped; the height comes back as saved
    assert again.window.size().height() == 707
    assert again.window.current_page() == "settings"
    again.window.close()
