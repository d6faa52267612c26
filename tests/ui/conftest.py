"""GUI fixtures: a data dir with the demo store published (made once, copied per test) and the
desktop app on it, offscreen."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from appstore.core.jobs import enter_lane
from appstore.core.services import Services
from appstore.ui.app import DesktopApp, parse_args
from appstore.ui.jobs import JobManager


@pytest.fixture(autouse=True)
def gui_lane() -> Iterator[None]:
    """The test's thread is the GUI thread, named as the app names it (``open_app``): writer-only
    code that a page runs on it fails the test (``assert_lane``). A test that sets up state the
    way a script would steps off it with ``tests.lanekit.off_lane()``."""
    enter_lane("gui")
    yield
    enter_lane(None)


_MADE: list[DesktopApp] = []  # this test's apps (``make_desktop``): shut down when it ends


@pytest.fixture(autouse=True)
def apps_shut_down(qapp: object) -> Iterator[None]:
    """Each app a test made is shut down as a quit does (``Controller.shutdown``: queued work
    cancelled, running work asked to stop) once the test and its fixtures are done: a job of
    one test (a question for the passphrase, a claim round) must never run into the next one."""
    import shiboken6

    yield
    while _MADE:
        desktop = _MADE.pop()
        if shiboken6.isValid(desktop.window):
            desktop.window.close()
        desktop.controller.shutdown()


@pytest.fixture(autouse=True)
def modals_answered(qapp: object) -> Iterator[None]:
    """A modal dialog that stays open unanswered for MODAL_LIMIT_S is closed and fails the test,
    named, instead of hanging the run: a dialog's own event loop holds the test where pytest's
    timeout cannot reach it."""
    import time

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QDialog

    seen: dict[int, float] = {}
    stuck: list[str] = []

    def look() -> None:
        widget = QApplication.activeModalWidget()
        if widget is None:
            seen.clear()
            return
        first = seen.setdefault(id(widget), time.monotonic())
        if time.monotonic() - first > MODAL_LIMIT_S:
            stuck.append(f"{type(widget).__name__} {widget.windowTitle()!r}")
            seen.pop(id(widget))
            if isinstance(widget, QDialog):
                widget.reject()
            else:
                widget.close()

    timer = QTimer()
    timer.timeout.connect(look)
    timer.start(1000)
    yield
    timer.stop()
    assert not stuck, f"a modal dialog stayed open, unanswered, for {MODAL_LIMIT_S} s: {stuck}"


MODAL_LIMIT_S = 60


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "data"
    Services.open(str(path))
    return path


@pytest.fixture
def data(demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "data"
    shutil.copytree(demo_template, path)
    # the copy moved: point the demo store at its new place
    cfg = path / "stores.json"
    cfg.write_text(cfg.read_text().replace(str(demo_template), str(path)))
    return path


def make_desktop(qtbot: QtBot, data: Path, lang: str = "en", link: str | None = None) -> DesktopApp:
    from PySide6.QtWidgets import QApplication

    args = parse_args(["--data-dir", str(data), "--lang", lang, "--theme", "light",
                       *([link] if link else [])])
    app = QApplication.instance()
    desktop = DesktopApp(app, args)  # type: ignore[arg-type]
    _MADE.append(desktop)
    qtbot.addWidget(desktop.window)
    desktop.start()
    qtbot.waitUntil(lambda: desktop.controller.loads_done >= 2, timeout=30000)
    return desktop


@pytest.fixture
def desktop(qtbot: QtBot, data: Path) -> Iterator[DesktopApp]:
    d = make_desktop(qtbot, data)
    yield d
    d.window.close()
    host = d.installs._host
    if host is not None:
        host.close_all()  # its pages before its profiles, while the app still runs


def sentinel(qtbot: QtBot, jobs: JobManager, lane: str, timeout: int = 10000) -> None:
    """Run a job that does nothing through the writer ``lane`` and wait until it is done: a
    writer lane runs its jobs one at a time, in order, and hands their results over in order, so
    whatever was asked of the lane before has finished too. A test that then checks that
    *nothing* happened knows it looked late enough (instead of guessing with a fixed wait)."""
    from appstore.ui.jobs import WRITER_LANES

    assert lane in WRITER_LANES, f"{lane!r} runs several jobs at once: no order to rely on"
    done: list[bool] = []
    jobs.submit(lambda ctx: None, lane=lane, title="test sentinel", on_done=lambda _: done.append(True))
    qtbot.waitUntil(lambda: bool(done), timeout=timeout)


def idle(qtbot: QtBot, jobs: JobManager, timeout: int = 10000) -> None:
    """Wait until what was set going has run its course: the events already posted to the GUI
    thread are delivered (a zero timer fires after them), then no job is queued or running in
    any lane (a job leaves the list and runs its ``on_done`` in one call on the GUI thread, so
    jobs its ``on_done`` submits are seen). The sentinel for "nothing happened" when the thing
    that must not happen has no lane of its own. (Window-system events, such as a window's
    close on some platforms, are not posted events: wait for their own signal first.)"""
    events_delivered(qtbot, timeout)
    qtbot.waitUntil(lambda: not jobs.busy(), timeout=timeout)


def events_delivered(qtbot: QtBot, timeout: int = 10000) -> None:
    """Wait until the events already posted to the GUI thread are delivered (a zero timer fires
    after them): the sentinel for queued signals."""
    from PySide6.QtCore import QTimer

    fired: list[bool] = []
    QTimer.singleShot(0, lambda: fired.append(True))
    qtbot.waitUntil(lambda: bool(fired), timeout=timeout)
