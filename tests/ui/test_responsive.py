"""The GUI thread never blocks while a slow store refreshes."""

import time
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QTimer
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
