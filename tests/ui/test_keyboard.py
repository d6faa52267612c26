"""Keys the README promises: ←/→ in the screenshot viewer change the picture whichever of its
buttons has the focus (a focused button used to take them to move the focus), Esc closes it."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from appstore.ui.app import DesktopApp
from appstore.ui.screenshots import ScreenshotViewer


def test_arrow_keys_change_the_screenshot(desktop: DesktopApp, qtbot: QtBot) -> None:
    desktop.window.open_ref("org.imapp.charity")
    page = desktop.window.app_page
    viewer = ScreenshotViewer(page.images, page.listing.app, 0, page)  # type: ignore[union-attr]
    qtbot.addWidget(viewer)
    viewer.show()
    qtbot.waitUntil(viewer.isVisible)
    for focus in (viewer.next, viewer.prev, viewer):
        focus.setFocus()
        QApplication.processEvents()
        start = viewer.index
        qtbot.keyClick(QApplication.focusWidget() or viewer, Qt.Key.Key_Right)
        assert viewer.index == min(start + 1, 1) and viewer.counter.text() == f"{viewer.index + 1} / 2"
        qtbot.keyClick(QApplication.focusWidget() or viewer, Qt.Key.Key_Left)
        assert viewer.index == 0 and viewer.counter.text() == "1 / 2"
    qtbot.keyClick(QApplication.focusWidget() or viewer, Qt.Key.Key_Escape)
    assert not viewer.isVisible()
