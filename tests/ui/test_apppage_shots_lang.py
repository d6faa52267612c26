"""The app page shows the screenshots of the UI's language (``screenshots_l10n``), else the
default list: the demo store's Open Charity has both an English and a Chinese set."""

from pathlib import Path

from pytestqt.qtbot import QtBot

from appstore.core.catalog.models import App
from appstore.ui.app import DesktopApp
from appstore.ui.screenshots import ScreenshotViewer
from tests.ui.conftest import make_desktop

CHARITY = "org.imapp.charity"


def _shown(d: DesktopApp, qtbot: QtBot) -> tuple[App, list[str]]:
    d.window.open_ref(CHARITY)
    page = d.window.app_page
    assert page.listing is not None
    qtbot.waitUntil(lambda: all(t.pixmap() is not None and not t.pixmap().isNull()
                                for t in page._thumbs.values()), timeout=10000)
    return page.listing.app, list(page._thumbs)


def _viewer_shots(d: DesktopApp, qtbot: QtBot, app: App) -> tuple[str, ...]:
    page = d.window.app_page
    viewer = ScreenshotViewer(page.images, app, 0, page)  # its default: the UI's language
    qtbot.addWidget(viewer)
    viewer.show()
    qtbot.waitUntil(lambda: viewer.picture.pixmap() is not None and not viewer.picture.pixmap().isNull(),
                    timeout=10000)
    assert viewer.counter.text() == f"1 / {len(viewer.shots)}"
    return viewer.shots


def test_chinese_ui_shows_the_chinese_set(qtbot: QtBot, data: Path) -> None:
    d = make_desktop(qtbot, data, lang="zh_CN")
    try:
        app, shown = _shown(d, qtbot)
        chinese = list(app.screenshots_l10n["zh_CN"])
        assert chinese and not set(chinese) & set(app.screenshots)  # a set of its own
        assert shown == chinese
        assert list(_viewer_shots(d, qtbot, app)) == chinese
    finally:
        d.window.close()


def test_english_ui_shows_the_default_list(desktop: DesktopApp, qtbot: QtBot) -> None:
    app, shown = _shown(desktop, qtbot)
    assert "en" not in app.screenshots_l10n and app.screenshots_l10n.get("zh_CN")
    assert shown == list(app.screenshots) and len(shown) >= 2
    assert _viewer_shots(desktop, qtbot, app) == app.screenshots
