"""DApps in their host processes, for real: which process a DApp runs in, a host process that
dies (imapp and the other DApps go on), and the wallet's seam across the pipe (a page's request
answered by imapp, a question asked in the host process and answered there)."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from appstore.core.host.wire import NETWORK, SEALED
from appstore.core.jobs import JobContext
from appstore.core.library import InstalledApp
from appstore.ui.app import DesktopApp
from appstore.ui.host.channel import ProcessLink
from appstore.ui.host.hosts import DAppHost
from tests.core.test_library import make_app, release_for, zip_bytes
from tests.ui import test_host
from tests.ui.test_host import Env, Server, link_app

TIMEOUT = 60_000
env = test_host.env  # (the fixture: a data dir, a library, test DApps)


class Recorder:
    """Starts ``host``'s processes for real and keeps every message both ways."""

    def __init__(self, host: DAppHost) -> None:
        self.host = host
        self.got: list[tuple[str, dict[str, Any]]] = []
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.links: dict[str, list[ProcessLink]] = {SEALED: [], NETWORK: []}
        host.launch = self.launch

    def launch(self, kind: str) -> ProcessLink:
        argv, environ = self.host.command(kind)
        link = ProcessLink(argv, f"recorded {kind}", env=environ, parent=self.host)
        link.received.connect(lambda message: self.got.append((kind, message)))
        send = link.send
        link.send = lambda message: (self.sent.append((kind, message)), send(message))[1]  # type: ignore[method-assign]
        self.links[kind].append(link)
        return link

    def events(self, name: str, kind: str | None = None) -> list[dict[str, Any]]:
        return [m for k, m in self.got if m.get("ev") == name and kind in (None, k)]

    def pids(self, kind: str) -> list[int]:
        return [m["pid"] for m in self.events("ready", kind)]

    def stop(self) -> None:
        links = [link for links in self.links.values() for link in links]
        self.host.close_all()
        for link in links:
            link.process.wait(30)


@pytest.fixture
def recorder(env: Env) -> Iterator[Recorder]:
    rec = Recorder(DAppHost(env.paths))
    yield rec
    rec.stop()


def opened(qtbot: QtBot, host: DAppHost, installed: InstalledApp, env: Env) -> None:
    with qtbot.waitSignal(host.loaded, timeout=TIMEOUT, check_params_cb=lambda key: key == installed.id):
        host.open_installed(installed, env.library.entry_path(installed), installed.app_id, None,
                            installed.id)


def test_each_dapp_runs_in_the_host_process_its_permissions_ask_for(env: Env, qtbot: QtBot,
                                                                    recorder: Recorder,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAPP_WALLET_PASSPHRASE", "a passphrase the DApps must not see")
    host = recorder.host
    sealed = env.install("org.test.sealed", ("storage",))
    online = env.install("org.test.online", ("storage", "network"))
    opened(qtbot, host, sealed, env)
    opened(qtbot, host, online, env)
    server = Server()
    try:
        with qtbot.waitSignal(host.loaded, timeout=TIMEOUT):
            host.open_link(link_app(server.url + "/"), "Local Site", None, "x")
    finally:
        server.close()
    assert [k for k, m in recorder.sent if m.get("op") == "open"] == [SEALED, NETWORK, NETWORK]
    (sealed_pid,), (network_pid,) = recorder.pids(SEALED), recorder.pids(NETWORK)
    assert len({sealed_pid, network_pid, os.getpid()}) == 3
    for pid in (sealed_pid, network_pid):  # the wallet's passphrase stays in imapp's process
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert not any(v.startswith(b"IMAPP_WALLET_PASSPHRASE=") for v in environ)
    window = host.window_for(sealed.id)
    assert window is not None and window.isVisible()
    with qtbot.waitSignal(host.closed, timeout=TIMEOUT, check_params_cb=lambda key: key == sealed.id):
        window.close()
    assert host.window_for(sealed.id) is None and not window.isVisible()
    opened(qtbot, host, sealed, env)  # again: the same process, its profile warm
    assert recorder.pids(SEALED) == [sealed_pid]


def test_a_dapp_whose_update_asks_for_the_network_moves_to_the_other_process(
        env: Env, qtbot: QtBot, recorder: Recorder) -> None:
    host = recorder.host
    v1 = env.install("org.test.grows", ("storage",))
    opened(qtbot, host, v1, env)
    v2 = env.install("org.test.grows", ("storage", "network"), version="1.1.0", accept=("network",))
    with qtbot.waitSignal(host.closed, timeout=TIMEOUT):  # its window closes with its old rules
        host.updated(v2, env.library.entry_path(v2))
    opened(qtbot, host, v2, env)
    assert [(k, m["op"]) for k, m in recorder.sent if m.get("op") in ("open", "updated")] == [
        (SEALED, "open"), (SEALED, "updated"), (NETWORK, "open")]


def test_a_host_process_that_dies_takes_only_its_own_windows(env: Env, qtbot: QtBot,
                                                             recorder: Recorder) -> None:
    host = recorder.host
    sealed = env.install("org.test.sealed", ("storage",))
    online = env.install("org.test.online", ("storage", "network"))
    opened(qtbot, host, sealed, env)
    opened(qtbot, host, online, env)
    problems: list[str] = []
    host.failed.connect(problems.append)
    with qtbot.waitSignal(host.closed, timeout=TIMEOUT, check_params_cb=lambda key: key == sealed.id):
        os.kill(recorder.pids(SEALED)[0], signal.SIGKILL)  # as a crash would
    assert problems == ["DApps stopped unexpectedly: org.test.sealed. Open them again to go on."]
    assert host.window_for(sealed.id) is None
    assert host.window_for(online.id) is not None  # the other process goes on
    opened(qtbot, host, sealed, env)  # opening it again starts a new process
    assert len(recorder.pids(SEALED)) == 2


ASKING = """<!doctype html><meta charset=utf-8><title>asks</title><script>
imapp.request({method: "imapp_accounts"}).then(first => imapp.request({method: "imapp_requestAccounts"})
  .then(v => ({ok: v}), e => ({code: e.code})).then(second =>
    imapp.request({method: "probe_report", params: {first: first, second: second}})));
</script>"""


@pytest.fixture
def desktop(qtbot: QtBot, data: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DesktopApp]:
    from tests.ui.conftest import make_desktop

    monkeypatch.setenv("IMAPP_WALLET_PASSPHRASE", "a passphrase for the tests")
    d = make_desktop(qtbot, data)
    yield d
    d.window.close()
    host = d.installs.host()
    if host is not None:
        host.close_all()


def test_the_wallet_and_its_questions_cross_the_process(desktop: DesktopApp, qtbot: QtBot,
                                                        tmp_path: Path) -> None:
    """A page of a host process asks imapp's wallet: its first request is answered by imapp;
    the second is a question, asked in the host process (where the DApp's window is) and, when
    that window closes unanswered, a refusal."""
    services = desktop.controller.services
    assert services is not None
    host = desktop.installs.host()
    assert host is not None
    recorder = Recorder(host)
    manifest = {"id": "org.test.asks", "version": "1.0.0", "entry": "index.html",
                "permissions": ["wallet.address"]}
    package = tmp_path / "asks.zip"
    package.write_bytes(zip_bytes({"dapp.json": json.dumps(manifest).encode(),
                                   "index.html": ASKING.encode()}))
    release = release_for(package, "1.0.0")
    app = make_app([release], "org.test.asks", store="teststore", perms=("wallet.address",))
    installed = services.installs.library.install(package, app, release, store="teststore", ctx=JobContext())
    entry = services.installs.library.entry_path(installed)
    host.open_installed(installed, entry, "Asks", None, installed.id)
    qtbot.waitUntil(lambda: bool([m for k, m in recorder.sent if m.get("op") == "ask"]), timeout=TIMEOUT)
    (ask,) = [m for k, m in recorder.sent if m.get("op") == "ask"]
    assert ask["fields"]["kind"] == "connect" and ask["fields"]["store"] == "teststore"
    answers = [json.loads(m["body"]) for k, m in recorder.sent if m.get("op") == "answer"]
    assert answers == [{"result": []}]  # imapp_accounts: not connected, no question
    window = host.window_for(installed.id)
    assert window is not None
    window.close()  # the question closes with its window: a refusal, never a hang
    qtbot.waitUntil(lambda: bool(recorder.events("asked")), timeout=TIMEOUT)
    assert recorder.events("asked")[0]["yes"] is False
    # nothing is left waiting: opened again, the page's question is asked again
    host.open_installed(installed, entry, "Asks", None, installed.id)
    qtbot.waitUntil(lambda: len([m for k, m in recorder.sent if m.get("op") == "ask"]) == 2, timeout=TIMEOUT)
    recorder.stop()


def test_an_open_link_asks_before_the_dapp_opens(desktop: DesktopApp, qtbot: QtBot) -> None:
    """``open ID`` (an imapp://open link from outside imapp's window) asks first; refused,
    nothing opens."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    view = desktop.controller.view
    assert view is not None
    notes = view.find("org.imapp.notes").app
    qtbot.waitUntil(lambda: desktop.installs.loaded, timeout=TIMEOUT)
    desktop.installs.install(notes)
    qtbot.waitUntil(lambda: "demo/org.imapp.notes" in desktop.installs.installed, timeout=TIMEOUT)
    host = desktop.installs.host()
    assert host is not None
    recorder = Recorder(host)
    asked: list[str] = []

    def answer(button: QMessageBox.StandardButton) -> None:
        def look() -> None:
            boxes = [w for w in QApplication.topLevelWidgets()
                     if isinstance(w, QMessageBox) and w.isVisible()]
            if not boxes:
                QTimer.singleShot(20, look)
                return
            asked.append(boxes[0].text())
            boxes[0].button(button).click()

        QTimer.singleShot(20, look)

    answer(QMessageBox.StandardButton.Cancel)
    desktop.window.open_link("imapp://open/demo/org.imapp.notes")
    assert asked == ["A link asks imapp to open “Quick Notes”. Open it?"]
    assert not [m for _, m in recorder.sent if m.get("op") == "open"]
    answer(QMessageBox.StandardButton.Open)
    with qtbot.waitSignal(host.loaded, timeout=TIMEOUT):
        desktop.window.open_link("imapp://open/demo/org.imapp.notes")
    assert len(asked) == 2 and host.window_for("demo/org.imapp.notes") is not None
    # the accepted open is the sentinel: an open the refusal had let through would have gone
    # to the host before it, on the same channel
    assert len([m for _, m in recorder.sent if m.get("op") == "open"]) == 1
    recorder.stop()


class Hanging:
    """A server on 127.0.0.1 that accepts connections and never answers."""

    def __init__(self) -> None:
        import socket
        import threading

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


def test_a_picture_of_a_page_that_keeps_loading_is_taken_anyway(env: Env, qtbot: QtBot, recorder: Recorder,
                                                                 tmp_path: Path) -> None:
    """``--screenshot --page dapp:ID`` waits a few seconds at most: a page whose image never
    arrives is still loading, and its picture is taken as it is."""
    from PySide6.QtGui import QImage

    hanging = Hanging()
    try:
        page = (f"<!doctype html><title>slow</title><body style='background: #00ff00'>"
                f"<img src='http://127.0.0.1:{hanging.port}/never.png'>")
        app = env.install("org.test.slow", ("network",), files={"index.html": page})
        host = recorder.host
        loaded: list[str] = []
        host.loaded.connect(loaded.append)
        host.open_installed(app, env.library.entry_path(app), "Slow", None, app.id)
        done: list[str] = []
        out = tmp_path / "slow.png"
        host.screenshot(app.id, out, (800, 600), 2000, done.append)
        qtbot.waitUntil(lambda: bool(done), timeout=TIMEOUT)
        assert done == [""] and loaded == []  # taken while the page was still loading
        image = QImage(str(out))
        assert (image.width(), image.height()) == (800, 600)
        assert image.pixelColor(400, 300).name() == "#00ff00"
    finally:
        hanging.close()


def test_a_sealed_host_gets_no_proxy_or_resolver_switch_of_the_environment() -> None:
    from appstore.ui.host.engine import SEALED_FLAGS, WEBRTC_POLICY, host_flags

    env = ('--no-sandbox --disable-gpu --no-proxy-server --proxy-server=http://10.0.0.1:3128 '
           '--host-resolver-rules="MAP * 10.0.0.2" --log-level=3 --force-webrtc-ip-handling-policy=default')
    sealed = host_flags(env, sealed=True)
    kept = ["--no-sandbox", "--disable-gpu", "--log-level=3"]
    assert sealed == " ".join([*kept, *SEALED_FLAGS, WEBRTC_POLICY])
    network = host_flags(env, sealed=False)  # (a network host keeps what the environment says)
    assert network.startswith("--no-sandbox --disable-gpu --no-proxy-server --proxy-server=http://10.0.0.1:3128"
                              ' --host-resolver-rules="MAP * 10.0.0.2" --log-level=3')
    assert network.endswith(WEBRTC_POLICY) and network.count("webrtc") == 1


STAYS_OPEN = """
import json, os, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
from appstore.core.library import Library
from appstore.core.paths import Paths
from appstore.ui.host.hosts import DAppHost
app = QApplication([])
library = Library.open(Paths.resolve(sys.argv[1]))
installed = library.installed()[0]
store_window = QWidget()
store_window.show()
host = DAppHost(library.paths)
said = []
def loaded(key):
    said.append("loaded")
    # Qt decides to quit, or not, just after it says the last window closed, and posts the quit:
    # two turns of the event loop after that, imapp has quit or goes on
    app.lastWindowClosed.connect(lambda: QTimer.singleShot(0, lambda: QTimer.singleShot(0, lambda: (
        said.append("still running"), host.window_for(key).close()))))
    store_window.close()  # the store's window: imapp goes on while the DApp's is open
host.loaded.connect(loaded)
host.open_installed(installed, library.entry_path(installed), "x", None, "x")
QTimer.singleShot(60000, lambda: (said.append("timed out"), app.quit()))
app.exec()
print(json.dumps(said))
"""


def test_imapp_goes_on_while_a_dapp_window_is_open(env: Env) -> None:
    """Closing the store's window while a DApp's window is open (in its host process) does not
    end imapp; closing the DApp's then does."""
    import subprocess
    import sys

    env.install("org.test.stays")
    env.library.close()
    done = subprocess.run([sys.executable, "-c", STAYS_OPEN, str(env.paths.root)], capture_output=True,
                          text=True, timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == ["loaded", "still running"]
