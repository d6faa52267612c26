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
