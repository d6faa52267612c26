"""Icons and screenshots load in their own lane: a grid scrolled fast past many cards cancels
the loads of the cards it left before they start, and a look-up in ``io`` (a swap quote, an
app to open) never waits behind a lane full of image loads."""

import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from appstore.core.paths import Paths
from appstore.core.publish.builder import publish
from appstore.core.publish.keys import init_keys
from appstore.core.publish.source import load_source
from appstore.core.store.manager import Stores
from appstore.ui.images import image_key
from appstore.ui.jobs import READER_LANES
from appstore.ui.models import ICON_SIZE, Roles
from tests.storekit import make_source
from tests.ui.conftest import make_desktop

APPS = 150


@pytest.fixture
def many(tmp_path: Path, data_dir: Path) -> Path:
    """A data dir whose one store (over file://) has ``APPS`` apps, each with its own icon."""
    ids = tuple(f"org.many.app{i:03d}" for i in range(APPS))
    src = make_source(tmp_path / "many-src", ids, store_id="many")
    out = tmp_path / "many-out"
    result = publish(load_source(src), out, init_keys(tmp_path / "many-keys"))
    Stores(Paths.resolve(data_dir)).add([out.as_uri()], result.root_sha256)
    return data_dir


def test_a_fast_scroll_cancels_the_loads_of_cards_it_left(qtbot: QtBot, many: Path) -> None:
    d = make_desktop(qtbot, many)
    jobs, images, w = d.controller.jobs, d.window.images, d.window
    grid = w.discover.grid
    services = d.controller.services
    assert services is not None
    targets = services.stores.client("many").targets_dir
    model = w.model
    assert model.rowCount() == APPS
    apps = [model.index(r, 0).data(Roles.APP) for r in range(APPS)]

    def fetched() -> set[str]:  # the sentinel: a load that ran left its verified file
        return {a.id for a in apps if (targets / a.icon).is_file()}

    qtbot.waitUntil(lambda: not images.busy(), timeout=10000)  # the start may load a first screen
    before = fetched()
    # Every thread of the images lane busy until the test lets go: the loads asked for below
    # queue behind these, so none of them can run before the scroll is over.
    release = threading.Event()
    started = threading.Semaphore(0)

    def blocker(ctx: object) -> None:
        started.release()
        release.wait(60)

    lanes = READER_LANES["images"]
    for _ in range(lanes):
        jobs.submit(blocker, lane="images", title="test blocker")
    for _ in range(lanes):
        assert started.acquire(timeout=10)
    try:
        w.resize(900, 620)
        w.show()
        qtbot.waitExposed(w)
        bar = grid.verticalScrollBar()
        qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=5000)
        asked: set[str] = set()
        step = max(1, grid.viewport().height() // 2)
        for value in [*range(0, bar.maximum(), step), bar.maximum()]:  # a fast scroll down
            bar.setValue(value)
            grid.viewport().repaint()  # each position painted: its cards ask for their icons
            asked |= images.loading()
        on_screen = {a.id for a in (apps[r] for r in grid.visible_rows())}
        visible_keys = {image_key(a.store, a.icon, ICON_SIZE) for a in apps if a.id in on_screen}
        assert len(asked) > 3 * len(on_screen)  # the scroll passed many cards
        qtbot.waitUntil(lambda: images.loading() <= visible_keys, timeout=5000)
        assert images.loading() == visible_keys

        # A quote (an ``io`` job) is answered while the images lane is full.
        quoted: list[str] = []
        jobs.submit(lambda ctx: "quote", lane="io", title="swap quote", on_done=quoted.append)
        qtbot.waitUntil(lambda: quoted == ["quote"], timeout=5000)
        assert fetched() == before  # (the image lane is still held)
    finally:
        release.set()
    qtbot.waitUntil(lambda: not jobs.active("images"), timeout=20000)
    # the cards scrolled past never loaded; those on screen did
    assert fetched() - before == on_screen - before != set()
    assert len(before) < APPS // 3  # (most of the cards passed had never loaded)
    assert not images.busy()
    w.close()
