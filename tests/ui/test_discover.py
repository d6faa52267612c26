"""Discover: navigation, search-as-you-type, categories, keyboard, models."""

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from appstore.ui.app import DesktopApp
from appstore.ui.mainwindow import PAGES
from appstore.ui.models import Roles


def _refs(desktop: DesktopApp) -> list[str]:
    model = desktop.window.model
    return [model.index(r, 0).data(Roles.REF) for r in range(model.rowCount())]


def test_navigation_between_pages(desktop: DesktopApp, qtbot: QtBot) -> None:
    w = desktop.window
    assert w.current_page() == "discover"
    w.nav.setCurrentRow(PAGES.index("settings"))
    assert w.stack.currentWidget() is w.settings_page and w.current_page() == "settings"
    w.nav.setCurrentRow(PAGES.index("wallet"))
    assert w.stack.currentWidget() is w.wallet_page and w.current_page() == "wallet"
    w.nav.setCurrentRow(1)
    assert w.stack.currentWidget() is w.library_page and w.current_page() == "library"
    w.nav.setCurrentRow(2)
    assert w.stack.currentWidget() is w.downloads_page and w.current_page() == "downloads"
    w.nav.setCurrentRow(0)
    assert w.stack.currentWidget() is w.discover
    w.open_ref("org.imapp.notes")
    assert w.current_page() == "app:org.imapp.notes"
    w.app_page.back.emit()
    assert w.current_page() == "discover"
    w.show_page("library")  # an app opened from the Library goes back there
    w.open_ref("org.imapp.notes")
    assert w.nav.currentRow() == 1
    w.app_page.back.emit()
    assert w.current_page() == "library"


def test_search_as_you_type_and_categories(desktop: DesktopApp, qtbot: QtBot) -> None:
    page = desktop.window.discover
    assert len(_refs(desktop)) == 14
    assert _refs(desktop)[0] in {"org.imapp.charity", "org.imapp.jointloan", "org.imapp.game2048"}
    qtbot.keyClicks(page.search, "char")
    assert _refs(desktop) == ["org.imapp.charity"]
    assert not page.featured.isVisible()
    page.search.clear()
    qtbot.keyClicks(page.search, "loan")
    assert set(_refs(desktop)) == {"org.imapp.jointloan", "org.imapp.carloan"}
    page.search.clear()
    qtbot.keyClicks(page.search, "nothing-like-this")
    assert _refs(desktop) == [] and page.empty.isVisible()
    assert "nothing-like-this" in page.empty.text()
    page.search.clear()
    games = next(b for b in page.chips.buttons() if b.property("category") == "games")
    qtbot.mouseClick(games, Qt.MouseButton.LeftButton)
    assert set(_refs(desktop)) == {"org.imapp.game2048", "org.imapp.memory", "org.imapp.fairdice"}
    assert page.count.text() == "3 apps"


def test_search_in_chinese(qtbot: QtBot, data) -> None:  # type: ignore[no-untyped-def]
    from tests.ui.conftest import make_desktop

    d = make_desktop(qtbot, data, lang="zh_CN")
    d.window.discover.search.insert("慈善")  # as an input method commits it (QTest types ASCII only)
    assert _refs(d) == ["org.imapp.charity"]
    assert d.window.discover.count.text() == "1 个应用"
    d.window.close()


def test_keyboard_opens_an_app(desktop: DesktopApp, qtbot: QtBot) -> None:
    desktop.window.show()  # focus is only real in a shown, active window
    desktop.window.activateWindow()
    qtbot.waitUntil(desktop.window.isActiveWindow)
    page = desktop.window.discover
    qtbot.keyClicks(page.search, "hash")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)  # to the results
    assert page.grid.hasFocus()
    assert page.grid.currentIndex().isValid()
    assert page.grid.currentIndex().data(Roles.REF) == "org.imapp.hashtools"
    qtbot.keyClick(page.grid, Qt.Key.Key_Return)
    assert desktop.window.current_page() == "app:org.imapp.hashtools"


def test_models_pass_the_model_tester(desktop: DesktopApp, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = desktop.window.model
    qtmodeltester.check(model)
    model.set_filter("bcd", None)
    assert model.rowCount() == 2
    qtmodeltester.check(model)
    model.set_filter("", "games")
    qtmodeltester.check(model)


def test_icons_load_off_the_gui_thread(desktop: DesktopApp, qtbot: QtBot) -> None:
    model = desktop.window.model
    idx = model.index(0, 0)
    model.data(idx, Qt.ItemDataRole.DecorationRole)  # asks for it
    app = model.listing(0).app
    from appstore.ui.models import ICON_SIZE

    qtbot.waitUntil(lambda: desktop.window.images.pixmap(app.store, app.icon, ICON_SIZE) is not None,
                    timeout=10000)
    pix = model.data(idx, Qt.ItemDataRole.DecorationRole)
    assert pix.width() == ICON_SIZE.width()


def test_shortcuts(desktop: DesktopApp, qtbot: QtBot) -> None:
    w = desktop.window
    w.show()
    w.open_ref("org.imapp.memory")
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    assert w.current_page() == "discover"
    w.show_page("settings")
    qtbot.keyClick(w, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert w.current_page() == "discover" and w.discover.search.hasFocus()


def test_a_big_catalogue_is_searched_on_disk_in_a_worker(qtbot: QtBot, data, monkeypatch,  # type: ignore[no-untyped-def]
                                                         qtmodeltester) -> None:
    """Above ``IN_MEMORY_MAX`` apps (lowered here: the demo store has 14) Discover searches the
    stores' SQLite indexes in the ``search`` lane, and reads further rows there as the list
    scrolls, never on the GUI thread."""
    import appstore.core.services as services_module
    from appstore.core.store.manager import Results
    from appstore.ui.models import AppListModel
    from tests.ui.conftest import make_desktop

    monkeypatch.setattr(services_module, "IN_MEMORY_MAX", 1)
    monkeypatch.setattr(Results, "FIRST", 4)  # rows that come with a search
    monkeypatch.setattr(AppListModel, "BATCH", 3)  # rows given to the view at a time
    d = make_desktop(qtbot, data)
    view = d.controller.view
    assert view is not None and view.searches_on_disk
    model = d.window.model
    assert model.total == 14  # the view asks for more rows as it lays them out
    while model.canFetchMore():  # scrolling: rows after the first ones are read in a worker
        model.fetchMore()
        qtbot.waitUntil(lambda: not d.controller.jobs.active("search") or model.rowCount() == 14,
                        timeout=5000)
    assert model.rowCount() == 14 and len(set(_refs(d))) == 14
    page = d.window.discover
    page.search.setText("loan")
    assert model.query == ""  # not searched on the GUI thread
    qtbot.waitUntil(lambda: model.query == "loan", timeout=5000)
    assert set(_refs(d)) == {"org.imapp.jointloan", "org.imapp.carloan"}
    assert page.count.text() == "2 apps"
    page.search.setText("慈善")
    qtbot.waitUntil(lambda: model.query == "慈善", timeout=5000)
    assert _refs(d) == ["org.imapp.charity"]
    page.search.clear()
    qtbot.waitUntil(lambda: model.query == "" and model.total == 14, timeout=5000)
    qtmodeltester.check(model)
    d.window.close()


def test_an_empty_search_says_what_to_do(desktop: DesktopApp, qtbot: QtBot) -> None:
    page = desktop.window.discover
    qtbot.keyClicks(page.search, "zzzz")
    assert page.empty_box.isVisible() and not page.count.isVisible()  # no bare "0 apps"
    assert "zzzz" in page.empty.text() and "spelling" in page.empty_hint.text()
    assert page.empty_action.isVisible() and page.empty_action.text() == "Clear the search"
    # the message is where the cards would start, not lost in the middle of the page
    assert page.empty.mapTo(page, page.empty.rect().topLeft()).y() < page.grid.y() + 120
    qtbot.mouseClick(page.empty_action, Qt.MouseButton.LeftButton)
    assert page.search.text() == "" and len(_refs(desktop)) == 14 and page.count.isVisible()


def test_sidebar_discover_leaves_an_app_page(desktop: DesktopApp, qtbot: QtBot) -> None:
    """On an app page opened from Discover, Discover is still the chosen page in the sidebar:
    clicking it goes back to Discover (it did nothing)."""
    w = desktop.window
    w.open_ref("org.imapp.notes")
    assert w.current_page() == "app:org.imapp.notes" and w.nav.currentRow() == PAGES.index("discover")
    item = w.nav.item(PAGES.index("discover"))
    qtbot.mouseClick(w.nav.viewport(), Qt.MouseButton.LeftButton, pos=w.nav.visualItemRect(item).center())
    assert w.current_page() == "discover" and w.stack.currentWidget() is w.discover
    w.show_page("library")
    w.open_ref("org.imapp.notes")
    item = w.nav.item(PAGES.index("library"))
    qtbot.mouseClick(w.nav.viewport(), Qt.MouseButton.LeftButton, pos=w.nav.visualItemRect(item).center())
    assert w.current_page() == "library"
