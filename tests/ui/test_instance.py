"""A second start hands its imapp:// link to the running app instead of opening a second one."""

from pathlib import Path

from pytestqt.qtbot import QtBot

from appstore.ui.instance import forward
from tests.ui.conftest import make_desktop


def test_link_from_a_second_start_opens_in_the_running_app(qtbot: QtBot, data: Path) -> None:
    d = make_desktop(qtbot, data)
    assert d.instance is not None
    with qtbot.waitSignal(d.instance.link_received, timeout=5000):
        assert forward(data.resolve(), "imapp://app/demo/org.imapp.fairdice")
    assert d.window.current_page() == "app:org.imapp.fairdice"
    d.window.close()
    d.instance.server.close()


def test_nobody_listening(tmp_path: Path, qapp) -> None:  # type: ignore[no-untyped-def]
    assert forward(tmp_path / "no-such-data-dir", "imapp://app/demo/x") is False


def test_a_handler_that_asks_the_user_outlives_the_sending_socket(qtbot: QtBot, tmp_path: Path) -> None:
    """The running app asks before it opens a DApp from a link (a nested event loop); the second
    start disconnects meanwhile and its socket is deleted: the app carries on."""
    from PySide6.QtCore import QEventLoop, QTimer

    from appstore.ui.instance import InstanceServer

    server = InstanceServer(tmp_path)
    got: list[str] = []

    def ask(link: str) -> None:
        loop = QEventLoop()
        QTimer.singleShot(300, loop.quit)
        loop.exec()  # as a question to the user would
        got.append(link)

    server.link_received.connect(ask)
    assert forward(tmp_path, "imapp://open/demo/a\nimapp://open/demo/b")
    qtbot.waitUntil(lambda: len(got) == 2, timeout=5000)
    assert sorted(got) == ["imapp://open/demo/a", "imapp://open/demo/b"]
    server.close()
