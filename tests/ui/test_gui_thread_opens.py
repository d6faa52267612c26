"""No database is opened on the GUI thread: a first open waits on the disk (and on another
imapp's lock for up to 15 s). The ones made on first use (the library's, the activity journal)
are opened in a job right after the start; the others are only ever used in jobs. Python's
audit events say which thread connects to SQLite, without touching the code under test."""

import sys
import threading
from pathlib import Path

from pytestqt.qtbot import QtBot

from appstore.ui.installs import Phase
from tests.ui.conftest import make_desktop

_watching: list[list[tuple[str, bool]]] = []  # (file, on the main thread) while a test watches


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _watching and event == "sqlite3.connect":
        _watching[-1].append((Path(str(args[0])).name, threading.current_thread() is threading.main_thread()))


sys.addaudithook(_audit)  # (cannot be removed: it does nothing unless a test watches)


def test_the_gui_opens_no_database_on_its_thread(qtbot: QtBot, data: Path) -> None:
    seen: list[tuple[str, bool]] = []
    _watching.append(seen)
    try:
        d = make_desktop(qtbot, data)
        w = d.window
        w.show()
        qtbot.waitUntil(lambda: d.installs.loaded and not d.controller.jobs.busy(), timeout=20000)
        # before anything asks for them: opened by the start, on a worker
        assert {("library.sqlite3", False), ("activity.sqlite3", False)} <= set(seen)
        for page in ("library", "downloads", "wallet", "news", "games", "settings", "discover"):
            w.show_page(page)
            qtbot.waitUntil(lambda: not d.controller.jobs.busy(), timeout=20000)
        w.open_ref("org.imapp.notes")  # its page: the browse activity is recorded
        notes = w.app_page.listing.app  # type: ignore[union-attr]
        d.installs.install(notes)
        qtbot.waitUntil(lambda: d.installs.state(notes).phase in (Phase.INSTALLED, Phase.FAILED),
                        timeout=20000)
        assert d.installs.state(notes).phase is Phase.INSTALLED, d.installs.state(notes)
        d.installs.open(notes)  # the library's entry path, the open activity
        qtbot.waitUntil(lambda: not d.controller.jobs.busy(), timeout=20000)
    finally:
        _watching.remove(seen)
    w.close()
    host = d.installs._host
    if host is not None:
        host.close_all()
    assert [name for name, on_main in seen if on_main] == []
    assert {"ledger.sqlite3", "news.sqlite3"} & {name for name, _ in seen}  # (the pages read them)
