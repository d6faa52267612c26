"""Store changes and refreshes as jobs: nothing asked for is lost, and once the jobs settle the
catalogue shown matches stores.json."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from appstore.core.paths import Paths
from appstore.core.publish.builder import PublishResult, publish
from appstore.core.publish.keys import init_keys
from appstore.core.publish.server import serve_in_thread
from appstore.core.publish.source import load_source
from appstore.core.store.manager import Stores
from appstore.ui.app import DesktopApp
from tests.conftest import Published
from tests.storekit import make_source, serve_slowly, write_app
from tests.ui.conftest import make_desktop

DELAY = 0.3  # seconds the slow store takes to answer each request


@dataclass
class Served:
    url: str
    result: PublishResult


@pytest.fixture
def slow_store(published: Published) -> Iterator[Published]:
    server = serve_slowly(published.out, DELAY)
    published.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield published
    server.shutdown()
    server.server_close()


@pytest.fixture
def other_store(tmp_path: Path) -> Iterator[Served]:
    src = make_source(tmp_path / "other-src", ("org.other.gamma",), store_id="otherstore")
    out = tmp_path / "other-out"
    result = publish(load_source(src), out, init_keys(tmp_path / "other-keys"))
    server, url = serve_in_thread(out)
    yield Served(url, result)
    server.shutdown()
    server.server_close()


def settle(qtbot: QtBot, desktop: DesktopApp) -> None:
    qtbot.waitUntil(lambda: not desktop.controller.jobs.active("stores"), timeout=30000)


def store_ids_on_disk(data: Path) -> list[str]:
    return [s["id"] for s in json.loads((data / "stores.json").read_text())["stores"]]


def shown_stores(desktop: DesktopApp) -> set[str]:
    view = desktop.controller.view
    assert view is not None
    return {listing.app.store for listing in view.listings}


def test_a_store_added_during_a_refresh_shows_up(qtbot: QtBot, data: Path, slow_store: Published,
                                                 other_store: Served) -> None:
    Stores(Paths.resolve(data)).add([slow_store.url], slow_store.result.root_sha256)
    desktop = make_desktop(qtbot, data)
    settle(qtbot, desktop)
    slow_store.republish()  # something to fetch, slowly
    desktop.controller.refresh()
    assert desktop.controller.jobs.active("stores")  # the refresh is under way
    added: list[object] = []
    desktop.controller.add_store([other_store.url], other_store.result.root_sha256, added.append,
                                 lambda message, _: added.append(message))
    settle(qtbot, desktop)
    assert len(added) == 1 and getattr(added[0], "store_id", None) == "otherstore"
    assert store_ids_on_disk(data) == ["demo", "teststore", "otherstore"]
    assert shown_stores(desktop) == {"demo", "teststore", "otherstore"}
    assert desktop.controller.view.find("org.other.gamma")  # type: ignore[union-attr]
    desktop.window.close()


def test_a_store_removed_during_a_refresh_goes_away(qtbot: QtBot, data: Path,
                                                   slow_store: Published) -> None:
    Stores(Paths.resolve(data)).add([slow_store.url], slow_store.result.root_sha256)
    desktop = make_desktop(qtbot, data)
    settle(qtbot, desktop)
    slow_store.republish()
    desktop.controller.refresh()
    assert desktop.controller.jobs.active("stores")  # the refresh is under way
    desktop.window.settings_page.remove_store("demo", confirm=False)
    settle(qtbot, desktop)
    assert store_ids_on_disk(data) == ["teststore"]
    assert shown_stores(desktop) == {"teststore"}
    desktop.window.close()


def test_a_refresh_asked_for_during_another_is_not_lost(qtbot: QtBot, data: Path,
                                                       slow_store: Published) -> None:
    Stores(Paths.resolve(data)).add([slow_store.url], slow_store.result.root_sha256)
    desktop = make_desktop(qtbot, data)
    settle(qtbot, desktop)
    desktop.controller.refresh()  # starts, slowly
    assert desktop.controller.jobs.active("stores")
    # the publisher adds an app while that refresh runs; the user asks again
    write_app(slow_store.src, "org.test.delta")
    slow_store.republish()
    desktop.controller.refresh()
    desktop.controller.refresh()  # asked twice: merged into one more refresh
    settle(qtbot, desktop)
    assert desktop.controller.view.find("org.test.delta")  # type: ignore[union-attr]
    assert not desktop.controller.status.refreshing
    desktop.window.close()


def test_the_refresh_button_of_a_store_refreshes_only_that_store(qtbot: QtBot, data: Path,
                                                                 slow_store: Published) -> None:
    Stores(Paths.resolve(data)).add([slow_store.url], slow_store.result.root_sha256)
    desktop = make_desktop(qtbot, data)
    settle(qtbot, desktop)
    page = desktop.window.settings_page
    desktop.window.show_page("settings")

    def attempt(store: str) -> str:
        return json.loads((data / "stores" / store / "state.json").read_text())["last_attempt"]

    # state times have one-second resolution: put the last attempts long ago instead of waiting
    # a second, so a new attempt cannot carry the same time
    for store in ("demo", "teststore"):
        state_path = data / "stores" / store / "state.json"
        state_path.write_text(json.dumps(json.loads(state_path.read_text())
                                         | {"last_attempt": "2000-01-01T00:00:00+00:00"}))
    before = {s: attempt(s) for s in ("demo", "teststore")}
    buttons = [b for b in page.findChildren(QPushButton) if b.text() == "Refresh" and b.isVisible()]
    assert len(buttons) == 2  # one per store, in the order of stores.json: demo, teststore
    buttons[1].click()
    qtbot.waitUntil(lambda: desktop.controller.status.is_refreshing("teststore"), timeout=5000)
    assert not desktop.controller.status.is_refreshing("demo")
    settle(qtbot, desktop)
    assert attempt("teststore") != before["teststore"]
    assert attempt("demo") == before["demo"]
    desktop.window.close()


def test_a_replaced_catalogue_is_freed(qtbot: QtBot, data: Path, published: Published) -> None:
    """Nothing keeps an old catalogue alive once a refresh replaced it (at 100,000 apps that is a
    million objects per refresh), without waiting for the cyclic collector."""
    import weakref

    server, url = serve_in_thread(published.out)
    try:
        Stores(Paths.resolve(data)).add([url], published.result.root_sha256)
        desktop = make_desktop(qtbot, data)
        settle(qtbot, desktop)
        old = weakref.ref(desktop.controller.view)  # type: ignore[arg-type]
        for i in range(3):
            write_app(published.src, f"org.test.new{i}")  # a new catalogue each time
            published.republish()
            desktop.controller.refresh()
            settle(qtbot, desktop)
        qtbot.waitUntil(lambda: not desktop.controller.jobs.busy(), timeout=10000)  # all lanes
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # the finished jobs' deleteLater
        assert desktop.controller.view is not None and old() is None
        assert desktop.controller.view.find("org.test.new2")
        desktop.window.close()
    finally:
        server.shutdown()
        server.server_close()


def test_a_refresh_that_finds_nothing_new_changes_nothing(qtbot: QtBot, data: Path) -> None:
    """Every store answers "unchanged": the same catalogue view stays in use, no catalogue
    signal is emitted, the Discover model keeps its rows, and only the status moves on."""
    desktop = make_desktop(qtbot, data)
    settle(qtbot, desktop)
    controller = desktop.controller
    view = controller.view
    assert view is not None
    model = desktop.window.model
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    changes: list[object] = []
    controller.catalog_changed.connect(changes.append)
    statuses: list[object] = []
    controller.status_changed.connect(statuses.append)
    loads = controller.loads_done
    for _ in range(3):
        controller.refresh()
        settle(qtbot, desktop)
    assert controller.loads_done == loads + 3
    assert controller.view is view
    assert changes == [] and resets == []
    assert statuses and not controller.status.refreshing and not controller.status.failures
    desktop.window.close()
