"""Start-up: other jobs wait until the window has painted the first catalogue (lifecycle.FirstPaint),
then all run, in order; they never stay held (a window replaced before the catalogue, a data dir
that fails to open)."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from appstore.ui.app import DesktopApp, parse_args


class Paints(QObject):
    def __init__(self, seen: list[str]) -> None:
        super().__init__()
        self.seen = seen

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint and "catalogue" in self.seen:
            self.seen.append("paint")
        return False


def _desktop(qtbot: QtBot, data: Path, *, keep_window: bool = True) -> DesktopApp:
    args = parse_args(["--data-dir", str(data), "--lang", "en", "--theme", "light"])
    desktop = DesktopApp(QApplication.instance(), args)  # type: ignore[arg-type]
    if keep_window:  # (closed by qtbot at the end of the test)
        qtbot.addWidget(desktop.window)
    return desktop


def _note(seen: list[str], what: str, lock: threading.Lock) -> None:
    with lock:
        seen.append(what)


def test_jobs_wait_for_the_first_catalogue_to_be_painted(qtbot: QtBot, data: Path) -> None:
    desktop = _desktop(qtbot, data)
    seen: list[str] = []
    lock = threading.Lock()
    paints = Paints(seen)
    desktop.window.installEventFilter(paints)
    desktop.controller.catalog_changed.connect(lambda _: _note(seen, "catalogue", lock))
    desktop.start()
    jobs = [desktop.controller.jobs.submit(lambda ctx, n=n: _note(seen, f"job {n}", lock),
                                           lane="activity", title=f"job {n}") for n in range(3)]
    qtbot.waitUntil(lambda: all(not j.active for j in jobs), timeout=30000)
    ran = [s for s in seen if s.startswith("job")]
    assert ran == ["job 0", "job 1", "job 2"]  # in the order asked
    assert seen.index("catalogue") < seen.index("paint") < seen.index("job 0")
    qtbot.waitUntil(lambda: desktop.controller.loads_done >= 2, timeout=30000)  # the refresh ran too
    desktop.window.close()


def test_a_window_replaced_before_the_catalogue_holds_nothing_for_good(qtbot: QtBot, data: Path) -> None:
    desktop = _desktop(qtbot, data, keep_window=False)
    desktop.start()
    desktop.set_language("zh_CN")  # a new window; the old one is deleted
    desktop.set_language("en")
    qtbot.waitUntil(lambda: desktop.controller.loads_done >= 2, timeout=30000)
    desktop.window.close()


def test_a_data_dir_that_cannot_be_opened_holds_nothing(qtbot: QtBot, data: Path) -> None:
    (data / "stores.json").write_text("{ not json")
    desktop = _desktop(qtbot, data)
    desktop.start()
    job = desktop.controller.jobs.submit(lambda ctx: None, lane="io", title="held at the start")
    qtbot.waitUntil(lambda: not job.active, timeout=30000)
    assert desktop.controller.services is None and desktop.controller.loads_done == 1
    desktop.window.close()
