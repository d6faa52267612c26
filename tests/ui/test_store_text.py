"""A store's strings are data, never markup: a real store whose every string holds HTML and
look-alike text, served and added, then Discover, the featured banner and the app page walked
label by label."""

import dataclasses
import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6 import QtGui
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QDesktopServices, QHelpEvent, QTextDocument
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QToolTip, QWidget
from pytestqt.qtbot import QtBot

from appstore.core.catalog.models import url_problem
from appstore.core.errors import AppStoreError
from appstore.core.paths import Paths
from appstore.core.publish.builder import publish
from appstore.core.publish.keys import init_keys
from appstore.core.publish.server import serve_in_thread
from appstore.core.publish.source import load_source
from appstore.core.store.manager import Listing, Stores
from appstore.ui import widgets
from appstore.ui.app import DesktopApp
from appstore.ui.models import Roles
from tests.storekit import write_app
from tests.ui.conftest import make_desktop

NAME = "<h1>Verified by imapp</h1>"
DEVELOPER = "<b>imapp Official</b>"
SUMMARY = '<img src=x> <a href="javascript:alert(1)">Claim your reward</a> &lt;b&gt;free&lt;/b&gt;'
CHANGELOG = '<a href="javascript:alert(1)">Update now</a> <img src=x> &lt;h1&gt;Safe&lt;/h1&gt;'
LICENSE = "<b>MIT</b> <img src=x> &amp;"
CATEGORY = "R&D <img src=x> &lt;i&gt;"
STORE_NAME = "<h1>Verified by imapp</h1> <img src=x> &lt;"
DESCRIPTION = ('<p>Intro <h1>Verified by imapp</h1><img src=x> <a href="javascript:alert(1)">js</a> '
               '<a href="/relative">rel</a> <a href="//evil.example/x">proto</a> '
               '<a href="https://example.org/docs">docs</a></p>')
# What a catalogue would like to write, and the parser refuses (quotes, angle brackets, spaces) ...
WEBSITE_WANTED = 'https://example.org/"><h1>Verified by imapp</h1>'
# ... and the most hostile website it lets through: entities that would read as a heading if the
# link text were not escaped.
WEBSITE = "https://example.org/&lt;h1&gt;Verified&#32;by&#32;imapp&lt;/h1&gt;?a=1&b=2#x"
LINK_URL = "https://example.org/&lt;b&gt;open&lt;/b&gt;"
# what no label may hold unescaped in rich text (the description keeps its own safe tags)
MARKUP = ("<h1", "<img", "javascript:", "<b>imapp", "<b>MIT", "<i>")


def _write_store(src: Path) -> None:
    src.mkdir(parents=True)
    (src / "store.json").write_text(json.dumps({
        "id": "hostile",
        "name": {"en": STORE_NAME, "zh_CN": STORE_NAME},
        "categories": {"tools": {"en": CATEGORY, "zh_CN": CATEGORY}},
    }, ensure_ascii=False), "utf-8")
    text = {"name": {"en": NAME, "zh_CN": NAME}, "summary": {"en": SUMMARY, "zh_CN": SUMMARY},
            "description": {"en": DESCRIPTION}, "developer": DEVELOPER, "license": LICENSE,
            "featured": True}
    write_app(src, "org.hostile.app", website=WEBSITE, permissions=["storage", "network"],
              releases=[{"version": "1.0.0", "date": "2026-01-02",
                         "changelog": {"en": CHANGELOG, "zh_CN": CHANGELOG}}], **text)
    write_app(src, "org.hostile.link", kind="link", url=LINK_URL, website="", permissions=[],
              releases=[], **{**text, "featured": False})


@pytest.fixture
def hostile(tmp_path: Path, data_dir: Path) -> Iterator[Path]:
    """``data_dir`` with the hostile store added (published, served on 127.0.0.1)."""
    src = tmp_path / "src"
    _write_store(src)
    keys = init_keys(tmp_path / "keys")
    result = publish(load_source(src), tmp_path / "out", keys)
    server, url = serve_in_thread(tmp_path / "out")
    try:
        assert Stores(Paths.resolve(data_dir)).add([url], result.root_sha256).ok
        yield data_dir
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def desktop(qtbot: QtBot, hostile: Path) -> Iterator[DesktopApp]:
    d = make_desktop(qtbot, hostile)
    d.window.resize(1240, 840)
    d.window.show()
    yield d
    d.window.close()


# -- what a label shows ----------------------------------------------------------------------------
def _rich(label: QLabel) -> bool:
    fmt = label.textFormat()
    return fmt == Qt.TextFormat.RichText or (
        fmt == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(label.text()))  # type: ignore[attr-defined]


def _document(text: str) -> QTextDocument:
    doc = QTextDocument()
    doc.setHtml(text)
    return doc


def _seen(label: QLabel) -> str:
    """The text the user reads."""
    return _document(label.text()).toPlainText() if _rich(label) else label.text()


def _hrefs(label: QLabel) -> list[str]:
    """Every link target in a rich label, as Qt understood the HTML."""
    found = []
    doc = _document(label.text())  # kept: its blocks die with it
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isAnchor():
                found.extend(h for h in [fmt.anchorHref(), *fmt.anchorNames()] if h)
            it += 1
        block = block.next()
    return found


def _check_labels(root: QWidget) -> list[str]:
    """Assert that no label under ``root`` renders a store's markup or links anywhere but http(s);
    return what the labels show."""
    seen = []
    for label in root.findChildren(QLabel):
        if _rich(label):
            raw = label.text()
            for marker in MARKUP:
                assert marker not in raw, f"{marker!r} rendered as markup in {raw!r}"
            for href in _hrefs(label):
                assert re.match(r"https?://[^/]", href), f"a link to {href!r} in {raw!r}"
            for href in re.findall(r"href\s*=\s*[\"']?([^\"' >]*)", raw):
                assert html.unescape(href).startswith(("http://", "https://")), href
        seen.append(_seen(label))
    return seen


def _has(seen: list[str], value: str) -> bool:
    return any(value in s for s in seen)


# -- the tests -------------------------------------------------------------------------------------
def test_the_parser_refuses_a_website_that_breaks_out_of_an_attribute(tmp_path: Path) -> None:
    assert url_problem(WEBSITE_WANTED) is not None
    assert url_problem(WEBSITE) is None  # what the tests below use instead
    src = tmp_path / "src"
    _write_store(src)
    write_app(src, "org.hostile.app", website=WEBSITE_WANTED)
    with pytest.raises(AppStoreError, match="website"):
        publish(load_source(src), tmp_path / "out", init_keys(tmp_path / "keys"))


def test_app_page_shows_store_text_as_text(desktop: DesktopApp, qtbot: QtBot) -> None:
    w = desktop.window
    w.open_ref("org.hostile.app")
    assert w.current_page() == "app:org.hostile.app"
    page = w.app_page
    qtbot.waitUntil(lambda: bool(page._description.text()), timeout=5000)  # read in a worker
    seen = _check_labels(w.app_page.widget())
    for value in (NAME, DEVELOPER, SUMMARY, CHANGELOG, LICENSE, CATEGORY, WEBSITE,
                  f"{STORE_NAME} (hostile)"):
        assert _has(seen, value), value
    assert _has(seen, "Intro") and not _has(seen, "<h1>Verified by imapp</h1><img")  # the description

    # the website is a link (escaped), and only http(s) links open
    website = next(lbl for lbl in w.app_page.widget().findChildren(QLabel) if _rich(lbl)
                   and WEBSITE in _seen(lbl) and "docs" not in _seen(lbl))
    assert _hrefs(website) == [WEBSITE]


def test_link_app_page(desktop: DesktopApp) -> None:
    desktop.window.open_ref("org.hostile.link")
    seen = _check_labels(desktop.window.app_page.widget())
    assert _has(seen, LINK_URL) and _has(seen, NAME)


def test_discover_and_featured_show_store_text_as_text(desktop: DesktopApp, qtbot: QtBot) -> None:
    page = desktop.window.discover
    seen = _check_labels(page)
    assert page.featured.isVisible()
    assert page.featured.name.text() == NAME and page.featured.summary.text() == SUMMARY
    assert _has(seen, NAME) and _has(seen, SUMMARY)
    # category chips are buttons: plain text, with "&" doubled so that it is not a shortcut key
    chips = [b for b in page.findChildren(QPushButton) if b.property("category") == "tools"]
    assert [b.text() for b in chips] == [CATEGORY.replace("&", "&&")]
    # cards are painted with drawText (plain); their tooltip, which Qt would render, is escaped
    grid = page.grid
    index = grid.model().index(0, 0)
    assert index.data(Qt.ItemDataRole.DisplayRole) == NAME
    pos = grid.visualRect(index).center()
    QApplication.sendEvent(grid.viewport(), QHelpEvent(QEvent.Type.ToolTip, pos,
                                                       grid.viewport().mapToGlobal(pos)))
    tip = QToolTip.text()
    assert "<img" not in tip and _document(tip).toPlainText() == index.data(Roles.SUMMARY) == SUMMARY
    QToolTip.hideText()


def test_only_web_links_open(desktop: DesktopApp, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()) or True)
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "/relative", "//evil.example/x", "#top",
                "data:text/html,x", "https://exa mple.org", 'https://example.org/"x', "https:///path",
                "https://example.org/\\x", "https://example.org/\u202ex", "ftp://example.org"):
        assert widgets.safe_link(bad) is None, bad
        assert widgets.link_html(bad) is None, bad
        assert not widgets.open_link(bad)
    assert opened == []
    assert widgets.open_link("https://example.org/a?b=1&c=2")
    assert opened == ["https://example.org/a?b=1&c=2"]
    assert widgets.link_html("https://example.org/?a=1&b=2") == (
        '<a href="https://example.org/?a=1&amp;b=2">https://example.org/?a=1&amp;b=2</a>')

    # the app page's links (description, website) go through the same check
    w = desktop.window
    w.open_ref("org.hostile.app")
    labels = [lbl for lbl in w.app_page.widget().findChildren(QLabel) if _rich(lbl)]
    assert labels
    qtbot.waitUntil(w.app_page._settled, timeout=QApplication.doubleClickInterval() + 5000)
    opened.clear()
    for label in labels:
        for url in ("javascript:alert(1)", "/relative", "//evil.example/x"):
            label.linkActivated.emit(url)
    assert opened == []
    labels[0].linkActivated.emit("https://example.org/docs")
    assert opened == ["https://example.org/docs"]


def test_unknown_permissions_are_shown_as_not_granted(desktop: DesktopApp) -> None:
    w = desktop.window
    view = desktop.controller.view
    assert view is not None
    listing = view.find("org.hostile.app")
    app = listing.app
    odd = dataclasses.replace(app, unknown_permissions=("camera.raw",))
    w.app_page.show_app(Listing(listing.ref, odd), view)
    seen = _check_labels(w.app_page.widget())
    assert _has(seen, "Asks for “camera.raw”, which this version of imapp does not know: not granted")
    assert _has(seen, "Keep its own data on this computer") and _has(seen, "Connect to the internet")


def test_error_banner_is_plain(desktop: DesktopApp) -> None:
    banner = desktop.window.banner
    banner.show_message(f"'{NAME}' is not a valid id")
    assert banner.text.textFormat() == Qt.TextFormat.PlainText and NAME in banner.text.text()


def test_permissions_in_chinese(qtbot: QtBot, hostile: Path) -> None:
    d = make_desktop(qtbot, hostile, lang="zh_CN")
    d.window.open_ref("org.hostile.app")
    seen = _check_labels(d.window.app_page.widget())
    assert _has(seen, "在这台电脑上保存它自己的数据") and _has(seen, "连接互联网")
    assert _has(seen, NAME)
    d.window.close()

