"""Installing from the GUI: the app page's button and the cards' buttons, update, uninstall,
pause / resume / cancel on a slow store, the Downloads and Library pages, and a GUI thread
that never waits on a download."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QElapsedTimer, QPoint, Qt, QTimer
from pytestqt.qtbot import QtBot

from appstore.core.activity import ActivityLog
from appstore.core.paths import Paths
from appstore.core.publish.builder import publish
from appstore.core.publish.keys import init_keys
from appstore.core.publish.source import load_source
from appstore.core.store.manager import Stores
from appstore.ui.app import DesktopApp
from appstore.ui.installs import Phase
from appstore.ui.models import Roles
from tests.hostile_http import HostileServer
from tests.storekit import make_source
from tests.ui.conftest import idle, make_desktop

BIG = 3 * 1024 * 1024  # bytes of incompressible data in the slow store's package


def phase(desktop: DesktopApp, ref: str) -> Phase:
    view = desktop.controller.view
    assert view is not None
    return desktop.installs.state(view.find(ref).app).phase


def opens(data: Path) -> list[tuple[str, str]]:
    log = ActivityLog(data / "activity.sqlite3")
    try:
        return [(e.kind.value, e.app_id) for e in log.events() if e.kind.value == "open"]
    finally:
        log.close()


def kinds(data: Path) -> list[tuple[str, str]]:
    log = ActivityLog(data / "activity.sqlite3")
    try:
        return [(e.kind.value, e.app_id) for e in log.events() if e.kind.value in ("download", "update")]
    finally:
        log.close()


@pytest.fixture
def slow_store(tmp_path: Path) -> Iterator[HostileServer]:
    """A store whose one app's package is 3 MB, served at about 1 MB/s."""
    src = make_source(tmp_path / "slow-src", ("org.slow.big",), store_id="slowstore")
    (src / "apps" / "org.slow.big" / "releases" / "1.0.0" / "data.bin").write_bytes(os.urandom(BIG))
    out = tmp_path / "slow-out"
    result = publish(load_source(src), out, init_keys(tmp_path / "slow-keys"))
    with HostileServer(root=out) as srv:
        srv.root_sha256 = result.root_sha256  # type: ignore[attr-defined]
        yield srv


def test_install_update_and_uninstall_from_the_app_page(desktop: DesktopApp, qtbot: QtBot,
                                                        data: Path) -> None:
    w = desktop.window
    w.open_ref("org.imapp.notes")
    notes = w.app_page.listing.app  # type: ignore[union-attr]
    desktop.installs.install(notes, "1.0.0")  # an older version, to update from
    qtbot.waitUntil(lambda: phase(desktop, "org.imapp.notes") is Phase.UPDATE, timeout=20000)
    actions = w.app_page.app_actions
    assert actions.primary.text() == "Update" and "1.1.0 available" in actions.note.text()
    assert w.nav.item(1).text() == "Library  (1)"
    actions.primary.click()
    qtbot.waitUntil(lambda: phase(desktop, "org.imapp.notes") is Phase.INSTALLED, timeout=20000)
    assert actions.primary.text() == "Open" and "1.1.0 installed" in actions.note.text()
    assert actions.note.text().endswith(" on disk")  # the unpacked size, said as such
    assert "\u00a0KB on disk" in actions.note.text()  # a line never ends between number and unit
    assert kinds(data) == [("download", "org.imapp.notes"), ("update", "org.imapp.notes")]
    assert (data / "library" / "apps" / "demo" / "org.imapp.notes").is_dir()

    actions.primary.click()  # Open: the DApp, in the host, from its install folder
    host = desktop.installs.host()
    assert host is not None
    with qtbot.waitSignal(host.loaded, timeout=20000):
        window = host.window_for("demo/org.imapp.notes")
    assert window is not None and window.isVisible()
    qtbot.waitUntil(lambda: ("open", "org.imapp.notes") in opens(data), timeout=5000)

    desktop.installs.uninstall("demo", "org.imapp.notes", keep_data=False)
    qtbot.waitUntil(lambda: phase(desktop, "org.imapp.notes") is Phase.AVAILABLE, timeout=10000)
    assert actions.primary.text() == "Install" and actions.note.text().endswith(" to download")
    assert not (data / "library" / "apps" / "demo" / "org.imapp.notes").exists()


def test_the_button_on_a_card_installs_without_opening_the_app(desktop: DesktopApp, qtbot: QtBot) -> None:
    w = desktop.window
    grid = w.discover.grid
    w.resize(1240, 840)
    refs = [w.model.index(r, 0).data(Roles.REF) for r in range(w.model.rowCount())]
    row = refs.index("org.imapp.fairdice")
    index = w.model.index(row, 0)
    assert index.data(Roles.ACTION) == "Install"
    grid.scrollTo(index)
    pill = grid.cards.action_rect(grid.visualRect(index), "Install")
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=pill.center())
    qtbot.waitUntil(lambda: phase(desktop, "org.imapp.fairdice") is Phase.INSTALLED, timeout=20000)
    assert w.current_page() == "discover"  # the button acts; it does not open the page
    assert w.model.index(row, 0).data(Roles.ACTION) == "Open"
    # a click elsewhere on the card (its icon) still opens the app
    card = grid.visualRect(index)
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=card.topLeft() + QPoint(40, 50))
    assert w.current_page() == "app:org.imapp.fairdice"


def test_pause_resume_and_cancel_a_slow_download(qtbot: QtBot, data: Path,
                                                 slow_store: HostileServer) -> None:
    slow_store.set(None, throttle=1_000_000)
    Stores(Paths.resolve(data)).add([slow_store.base], slow_store.root_sha256)  # type: ignore[attr-defined]
    desktop = make_desktop(qtbot, data)
    w = desktop.window
    app = desktop.controller.view.find("org.slow.big").app  # type: ignore[union-attr]

    gaps: list[int] = []
    clock = QElapsedTimer()
    clock.start()
    tick = QTimer()
    tick.setInterval(5)
    tick.timeout.connect(lambda: gaps.append(clock.restart()))
    tick.start()

    w.show_page("downloads")
    desktop.installs.install(app)
    qtbot.waitUntil(lambda: phase(desktop, "org.slow.big") is Phase.DOWNLOADING, timeout=10000)
    page = w.downloads_page
    qtbot.waitUntil(lambda: len(page.rows) == 1, timeout=5000)
    row = next(iter(page.rows.values()))
    qtbot.waitUntil(lambda: row.bar.value() > 0, timeout=10000)
    assert row.action.text() == "Pause" and " of " in row.words.text()

    row.action.click()  # pause
    qtbot.waitUntil(lambda: phase(desktop, "org.slow.big") is Phase.PAUSED, timeout=10000)
    paused_at = row.item.progress.done
    assert 0 < paused_at < row.item.request.length
    idle(qtbot, desktop.controller.jobs)  # the queue's last reports reached the GUI
    assert desktop.installs.state(app).item.progress.done == paused_at  # type: ignore[union-attr]
    assert row.action.text() == "Resume" and "Paused" in row.words.text()

    row.action.click()  # resume: it carries on from where it was
    qtbot.waitUntil(lambda: phase(desktop, "org.slow.big") is Phase.DOWNLOADING, timeout=10000)
    qtbot.waitUntil(lambda: any(h.range for h in slow_store.requests()), timeout=10000)  # asked
    resumed = [h.range for h in slow_store.requests() if h.range]
    assert resumed[-1] == f"bytes={paused_at}-"  # from where it paused

    row.cancel.click()  # cancel: gone, nothing installed, nothing left on disk
    qtbot.waitUntil(lambda: phase(desktop, "org.slow.big") is Phase.AVAILABLE, timeout=10000)
    qtbot.waitUntil(lambda: not list((data / "downloads").glob("*.part")), timeout=10000)
    assert page.empty.isVisible(), (page.rows, desktop.installs.items)

    slow_store.set(None, throttle=4_000_000)
    desktop.installs.install(app)  # and once more, to the end
    qtbot.waitUntil(lambda: phase(desktop, "org.slow.big") is Phase.INSTALLED, timeout=30000)
    tick.stop()
    assert max(gaps) < 50, f"the GUI thread was blocked for {max(gaps)} ms during a download"
    assert ("download", "org.slow.big") in kinds(data)
    qtbot.waitUntil(lambda: page.done_list.count() == 1, timeout=5000)
    w.close()


def test_a_paused_download_is_still_there_after_a_restart(qtbot: QtBot, data: Path,
                                                          slow_store: HostileServer) -> None:
    slow_store.set(None, throttle=800_000)
    Stores(Paths.resolve(data)).add([slow_store.base], slow_store.root_sha256)  # type: ignore[attr-defined]
    first = make_desktop(qtbot, data)
    app = first.controller.view.find("org.slow.big").app  # type: ignore[union-attr]
    first.installs.install(app)
    qtbot.waitUntil(lambda: (s := first.installs.state(app)).phase is Phase.DOWNLOADING
                    and s.fraction > 0.1, timeout=20000)
    item = first.installs.state(app).item
    assert item is not None
    first.installs.pause(item.key)
    qtbot.waitUntil(lambda: phase(first, "org.slow.big") is Phase.PAUSED, timeout=10000)
    had = first.installs.state(app).item.progress.done  # type: ignore[union-attr]
    first.window.close()
    first.controller.shutdown()

    again = make_desktop(qtbot, data)
    qtbot.waitUntil(lambda: phase(again, "org.slow.big") is Phase.PAUSED, timeout=10000)
    assert again.installs.state(app).item.progress.done >= had  # type: ignore[union-attr]
    slow_store.reset()
    served_before = slow_store.bytes_served()
    again.installs.resume(item.key)
    qtbot.waitUntil(lambda: phase(again, "org.slow.big") is Phase.INSTALLED, timeout=30000)
    assert slow_store.bytes_served() - served_before < item.request.length  # resumed, not restarted
    again.window.close()


def test_uninstalling_during_an_update_download_stays_uninstalled(qtbot: QtBot, data: Path,
                                                                  slow_store: HostileServer) -> None:
    slow_store.set(None, throttle=1_000_000)
    Stores(Paths.resolve(data)).add([slow_store.base], slow_store.root_sha256)  # type: ignore[attr-defined]
    desktop = make_desktop(qtbot, data)
    app = desktop.controller.view.find("org.slow.big").app  # type: ignore[union-attr]
    desktop.installs.install(app)
    qtbot.waitUntil(lambda: phase(desktop, "org.slow.big") is Phase.DOWNLOADING, timeout=10000)
    key = desktop.installs.state(app).item.key  # type: ignore[union-attr]
    desktop.installs.uninstall("slowstore", "org.slow.big", keep_data=False)  # changed their mind
    slow_store.set(None)  # the rest would now come fast
    qtbot.waitUntil(lambda: phase(desktop, "org.slow.big") is Phase.AVAILABLE, timeout=10000)
    # the download has stopped one way or the other (cancelled, or finished had the cancel been
    # lost), and everything its end set going in the GUI (an install) has run
    queue = desktop.controller.services.installs.queue  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: (item := queue.get(key)) is None or not item.state.active, timeout=30000)
    idle(qtbot, desktop.controller.jobs)
    assert phase(desktop, "org.slow.big") is Phase.AVAILABLE  # nothing installed it behind them
    assert not (data / "library" / "apps" / "slowstore").exists()
    desktop.window.close()


def test_an_app_whose_store_was_removed_still_opens_from_the_library(desktop: DesktopApp,
                                                                     qtbot: QtBot, data: Path) -> None:
    from appstore.ui.librarypage import LibraryRow

    w = desktop.window
    notes = desktop.controller.view.find("org.imapp.notes").app  # type: ignore[union-attr]
    desktop.installs.install(notes)
    qtbot.waitUntil(lambda: phase(desktop, "org.imapp.notes") is Phase.INSTALLED, timeout=20000)
    w.settings_page.remove_store("demo", confirm=False)
    qtbot.waitUntil(lambda: desktop.installs.installed.get("demo/org.imapp.notes") is not None
                    and desktop.installs.installed["demo/org.imapp.notes"].store_gone, timeout=20000)
    w.show_page("library")
    row = next(r for r in w.library_page.findChildren(LibraryRow) if r.installed.app_id == "org.imapp.notes")
    assert "no more updates" in row.facts.text()
    row.open_button.click()
    host = desktop.installs.host()
    assert host is not None and host.window_for("demo/org.imapp.notes") is not None
    qtbot.waitUntil(lambda: ("open", "org.imapp.notes") in opens(data), timeout=5000)
