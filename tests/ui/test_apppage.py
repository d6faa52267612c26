"""The app page: contents, screenshots, share, activity, links."""

from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from appstore.core.activity import ActivityLog
from appstore.ui.app import DesktopApp
from appstore.ui.screenshots import ScreenshotViewer
from tests.ui.conftest import make_desktop, sentinel


def _texts(desktop: DesktopApp) -> str:
    page = desktop.window.app_page.widget()
    return "\n".join(label.text() for label in page.findChildren(QLabel))


def _events(data: Path) -> list[dict[str, object]]:
    """What the journal holds, read as another process would."""
    path = data / "activity.sqlite3"
    if not path.exists():
        return []
    log = ActivityLog(path)
    try:
        return [{"kind": e.kind.value, "app_id": e.app_id, "id": e.id, "seconds": e.seconds}
                for e in log.events()]
    finally:
        log.close()


def test_app_page_contents(desktop: DesktopApp, qtbot: QtBot, data: Path) -> None:
    desktop.window.open_ref("org.imapp.bcdunits")
    # the description is read from disk in a worker the first time
    qtbot.waitUntil(lambda: "Bitcoin Diamond has 7 decimal places" in _texts(desktop), timeout=5000)
    text = _texts(desktop)
    for expected in ("BCD Units", "imapp Labs", "1.1.0", "2026-10-20", "MIT", "Tools, Finance",
                     "Copy text to your clipboard",  # the permission in plain words
                     "New: BCD address checker",  # what's new in the latest release
                     "Bitcoin Diamond has 7 decimal places",  # the description
                     "imapp Demo Store (demo)", "Signed by the store and verified",
                     "Download size"):  # which of an app's sizes this is
        assert expected in text, expected
    assert "<script" not in text
    assert not _events(data)  # a browse is recorded when the page is left, with its duration
    desktop.window.show_page("discover")
    qtbot.waitUntil(lambda: any(e["kind"] == "browse" and e["app_id"] == "org.imapp.bcdunits"
                                and e["seconds"] == 0 for e in _events(data)), timeout=5000)


def test_screenshots_load_and_open_in_viewer(desktop: DesktopApp, qtbot: QtBot) -> None:
    desktop.window.open_ref("org.imapp.charity")
    page = desktop.window.app_page
    assert len(page._thumbs) == 2
    qtbot.waitUntil(lambda: all(t.pixmap() is not None and not t.pixmap().isNull()
                                for t in page._thumbs.values()), timeout=10000)
    viewer = ScreenshotViewer(page.images, page.listing.app, 0, page)  # type: ignore[union-attr]
    qtbot.addWidget(viewer)
    viewer.show()
    assert viewer.counter.text() == "1 / 2" and not viewer.prev.isEnabled()
    viewer.next.click()
    assert viewer.counter.text() == "2 / 2" and not viewer.next.isEnabled()
    qtbot.waitUntil(lambda: viewer.picture.pixmap() is not None and not viewer.picture.pixmap().isNull(),
                    timeout=10000)


def test_share_copies_link_and_counts_forward(desktop: DesktopApp, qtbot: QtBot, data: Path) -> None:
    desktop.window.open_ref("org.imapp.charity")
    desktop.window.app_page.share_button.click()
    text = QGuiApplication.clipboard().text()
    assert "imapp://app/demo/org.imapp.charity" in text and "Open Charity" in text
    assert desktop.window.app_page.share_note.text() == "Link copied"
    qtbot.waitUntil(lambda: any(e["kind"] == "forward" for e in _events(data)), timeout=5000)


def test_link_app_page(desktop: DesktopApp) -> None:
    desktop.window.open_ref("org.imapp.bcdmarket")
    text = _texts(desktop)
    assert "https://coinmarketcap.com/currencies/bitcoin-diamond/" in text
    assert "Web link" in text and "Connect to the internet" in text


def test_imapp_link_opens_the_page(qtbot: QtBot, data: Path) -> None:
    d = make_desktop(qtbot, data, link="imapp://app/demo/org.imapp.memory")
    qtbot.waitUntil(lambda: d.window.current_page() == "app:org.imapp.memory", timeout=5000)
    d.window.open_link("imapp://nonsense")
    assert d.window.banner.isVisible() and "not an imapp link" in d.window.banner.text.text()
    d.window.open_link("imapp://app/demo/org.nope")
    assert "no app 'demo/org.nope'" in d.window.banner.text.text()
    d.window.close()


def test_page_in_chinese(qtbot: QtBot, data: Path) -> None:
    d = make_desktop(qtbot, data, lang="zh_CN")
    d.window.open_ref("org.imapp.charity")
    text = _texts(d)
    assert "透明慈善" in text and "权限" in text and "查看您的钱包地址" in text
    d.window.close()


def test_refreshed_catalogue_redraws_without_counting_another_visit(desktop: DesktopApp, qtbot: QtBot,
                                                                    data: Path) -> None:
    desktop.window.open_ref("org.imapp.notes")
    loads = desktop.controller.loads_done
    desktop.controller.refresh()
    qtbot.waitUntil(lambda: desktop.controller.loads_done > loads, timeout=10000)
    assert desktop.window.current_page() == "app:org.imapp.notes"
    desktop.window.show_page("library")
    qtbot.waitUntil(lambda: len(_events(data)) == 1, timeout=5000)
    sentinel(qtbot, desktop.controller.jobs, "activity")  # a second visit would be written by now
    assert [e["kind"] for e in _events(data)] == ["browse"]
