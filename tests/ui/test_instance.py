"""The single-instance channel: a socket in the user's own runtime folder (mode 0700), named after
the user and the data dir; a folder or socket that is not the user's alone is refused; a socket
left by a crash is replaced only after a connection to it failed; messages are versioned and
limited in size. (Two real processes on one data dir: tests/e2e/test_single_instance.py.)"""

from __future__ import annotations

import _socket
import json
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from appstore.ui.app import open_channel
from appstore.ui.instance import MAX_MESSAGE, ChannelError, DataDirLock, claim, forward, socket_path
from appstore.ui.instanceserver import InstanceServer
from tests.ui.conftest import make_desktop


def _in_thread(qtbot: QtBot, fn: Callable[[], object]) -> object:
    """``fn()`` from another thread while the event loop runs (as another process would: the
    running app answers from its event loop)."""
    out: list[object] = []
    t = threading.Thread(target=lambda: out.append(fn()))
    t.start()
    qtbot.waitUntil(lambda: not t.is_alive(), timeout=10000)
    return out[0]


def hand_over(qtbot: QtBot, data_dir: Path, link: str) -> object:
    return _in_thread(qtbot, lambda: forward(data_dir, link))


def _ask(path: Path, payload: bytes) -> dict[str, object]:
    """Send raw bytes to the channel as another program would; its answer."""
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    sock.settimeout(5)
    sock.connect(str(path))
    sock.sendall(payload)
    answer = b""
    while not answer.endswith(b"\n"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        answer += chunk
    sock.close()
    return json.loads(answer)  # type: ignore[no-any-return]


def test_link_from_a_second_start_opens_in_the_running_app(qtbot: QtBot, data: Path, runtime: Path) -> None:
    d = make_desktop(qtbot, data)
    d.listen(open_channel(data.resolve()))
    assert d.instance is not None
    with qtbot.waitSignal(d.instance.link_received, timeout=5000):
        assert hand_over(qtbot, data.resolve(), "imapp://app/demo/org.imapp.fairdice") is True
    assert d.window.current_page() == "app:org.imapp.fairdice"
    d.window.close()
    d.instance.close()


def test_the_socket_is_in_the_users_runtime_folder_with_mode_0700(qtbot: QtBot, tmp_path: Path,
                                                                   runtime: Path) -> None:
    server = InstanceServer(tmp_path)
    assert server.path == socket_path(tmp_path)
    assert server.path.parent == runtime / "imapp"
    folder = os.lstat(server.path.parent)
    assert stat.S_IMODE(folder.st_mode) == 0o700 and folder.st_uid == os.geteuid()
    assert stat.S_ISSOCK(os.lstat(server.path).st_mode)
    # the user and the data dir in its name: another data dir has another channel
    assert f"-{os.geteuid()}-" in server.path.name and socket_path(tmp_path / "other") != server.path
    server.close()
    assert not server.path.exists() if server.path else True


def test_nobody_listening(tmp_path: Path, runtime: Path, qapp) -> None:  # type: ignore[no-untyped-def]
    assert forward(tmp_path / "no-such-data-dir", "imapp://app/demo/x") is False


def test_a_folder_other_users_can_reach_is_refused(tmp_path: Path, runtime: Path, qapp) -> None:  # type: ignore[no-untyped-def]
    (runtime / "imapp").mkdir(mode=0o755)
    os.chmod(runtime / "imapp", 0o755)  # (whatever the umask)
    with pytest.raises(ChannelError, match="other users can reach it .mode 0755, not 0700.*chmod 700"):
        forward(tmp_path, "imapp://app/demo/x")
    with pytest.raises(ChannelError, match="other users can reach it"):
        InstanceServer(tmp_path)
    assert list((runtime / "imapp").iterdir()) == []  # nothing made in it


@pytest.mark.skipif(os.geteuid() != 0, reason="making a folder of another user needs root")
def test_a_folder_or_socket_of_another_user_is_not_trusted(tmp_path: Path, runtime: Path,
                                                           qapp) -> None:  # type: ignore[no-untyped-def]
    folder = runtime / "imapp"
    folder.mkdir(mode=0o700)
    os.chown(folder, 65534, 65534)  # another user claimed the name first
    with pytest.raises(ChannelError, match="belongs to user 65534, not to you"):
        forward(tmp_path, "imapp://app/demo/x")
    with pytest.raises(ChannelError, match="belongs to user 65534"):
        InstanceServer(tmp_path)
    # our folder, and a socket in it that is another user's: never handed a link, never replaced
    os.chown(folder, 0, 0)
    planted = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    path = socket_path(tmp_path)
    planted.bind(str(path))
    planted.listen(1)
    os.chown(path, 65534, 65534)
    try:
        with pytest.raises(ChannelError, match="will not hand its link .*belongs to user 65534"):
            forward(tmp_path, "imapp://app/demo/x")
        with pytest.raises(ChannelError, match="will not replace .*belongs to user 65534"):
            InstanceServer(tmp_path)
        assert path.exists()
    finally:
        planted.close()


def test_a_stale_socket_is_replaced_only_after_a_failed_connect(qtbot: QtBot, tmp_path: Path,
                                                                runtime: Path) -> None:
    path = socket_path(tmp_path)
    # a socket someone still listens on: left alone, and this window runs without a channel
    live = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    live.bind(str(path))
    live.listen(1)
    with pytest.raises(ChannelError, match="already listens"):
        InstanceServer(tmp_path)
    assert stat.S_ISSOCK(os.lstat(path).st_mode)
    live.close()  # now nobody listens on it: what a crash leaves
    assert forward(tmp_path, "imapp://app/demo/x") is False
    server = InstanceServer(tmp_path)
    with qtbot.waitSignal(server.link_received, timeout=5000) as got:
        assert hand_over(qtbot, tmp_path, "imapp://app/demo/x") is True
    assert got.args == ["imapp://app/demo/x"]
    server.close()


def test_messages_of_another_version_too_long_or_not_json_are_refused(qtbot: QtBot, tmp_path: Path,
                                                                     runtime: Path) -> None:
    server = InstanceServer(tmp_path)
    assert server.path is not None
    heard: list[str] = []
    server.link_received.connect(heard.append)
    refusals: list[str] = []
    server.refused.connect(refusals.append)

    def ask(payload: bytes) -> dict[str, object]:
        return _in_thread(qtbot, lambda: _ask(server.path, payload))  # type: ignore[arg-type, return-value]

    assert ask(b'{"v":1,"links":["imapp://app/demo/a"]}\n') == {"v": 1, "ok": True}
    qtbot.waitUntil(lambda: heard == ["imapp://app/demo/a"], timeout=5000)
    answer = ask(b'{"v":2,"links":["imapp://app/demo/b"]}\n')
    assert answer["ok"] is False and "version 2 is not understood" in str(answer["error"])
    answer = ask(b'{"v":1,"links":["' + b"x" * MAX_MESSAGE + b'"]}\n')
    assert answer["ok"] is False and f"longer than {MAX_MESSAGE} bytes" in str(answer["error"])
    answer = ask(b"imapp://app/demo/c\n")  # the old protocol's bare line
    assert answer["ok"] is False and "not JSON" in str(answer["error"])
    answer = ask(b'{"v":1,"links":[1]}\n')
    assert answer["ok"] is False and "list of at most" in str(answer["error"])
    assert len(refusals) == 4
    # a link is handed over a turn of the event loop after its answer, in order: once a good
    # message sent after the refused ones is heard, anything they had let through is heard too
    assert ask(b'{"v":1,"links":["imapp://app/demo/z"]}\n') == {"v": 1, "ok": True}
    qtbot.waitUntil(lambda: len(heard) > 1, timeout=5000)
    assert heard == ["imapp://app/demo/a", "imapp://app/demo/z"]  # nothing refused was acted on
    server.close()


def test_a_handler_that_asks_the_user_outlives_the_sending_socket(qtbot: QtBot, tmp_path: Path,
                                                                  runtime: Path) -> None:
    """The running app asks before it opens a DApp from a link (a nested event loop); the second
    start disconnects meanwhile and its connection is deleted: the app carries on."""
    from PySide6.QtCore import QEventLoop, QTimer

    server = InstanceServer(tmp_path)
    got: list[str] = []
    ended: list[threading.Event] = []  # one per second start: set once it has gone

    def ask(link: str) -> None:
        loop = QEventLoop()

        def answer() -> None:  # as a person would, after the second start has gone
            if all(e.is_set() for e in ended):
                loop.quit()
            else:
                QTimer.singleShot(10, answer)

        QTimer.singleShot(0, answer)
        loop.exec()  # as a question to the user would
        got.append(link)

    def second_start(link: str) -> object:
        gone = threading.Event()
        ended.append(gone)
        try:
            return forward(tmp_path, link)
        finally:
            gone.set()

    server.link_received.connect(ask)
    assert _in_thread(qtbot, lambda: second_start("imapp://open/demo/a")) is True
    assert _in_thread(qtbot, lambda: second_start("imapp://open/demo/b")) is True
    qtbot.waitUntil(lambda: len(got) == 2, timeout=5000)
    assert sorted(got) == ["imapp://open/demo/a", "imapp://open/demo/b"]
    server.close()


def test_the_data_dir_lock_is_held_once(tmp_path: Path, runtime: Path, qapp) -> None:  # type: ignore[no-untyped-def]
    lock = claim(tmp_path, "imapp://app/demo/x", wait=0)
    assert lock is not None and DataDirLock.holder(tmp_path) == os.getpid()
    assert DataDirLock.take(tmp_path) is None  # (an flock is per open file: even in one process)
    with pytest.raises(Exception, match=f"Another imapp .process {os.getpid()}. is using the data dir"):
        claim(tmp_path, "imapp://app/demo/x", wait=0.3)
    os.close(lock.fd)  # what the end of the process does
    again = DataDirLock.take(tmp_path)
    assert again is not None
    os.close(again.fd)


def test_a_server_let_go_of_is_freed_at_once_not_by_the_cycle_collector(qtbot: QtBot, tmp_path: Path,
                                                                       runtime: Path) -> None:
    """Its connections hold no Python reference to it: otherwise its wrapper lives on in a
    reference cycle, and the cyclic collector frees it (and the Qt objects under it, socket
    notifiers included) whenever it next runs, on whatever thread allocates then. A CI run
    crashed in the event loop right after this file's tests once."""
    import gc
    import weakref

    server = InstanceServer(tmp_path)
    heard: list[str] = []
    server.link_received.connect(heard.append)
    assert hand_over(qtbot, tmp_path, "imapp://app/demo/a") is True
    qtbot.waitUntil(lambda: heard == ["imapp://app/demo/a"], timeout=5000)
    server.close()
    ref = weakref.ref(server)
    was = gc.isenabled()
    gc.disable()
    try:
        del server
        assert ref() is None
    finally:
        if was:
            gc.enable()
