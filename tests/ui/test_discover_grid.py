"""Discover's grid as a user finds it: cards fill each row at any width, a single click opens an
app (once, whatever the platform's click setting), the keyboard still works, and the second click
of a double click does not act on the page it opened."""

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleOption, QWidget
from pytestqt.qtbot import QtBot

from appstore.core.activity import Activity, ActivityLog
from appstore.ui.app import DesktopApp
from appstore.ui.delegates import AppCardDelegate
from appstore.ui.discover import MIN_CARD_WIDTH, AppGrid
from appstore.ui.models import Roles
from appstore.ui.screenshots import ScreenshotViewer
from tests.ui.conftest import sentinel


def _first_row(grid: AppGrid) -> list[int]:
    """The left edges of the cards in the first row."""
    model = grid.model()
    top = grid.visualRect(model.index(0, 0)).top()
    rects = [grid.visualRect(model.index(r, 0)) for r in range(model.rowCount())]
    return [r.left() for r in rects if r.top() == top]


def _blank_right(grid: AppGrid) -> int:
    model = grid.model()
    last = grid.visualRect(model.index(len(_first_row(grid)) - 1, 0))
    return grid.viewport().width() - (last.right() + 1)


def _shown(desktop: DesktopApp, width: int, qtbot: QtBot) -> AppGrid:
    w = desktop.window
    w.resize(width, 840)
    w.show()
    qtbot.waitExposed(w)
    grid = w.discover.grid
    # QListView lays out again a moment after a resize
    qtbot.waitUntil(lambda: grid.visualRect(grid.model().index(0, 0)).width() == grid.card_width(),
                    timeout=3000)
    return grid


@pytest.mark.parametrize("width", [1215, 900, 1600])
def test_cards_fill_the_row(desktop: DesktopApp, qtbot: QtBot, width: int) -> None:
    grid = _shown(desktop, width, qtbot)
    assert desktop.window.width() == width
    card = grid.visualRect(grid.model().index(0, 0)).width()
    lefts = _first_row(grid)
    assert len(lefts) == grid.columns() >= 2
    assert card >= MIN_CARD_WIDTH
    assert lefts == [i * (card + grid.spacing()) for i in range(len(lefts))]  # no gaps
    blank = _blank_right(grid)
    # what QListView keeps for the scroll bar (also when it is hidden), and under a px per column
    reserved = grid.maximumViewportSize().width() - grid.layout_width()
    assert 0 <= blank < card - grid.spacing()
    assert blank <= reserved + len(lefts), (width, grid.viewport().width(), len(lefts), card, blank)
    # every card is the same width, and all of them are laid out (wrapped into rows)
    model = grid.model()
    rects = [grid.visualRect(model.index(r, 0)) for r in range(model.rowCount())]
    assert {r.width() for r in rects} == {card}
    assert len({r.top() for r in rects}) == -(-model.rowCount() // len(lefts))


class CountingDelegate(AppCardDelegate):
    calls = 0

    def sizeHint(self, option, index):  # type: ignore[no-untyped-def]
        CountingDelegate.calls += 1
        return super().sizeHint(option, index)


def test_resizing_relays_out_with_one_size_per_layout(desktop: DesktopApp, qtbot: QtBot) -> None:
    grid = _shown(desktop, 1215, qtbot)
    three = grid.cards.card_width
    grid.cards = CountingDelegate(grid)
    grid.setItemDelegate(grid.cards)
    grid.executeDelayedItemsLayout()  # the layout the new delegate asked for, now: not counted below
    CountingDelegate.calls = 0
    grid = _shown(desktop, 1600, qtbot)
    calls = CountingDelegate.calls
    assert grid.cards.card_width != three and grid.columns() == 4
    # uniform item sizes: the view asks for one size per layout, not one per app
    assert 0 < calls <= 3 < grid.model().rowCount()


def test_a_click_opens_the_app(desktop: DesktopApp, qtbot: QtBot) -> None:
    grid = _shown(desktop, 1215, qtbot)
    visits: list[str] = []
    desktop.controller.activity.connect(lambda event: visits.append(event.app_id))  # recorded
    index = grid.model().index(1, 0)
    ref = index.data(Roles.REF)
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=grid.visualRect(index).center())
    assert desktop.window.current_page() == f"app:{ref}"
    desktop.window.show_page("discover")  # the browse is recorded on leaving, with its duration
    qtbot.waitUntil(lambda: bool(visits), timeout=5000)
    sentinel(qtbot, desktop.controller.jobs, "activity")  # a second, wrong, visit is recorded by now
    journal = ActivityLog(desktop.controller.services.activity.path).events()  # type: ignore[union-attr]
    assert visits == [ref] and [(e.kind, e.app_id) for e in journal] == [(Activity.BROWSE, ref)]


class SingleClickStyle(QProxyStyle):
    """A platform that activates items on a single click (KDE's setting)."""

    def styleHint(self, hint: QStyle.StyleHint, option: QStyleOption | None = None,  # type: ignore[override]
                  widget: QWidget | None = None, data: object = None) -> int:
        if hint == QStyle.StyleHint.SH_ItemView_ActivateItemOnSingleClick:
            return 1
        return super().styleHint(hint, option, widget, data)  # type: ignore[arg-type]


@pytest.mark.parametrize("single_click_platform", [False, True])
def test_a_click_opens_the_app_once_on_any_platform(desktop: DesktopApp, qtbot: QtBot,
                                                     single_click_platform: bool) -> None:
    grid = _shown(desktop, 1215, qtbot)
    if single_click_platform:
        style = SingleClickStyle()
        style.setParent(grid)  # a widget does not own its style: this one goes with the grid
        grid.setStyle(style)
    option = QStyleOption()
    option.initFrom(grid)
    assert bool(grid.style().styleHint(QStyle.StyleHint.SH_ItemView_ActivateItemOnSingleClick,
                                       option, grid)) == single_click_platform
    opened: list[str] = []
    desktop.window.discover.open_app.connect(opened.append)
    index = grid.model().index(2, 0)
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=grid.visualRect(index).center())
    assert opened == [index.data(Roles.REF)]


def test_keyboard_moves_and_enter_opens(desktop: DesktopApp, qtbot: QtBot) -> None:
    grid = _shown(desktop, 1215, qtbot)
    cols = grid.columns()
    grid.setFocus()
    grid.setCurrentIndex(grid.model().index(0, 0))
    qtbot.keyClick(grid, Qt.Key.Key_Right)
    assert grid.currentIndex().row() == 1
    qtbot.keyClick(grid, Qt.Key.Key_Down)
    assert grid.currentIndex().row() == 1 + cols
    assert desktop.window.current_page() == "discover"  # moving opens nothing
    ref = grid.currentIndex().data(Roles.REF)
    qtbot.keyClick(grid, Qt.Key.Key_Return)
    assert desktop.window.current_page() == f"app:{ref}"


def test_second_click_of_a_double_click_does_not_act_on_the_app_page(desktop: DesktopApp,
                                                                     qtbot: QtBot) -> None:
    grid = _shown(desktop, 1215, qtbot)
    index = next(grid.model().index(r, 0) for r in range(grid.model().rowCount())
                 if grid.model().index(r, 0).data(Roles.REF) == "org.imapp.charity")
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=grid.visualRect(index).center())
    page = desktop.window.app_page
    assert desktop.window.current_page() == "app:org.imapp.charity"
    thumb = next(iter(page._thumbs.values()))
    qtbot.mouseClick(thumb, Qt.MouseButton.LeftButton)  # within the double-click interval
    assert page.findChildren(ScreenshotViewer) == []
    qtbot.waitUntil(page._settled, timeout=QApplication.doubleClickInterval() + 5000)
    qtbot.mouseClick(thumb, Qt.MouseButton.LeftButton)  # a click of its own
    viewers = page.findChildren(ScreenshotViewer)
    assert len(viewers) == 1
    viewers[0].close()


def test_featured_banner_opens_on_a_left_click_only(desktop: DesktopApp, qtbot: QtBot) -> None:
    _shown(desktop, 1215, qtbot)
    banner = desktop.window.discover.featured
    assert banner.isVisible()
    opened: list[str] = []
    banner.open_app.connect(opened.append)
    inside = QPoint(banner.width() // 2, banner.height() - 10)
    qtbot.mouseClick(banner, Qt.MouseButton.RightButton, pos=inside)
    qtbot.mouseRelease(banner, Qt.MouseButton.LeftButton, pos=inside)  # no press before it
    assert opened == []
    qtbot.mouseClick(banner, Qt.MouseButton.LeftButton, pos=inside)
    assert opened == [banner.items[banner.current].ref]
