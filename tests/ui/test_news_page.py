"""The News page with qtbot on the demo store: the list model (qtmodeltester), each story once in
the GUI's language, the reader with pictures from the cache, the unread badge, mark all read,
search (and what it leaves out leaves the reader), Share (clipboard and the forward activity),
links behind a confirmation, narrow windows, and the injection vectors never shown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QGuiApplication, QTextDocument
from pytestqt.qtbot import QtBot

from appstore.core.activity import Activity
from appstore.core.news import News
from appstore.core.paths import Paths
from appstore.ui import newspage
from appstore.ui.app import DesktopApp
from appstore.ui.mainwindow import PAGES
from appstore.ui.newsmodel import ItemRole, NewsListModel
from appstore.ui.newspage import NewsPage
from tests.newskit import FeedServer, injection_feeds, unsafe_html, unsafe_text
from tests.ui.conftest import make_desktop, sentinel


@pytest.fixture
def news_desktop(qtbot: QtBot, data: Path) -> Iterator[DesktopApp]:
    d = make_desktop(qtbot, data)
    qtbot.waitUntil(lambda: d.window.news.unread >= 10 and not d.window.news.is_refreshing,
                    timeout=30000)
    yield d
    d.window.close()


def page_of(desktop: DesktopApp, qtbot: QtBot) -> NewsPage:
    desktop.window.show_page("news")
    page = desktop.window.news_page
    qtbot.waitUntil(lambda: page.model.rowCount() >= 10 and page.reader.opened is not None,
                    timeout=15000)
    # the first item is marked read as it shows: its new unread count arrives through the news
    # lane, and a test that reads the count must read it after that
    sentinel(qtbot, desktop.controller.jobs, "news")
    return page


def test_model_passes_qtmodeltester(qtmodeltester, news_desktop: DesktopApp, qtbot: QtBot) -> None:  # type: ignore[no-untyped-def]
    page = page_of(news_desktop, qtbot)
    qtmodeltester.check(page.model)
    empty = NewsListModel()
    qtmodeltester.check(empty)


def test_page_lists_newest_first_with_the_first_item_open(news_desktop: DesktopApp, qtbot: QtBot) -> None:
    page = page_of(news_desktop, qtbot)
    rows = page.model.items
    assert [r.published for r in rows] == sorted((r.published for r in rows), reverse=True)
    opened = page.reader.opened
    assert opened is not None and opened.item.row.id == rows[0].id
    assert rows[0].title in page.reader.toPlainText()
    assert rows[0].read  # shown on entering the page: read
    w = news_desktop.window
    qtbot.waitUntil(lambda: w.nav.item(PAGES.index("news")).text() == f"News  ({len(rows) - 1})",
                    timeout=5000)


def test_each_story_once_in_the_guis_language(news_desktop: DesktopApp, qtbot: QtBot) -> None:
    """The demo store tells each story in English and Chinese: the English page lists the
    English one, once, and counts it once."""
    page = page_of(news_desktop, qtbot)
    rows = page.model.items
    news = news_desktop.controller.services.news  # type: ignore[union-attr]
    assert len(rows) == len(news.items()) // 2 == 12
    assert all(r.lang == "en" and r.title.isascii() for r in rows)
    assert news_desktop.window.news.unread == len(rows) - 1  # (the first is read: it is shown)


def test_reading_marks_read_and_updates_the_badge(news_desktop: DesktopApp, qtbot: QtBot) -> None:
    page = page_of(news_desktop, qtbot)
    w = news_desktop.window
    before = w.news.unread
    page.view.setCurrentIndex(page.model.index(2))
    qtbot.waitUntil(lambda: w.news.unread == before - 1, timeout=5000)
    assert page.model.items[2].read
    assert w.nav.item(PAGES.index("news")).text() == f"News  ({before - 1})"
    page.unread_button.click()
    qtbot.waitUntil(lambda: w.news.unread == before, timeout=5000)
    page.mark_all.click()
    qtbot.waitUntil(lambda: w.news.unread == 0, timeout=5000)
    assert w.nav.item(PAGES.index("news")).text() == "News"
    assert all(r.read for r in page.model.items)
    page.unread_only.setChecked(True)
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=5000)
    assert page.empty.isVisible() or not page.isVisible()


def test_pictures_come_from_the_cache_scaled_to_the_pane(news_desktop: DesktopApp, qtbot: QtBot) -> None:
    page = page_of(news_desktop, qtbot)
    row = next(i for i, r in enumerate(page.model.items) if r.image)
    page.view.setCurrentIndex(page.model.index(row))
    qtbot.waitUntil(lambda: page.reader.opened is not None
                    and page.reader.opened.item.row.id == page.model.items[row].id, timeout=5000)
    opened = page.reader.opened
    assert opened is not None and opened.images
    key = next(iter(opened.images))
    doc = page.reader.document()
    image = doc.resource(QTextDocument.ResourceType.ImageResource, QUrl(f"news-image:{key}"))
    assert image is not None
    html = doc.toHtml()
    width = int(html.split('width="', 1)[1].split('"', 1)[0])
    assert 0 < width <= page.reader.viewport().width()
    # the reader never loads anything itself: no file, no network
    assert page.reader.loadResource(2, QUrl("file:///etc/passwd")) is None
    assert page.reader.loadResource(2, QUrl("https://example.org/x.png")) is None


def test_search_as_you_type(news_desktop: DesktopApp, qtbot: QtBot) -> None:
    page = page_of(news_desktop, qtbot)
    qtbot.keyClicks(page.search, "charity")
    qtbot.waitUntil(lambda: 0 < page.model.rowCount() < 5, timeout=5000)
    page.search.setText("no such words anywhere")
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=5000)
    assert "no such words" in page.empty.text()


def test_an_item_left_out_by_a_search_or_the_filter_leaves_the_reader(news_desktop: DesktopApp,
                                                                      qtbot: QtBot) -> None:
    page = page_of(news_desktop, qtbot)
    page.view.setCurrentIndex(page.model.index(3))
    shown = page.model.items[3]
    qtbot.waitUntil(lambda: page.reader.opened is not None and page.reader.opened.item.row.id == shown.id,
                    timeout=5000)
    page.search.setText("charity")
    qtbot.waitUntil(lambda: 0 < page.model.rowCount() < 5, timeout=5000)
    assert shown.id not in [r.id for r in page.model.items]
    assert page.reader.opened is None and page.reader.toPlainText().strip() == ""
    assert not page.share_button.isEnabled() and not page.unread_button.isEnabled()
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() >= 10, timeout=5000)
    page.view.setCurrentIndex(page.model.index(2))  # read now; the Unread filter leaves it out
    qtbot.waitUntil(lambda: page.reader.opened is not None
                    and page.reader.opened.item.row.id == page.model.items[2].id, timeout=5000)
    page.unread_only.setChecked(True)
    qtbot.waitUntil(lambda: all(not r.read for r in page.model.items) and page.reader.opened is None,
                    timeout=5000)


def test_a_narrow_window_keeps_the_list_readable(news_desktop: DesktopApp, qtbot: QtBot) -> None:
    """At 900×600 the list has no sideways scroll bar and its rows are as wide as the list."""
    w = news_desktop.window
    w.resize(900, 600)
    page = page_of(news_desktop, qtbot)
    qtbot.waitUntil(lambda: page.view.viewport().width() > 0, timeout=5000)
    assert not page.view.horizontalScrollBar().isVisible()
    assert page.view.visualRect(page.model.index(0)).width() <= page.view.viewport().width()
    assert page.view.width() >= newspage.LIST_MIN_WIDTH - 20
    assert page.search.width() >= 200  # room to type in
    for b in (page.mark_all, page.refresh_button, page.feeds_button, page.unread_only):
        assert b.width() >= b.sizeHint().width()  # every header button whole
    from PySide6.QtGui import QFontMetrics

    from appstore.ui import newsdelegate, texts

    row = page.model.items[0]
    meta = newsdelegate._meta(row, QFontMetrics(page.view.font()), 170)  # a narrow row's "FEED · AGE"
    assert meta.endswith(" · " + texts.age(row.published)) and "…" in meta  # the feed's name gives way


def test_share_copies_and_records_forward(news_desktop: DesktopApp, qtbot: QtBot, data: Path) -> None:
    page = page_of(news_desktop, qtbot)
    recorded = []
    news_desktop.controller.activity.connect(recorded.append)
    row = page.model.items[0]
    page.share_button.click()
    qtbot.waitUntil(lambda: bool(recorded), timeout=5000)
    assert recorded[0].kind is Activity.FORWARD and recorded[0].store == "demo"
    text = QGuiApplication.clipboard().text()
    assert row.title in text and row.link in text


def test_links_ask_first_and_open_outside(news_desktop: DesktopApp, qtbot: QtBot,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    page = page_of(news_desktop, qtbot)
    opened: list[str] = []
    asked: list[str] = []
    monkeypatch.setattr(newspage, "open_external", lambda url: opened.append(url) or True)
    page.confirm = lambda url: asked.append(url) or False  # the user says no
    page._link_clicked("https://imapp.example.org/news")
    assert asked == ["https://imapp.example.org/news"] and opened == []
    page.confirm = lambda url: asked.append(url) or True
    page._link_clicked("https://imapp.example.org/news")
    assert opened == ["https://imapp.example.org/news"]
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "data:text/html,x"):
        page._link_clicked(bad)
    assert opened == ["https://imapp.example.org/news"]
    # an imapp:// link from the store's feed opens the app's page inside imapp
    page._link_clicked("imapp://app/demo/org.imapp.jointloan")
    qtbot.waitUntil(lambda: news_desktop.window.current_page().startswith("app:"), timeout=5000)


def test_injected_feeds_show_nothing_unsafe(news_desktop: DesktopApp, qtbot: QtBot, data: Path) -> None:
    page = page_of(news_desktop, qtbot)
    news = News(Paths(data), None, None)
    with FeedServer(injection_feeds()) as srv:
        for path in ("/title.xml", "/content.xml", "/image.xml"):
            news.add_feed(srv.url(path))
        news.refresh(images=False)
    news.close()
    page.news.load()
    qtbot.waitUntil(lambda: page.model.rowCount() > 200, timeout=10000)
    problems = []
    for i in range(0, page.model.rowCount(), 7):
        row = page.model.index(i).data(ItemRole)
        problems += unsafe_text(page.model.index(i).data(Qt.ItemDataRole.DisplayRole))
        page.view.setCurrentIndex(page.model.index(i))
        qtbot.waitUntil(lambda row=row: page.reader.opened is not None
                        and page.reader.opened.item.row.id == row.id, timeout=5000)
        problems += unsafe_html(page.reader.opened.item.content)  # type: ignore[union-attr]
        shown = page.reader.toHtml().lower()
        assert "<script" not in shown and "javascript:" not in shown
        assert "onerror" not in shown.replace("onerror＝", "")
    assert problems == []
    page.grab()  # paints every visible row through the delegate


def test_feeds_dialog_shows_each_error(news_desktop: DesktopApp, qtbot: QtBot) -> None:
    from appstore.ui.newsfeeds import FeedsDialog

    page = page_of(news_desktop, qtbot)
    dialog = FeedsDialog(page.news, page)
    qtbot.addWidget(dialog)
    with FeedServer({"/ok.xml": b'<rss version="2.0"><channel><title>Ok feed</title><item>'
                     b"<title>Hello</title><guid>1</guid></item></channel></rss>"}) as srv:
        dialog.url.setText(srv.url("/ok.xml"))
        dialog._add()
        qtbot.waitUntil(lambda: dialog.list.count() == 2 and not page.news.is_refreshing, timeout=10000)
        dialog.url.setText(srv.url("/missing.xml"))
        dialog._add()
        qtbot.waitUntil(lambda: any("404" in dialog.list.item(i).text()
                                    for i in range(dialog.list.count())), timeout=10000)
    texts = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert any(t.startswith("Ok feed") for t in texts)
    dialog.url.setText("javascript:alert(1)")
    dialog._add()
    qtbot.waitUntil(lambda: "not a feed address" in dialog.error.text(), timeout=5000)
    dialog.list.setCurrentRow(0)  # the store's own feed cannot be removed here
    assert not dialog.remove_button.isEnabled()
    dialog.list.setCurrentRow(dialog.list.count() - 1)
    assert dialog.remove_button.isEnabled()
    dialog._remove()
    qtbot.waitUntil(lambda: dialog.list.count() == 2, timeout=5000)
    dialog.close()


def test_chinese_page(qtbot: QtBot, data: Path) -> None:
    d = make_desktop(qtbot, data, lang="zh_CN")
    try:
        qtbot.waitUntil(lambda: d.window.news.unread >= 10, timeout=30000)
        d.window.show_page("news")
        page = d.window.news_page
        qtbot.waitUntil(lambda: page.reader.opened is not None, timeout=15000)
        assert page.search.placeholderText() == "搜索新闻"
        assert d.window.nav.item(PAGES.index("news")).text().startswith("新闻")
        rows = page.model.items
        assert len(rows) == 12 and all(r.lang == "zh-cn" for r in rows)  # each story, in Chinese
        # the store's feed is named after the store, in Chinese (its title is English only)
        assert {r.feed for r in rows} == {"imapp 演示商店新闻"}
        assert page.reader.opened.item.row.feed == "imapp 演示商店新闻"
        page.search.setText("清")  # typed one character at a time (QTest types ASCII only)
        page.search.setText("清算")
        qtbot.waitUntil(lambda: 0 < page.model.rowCount() < 5, timeout=5000)
        assert all("清算" in r.title or "清算" in r.summary for r in page.model.items)
    finally:
        d.window.close()
