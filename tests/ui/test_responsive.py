"""Responsive in both senses: the GUI thread never blocks while a slow store refreshes, and the
layouts adapt to a small window (900×600) and stay put when a category is chosen."""

import time
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from appstore.core.paths import Paths
from appstore.core.store.manager import Stores
from tests.conftest import Published
from tests.storekit import serve_slowly
from tests.ui.conftest import make_desktop

DELAY = 0.4  # seconds the store takes to answer each request


def test_gui_stays_responsive_while_a_slow_store_refreshes(qtbot: QtBot, data: Path,
                                                          published: Published) -> None:
    server = serve_slowly(published.out, DELAY)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        Stores(Paths.resolve(data)).add([url], published.result.root_sha256)
        desktop = make_desktop(qtbot, data)
        published.republish()  # something new to fetch, slowly

        gaps: list[int] = []
        clock = QElapsedTimer()
        clock.start()
        tick = QTimer()
        tick.setInterval(5)

        def beat() -> None:
            gaps.append(clock.restart())

        tick.timeout.connect(beat)
        tick.start()
        started = time.monotonic()
        loads = desktop.controller.loads_done
        desktop.controller.refresh()
        # keep using the window meanwhile
        qtbot.keyClicks(desktop.window.discover.search, "alpha")
        qtbot.waitUntil(lambda: desktop.controller.loads_done > loads, timeout=30000)
        tick.stop()
        assert time.monotonic() - started >= 3 * DELAY  # the refresh really was slow
        assert desktop.controller.status.failures == []
        assert max(gaps) < 100, f"the GUI thread was blocked for {max(gaps)} ms"
        assert desktop.window.model.rowCount() == 1  # the search ran meanwhile
        desktop.window.close()
    finally:
        server.shutdown()
        server.server_close()


def _card_height(desktop) -> int:  # type: ignore[no-untyped-def]
    grid = desktop.window.discover.grid
    return grid.visualRect(grid.model().index(0, 0)).height()


def test_a_small_window_keeps_two_rows_of_cards(desktop, qtbot: QtBot) -> None:  # type: ignore[no-untyped-def]
    """At 900×600 the banner is the compact one and the grid shows two rows of cards or more
    (it kept ~330 px of banner and chips and showed less than two)."""
    w = desktop.window
    w.resize(900, 600)
    page = w.discover
    qtbot.waitUntil(lambda: w.height() == 600 and page.featured.compact, timeout=5000)
    QApplication.processEvents()
    assert page.featured.isVisible() and page.featured.height() <= 140
    assert page.grid.viewport().height() >= 2 * _card_height(desktop)
    w.resize(1400, 900)
    qtbot.waitUntil(lambda: not page.featured.compact, timeout=5000)
    assert page.featured.height() >= 180  # room enough: the full banner


def test_chips_stay_put_when_a_category_is_chosen(desktop, qtbot: QtBot) -> None:  # type: ignore[no-untyped-def]
    """Choosing a chip hides the banner; the chips must not move (a second click would land on
    the grid)."""
    w = desktop.window
    page = w.discover
    assert page.featured.isVisible()
    games = next(b for b in page.chips.buttons() if b.property("category") == "games")
    tools = next(b for b in page.chips.buttons() if b.property("category") == "tools")
    where = tools.mapTo(w, tools.rect().center())
    qtbot.mouseClick(games, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert not page.featured.isVisible() and page.model.category == "games"
    assert tools.mapTo(w, tools.rect().center()) == where
    target = w.childAt(where)
    assert target is tools  # the second click lands on a chip
    qtbot.mouseClick(target, Qt.MouseButton.LeftButton, pos=target.mapFrom(w, where))
    assert page.model.category == "tools"
    assert w.childAt(where + QPoint(0, 0)) is tools
