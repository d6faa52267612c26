"""The DApp host with real QtWebEngine, offscreen: test DApps are real packages installed by the
real library, served through the real scheme, and driven by their own page scripts."""

from __future__ import annotations

import hashlib
import http.server
import json
import logging
import os
import socket
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWebEngineCore import QWebEngineDownloadRequest, QWebEnginePage
from pytestqt.qtbot import QtBot

from appstore.core.catalog.models import App
from appstore.core.host import HostError, dapp_origin, storage_dir, web_dir
from appstore.core.jobs import JobContext
from appstore.core.library import InstalledApp, Library
from appstore.core.logs import log
from appstore.core.paths import Paths
from appstore.ui.host import register_schemes, webengine_available
from appstore.ui.host.host import WindowHost
from appstore.ui.host.window import DAppWindow
from tests.core.test_library import make_app, release_for, zip_bytes
from tests.ui.conftest import events_delivered

STORE = "teststore"
ROOT = Path(__file__).resolve().parents[2]
LOAD_TIMEOUT = 20_000


# -- helpers -------------------------------------------------------------------------------------

def js(qtbot: QtBot, page: QWebEnginePage, code: str, timeout: int = 10_000) -> Any:
    """The value of a script run in the page (synchronous expressions)."""
    box: list[Any] = []
    page.runJavaScript(code, 0, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=timeout)
    return box[0]


def js_await(qtbot: QtBot, page: QWebEnginePage, expr: str, timeout: int = 10_000) -> Any:
    """The settled value of a promise-returning expression: ``{"ok": value}`` or ``{"err": text}``."""
    # (objects do not come back through runJavaScript in PySide6: JSON does)
    page.runJavaScript("window.__r = undefined; Promise.resolve().then(() => " + expr + ")"
                       ".then(v => { window.__r = JSON.stringify({ok: v === undefined ? null : v}); },"
                       " e => { window.__r = JSON.stringify({err: String(e)}); });")
    qtbot.waitUntil(lambda: js(qtbot, page, "window.__r !== undefined"), timeout=timeout)
    return json.loads(js(qtbot, page, "window.__r"))


def fetch_text(url: str) -> str:
    return (f"fetch({json.dumps(url)}).then(r => r.ok ? r.text() : 'status ' + r.status, "
            "e => 'error')")


class Server:
    """A local HTTP server on 127.0.0.1 that counts the requests it gets."""

    def __init__(self, port: int = 0, page: str = "<!doctype html><title>Local Site</title>") -> None:
        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                hits.append(self.path)
                body = b'{"from": "server"}' if self.path.startswith("/data") else page.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json" if self.path.startswith("/data")
                                 else "text/html; charset=utf-8")
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def bare_page(qtbot: QtBot, window: DAppWindow) -> QWebEnginePage:
    """A page of the DApp's profile that has no CSP (its HTML given directly, at the DApp's
    origin): what it can reach is up to the profile's request interceptor alone."""
    page = QWebEnginePage(window.session.profile, window)
    with qtbot.waitSignal(page.loadFinished, timeout=LOAD_TIMEOUT):
        page.setHtml("<!doctype html><title>bare</title>", QUrl(window.identity.origin + "/"))
    return page


def open_files_under(folder: Path) -> list[str]:
    """The files under ``folder`` this process holds open (Chromium's storage, like its network
    service, runs in the app's own process: the renderers open no profile files)."""
    held = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue  # closed meanwhile (the listing's own fd too)
        if target.startswith(str(folder) + os.sep):
            held.append(target)
    return held


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Records(logging.Handler):
    """The host's log lines (the ``imapp`` logger may not propagate to pytest's caplog)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@dataclass
class Env:
    tmp: Path
    paths: Paths
    library: Library
    host: WindowHost
    qtbot: QtBot
    asked: list[str] = field(default_factory=list)
    opened_outside: list[str] = field(default_factory=list)

    def install(self, app_id: str, perms: tuple[str, ...] = ("storage",), *,
                files: dict[str, str | bytes] | None = None, entry: str = "index.html",
                version: str = "1.0.0", accept: tuple[str, ...] = ()) -> InstalledApp:
        manifest = {"id": app_id, "version": version, "entry": entry, "permissions": list(perms)}
        content: dict[str, str | bytes] = {
            "dapp.json": json.dumps(manifest),
            "index.html": f"<!doctype html><meta charset=utf-8><title>{app_id}</title><h1>{app_id}</h1>"}
        content.update(files or {})
        package = self.tmp / "packages" / f"{app_id}-{version}.zip"
        package.parent.mkdir(exist_ok=True)
        package.write_bytes(zip_bytes({k: v.encode() if isinstance(v, str) else v
                                       for k, v in content.items()}))
        release = release_for(package, version)
        app = make_app([release], app_id, store=STORE, perms=perms)
        return self.library.install(package, app, release, store=STORE, ctx=JobContext(), accept=accept)

    def open(self, installed: InstalledApp, host: WindowHost | None = None) -> DAppWindow:
        host = host or self.host
        with self.qtbot.waitSignal(host.loaded, timeout=LOAD_TIMEOUT,
                                   check_params_cb=lambda key: key == installed.id):
            window = host.open_installed(installed, self.library.entry_path(installed), installed.app_id,
                                         None, installed.app_id)
        assert isinstance(window, DAppWindow)
        return window

    def new_host(self) -> WindowHost:
        host = WindowHost(self.paths)
        host.ask_leave = lambda parent, name, url: bool(self.asked.append(url))
        host.open_external = lambda url: self.opened_outside.append(url.toString())
        host.ask_save = lambda parent, path: None
        return host


@pytest.fixture
def env(tmp_path: Path, qtbot: QtBot) -> Iterator[Env]:
    paths = Paths.resolve(tmp_path / "data")
    paths.ensure()
    library = Library.open(paths)
    e = Env(tmp_path, paths, library, WindowHost(paths), qtbot)
    e.host = e.new_host()
    yield e
    e.host.close_all()
    library.close()


# -- the engine ----------------------------------------------------------------------------------

def test_webengine_is_available_and_the_scheme_registered() -> None:
    from PySide6.QtWebEngineCore import QWebEngineUrlScheme

    assert webengine_available()
    register_schemes()  # again: harmless
    scheme = QWebEngineUrlScheme.schemeByName(b"imapp-dapp")
    assert scheme.syntax() == QWebEngineUrlScheme.Syntax.Host
    assert scheme.flags() & QWebEngineUrlScheme.Flag.SecureScheme


# -- opening -------------------------------------------------------------------------------------

def test_open_serves_the_dapp_from_its_origin_with_its_bridge(env: Env, qtbot: QtBot) -> None:
    app = env.install("org.test.alpha", ("storage", "wallet.address"))
    opened: list[str] = []
    env.host.opened.connect(opened.append)
    window = env.open(app)
    page = window.page
    assert js(qtbot, page, "location.origin") == dapp_origin(STORE, "org.test.alpha")
    assert js(qtbot, page, "document.title") == "org.test.alpha"
    assert js(qtbot, page, "window.isSecureContext") is True
    identity = json.loads(js(qtbot, page, "JSON.stringify(imapp.dapp)"))
    assert identity == {"id": "teststore/org.test.alpha", "store": STORE, "app_id": "org.test.alpha",
                        "kind": "web", "origin": "imapp-dapp://org.test.alpha.teststore",
                        "version": "1.0.0", "permissions": ["storage", "wallet.address"]}
    # the Qt channel lives in an isolated world: the page's globals gain only imapp
    assert js(qtbot, page, "JSON.stringify([typeof QWebChannel, typeof qt, typeof imappBridge])") == \
        '["undefined","undefined","undefined"]'
    # opening it again raises the same window
    again = env.host.open_installed(app, env.library.entry_path(app), "x", None, "x")
    assert again is window and env.host.windows() == [window]
    assert opened == [app.id, app.id]
    # the app page button and the chrome
    refs: list[str] = []
    env.host.show_app_page.connect(refs.append)
    window.app_page_button.click()
    assert refs == ["org.test.alpha"]
    window.zoom_in()
    assert page.zoomFactor() == pytest.approx(1.1)
    window.zoom_out()
    window.zoom_out()
    assert page.zoomFactor() == pytest.approx(0.9)
    window.zoom_reset()
    assert page.zoomFactor() == 1.0
    window.close()
    qtbot.waitUntil(lambda: env.host.windows() == [])


def test_a_start_page_outside_the_folder_is_refused(env: Env, tmp_path: Path) -> None:
    app = env.install("org.test.alpha")
    with pytest.raises(HostError):
        env.host.open_installed(app, tmp_path / "elsewhere.html", "x", None, "x")
    assert env.host.windows() == []


def test_developer_tools_open_on_f12(env: Env, qtbot: QtBot) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    window = env.open(env.install("org.test.alpha"))
    window.activateWindow()
    window.view.setFocus()
    qtbot.waitUntil(lambda: window.view.focusProxy().hasFocus())
    QTest.keyClick(window.view.focusProxy(), Qt.Key.Key_F12)  # pressed while the page has the focus
    qtbot.waitUntil(lambda: window.devtools is not None)
    devtools = window.devtools
    assert devtools is not None and window.page.devToolsPage() is devtools.page()
    qtbot.waitUntil(lambda: devtools.page().url().scheme() == "devtools", timeout=LOAD_TIMEOUT)
    window.devtools_action.trigger()  # F12 again closes it
    qtbot.waitUntil(lambda: window.devtools is None)


# -- storage -------------------------------------------------------------------------------------

WRITE_IDB = """new Promise((res, rej) => {
  const r = indexedDB.open('shared', 1);
  r.onupgradeneeded = () => r.result.createObjectStore('kv');
  r.onerror = () => rej(r.error);
  r.onsuccess = () => { const tx = r.result.transaction('kv', 'readwrite');
    tx.objectStore('kv').put(VALUE, 'k'); tx.oncomplete = () => { r.result.close(); res('written'); }; };
})"""
READ_IDB = """new Promise((res, rej) => {
  const r = indexedDB.open('shared', 1);
  r.onupgradeneeded = () => r.result.createObjectStore('kv');
  r.onerror = () => rej(r.error);
  r.onsuccess = () => { const g = r.result.transaction('kv').objectStore('kv').get('k');
    g.onsuccess = () => { r.result.close(); res(g.result === undefined ? null : g.result); }; };
})"""


def write_storage(qtbot: QtBot, page: QWebEnginePage, value: str) -> None:
    assert js(qtbot, page, f"localStorage.setItem('secret', {json.dumps(value)}); 'ok'") == "ok"
    assert js_await(qtbot, page, WRITE_IDB.replace("VALUE", json.dumps(value))) == {"ok": "written"}


def read_storage(qtbot: QtBot, page: QWebEnginePage) -> tuple[Any, Any]:
    return (js_await(qtbot, page, "localStorage.getItem('secret')")["ok"],
            js_await(qtbot, page, READ_IDB).get("ok"))


def test_one_dapps_storage_is_invisible_to_another(env: Env, qtbot: QtBot) -> None:
    a = env.open(env.install("org.test.alpha"))
    b = env.open(env.install("org.test.beta"))
    write_storage(qtbot, a.page, "alpha's secret")
    assert read_storage(qtbot, b.page) == (None, None)
    assert js(qtbot, b.page, "localStorage.length") == 0
    assert read_storage(qtbot, a.page) == ("alpha's secret", "alpha's secret")
    # nor can B read A's files
    a_url = dapp_origin(STORE, "org.test.alpha") + "/index.html"
    assert js_await(qtbot, b.page, fetch_text(a_url)) == {"ok": "error"}  # blocked before it is sent
    # each DApp's data is in its own folder
    for app_id in ("org.test.alpha", "org.test.beta"):
        assert storage_dir(env.paths, STORE, app_id).is_dir()
    assert a.session.profile is not b.session.profile


def test_storage_survives_a_restart_of_the_host(env: Env, qtbot: QtBot) -> None:
    keeper = env.install("org.test.keeper", ("storage",))
    forgetter = env.install("org.test.forgetter", ("clipboard",))  # no "storage"
    write_storage(qtbot, env.open(keeper).page, "kept")
    write_storage(qtbot, env.open(forgetter).page, "forgotten")
    env.host.close_all()
    assert env.host.windows() == []

    env.host = env.new_host()  # everything closed; a new host on the same data dir
    assert read_storage(qtbot, env.open(keeper).page) == ("kept", "kept")
    assert read_storage(qtbot, env.open(forgetter).page) == (None, None)
    assert not web_dir(env.paths, STORE, "org.test.forgetter").exists()


RESTART_SCRIPT = textwrap.dedent("""
    import os, sys, json
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu --log-level=3")
    from appstore.ui.host import register_schemes
    register_schemes()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from appstore.core.library import Library
    from appstore.core.paths import Paths
    from appstore.ui.host.host import WindowHost
    data, mode = sys.argv[1], sys.argv[2]
    app = QApplication([])
    library = Library.open(Paths.resolve(data))
    installed = library.installed()[0]
    host = WindowHost(library.paths)
    code = ("localStorage.setItem('run', 'first'); 'set'" if mode == "write"
            else "String(localStorage.getItem('run'))")
    def loaded(key):
        host.windows()[0].page.runJavaScript(code, 0, lambda v: (print(json.dumps(v)), app.quit()))
    host.loaded.connect(loaded)
    host.open_installed(installed, library.entry_path(installed), "x", None, "x")
    QTimer.singleShot(30000, app.quit)
    app.exec()  # quitting closes the host's windows and profiles (aboutToQuit)
    library.close()
""")


def test_storage_survives_a_restart_of_imapp(env: Env) -> None:
    env.install("org.test.keeper", ("storage",))
    env.library.close()

    def run(mode: str) -> str:
        out = subprocess.run([sys.executable, "-c", RESTART_SCRIPT, str(env.paths.root), mode],
                             capture_output=True, text=True, timeout=120, cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert out.returncode == 0, out.stderr[-2000:]
        return str(json.loads(out.stdout.strip().splitlines()[-1]))

    assert run("write") == "set"
    assert run("read") == "first"
    env.library = Library.open(env.paths)


# -- the scheme ----------------------------------------------------------------------------------

ASSETS: dict[str, str | bytes] = {
    "js/app.js": "window.ZH = '中文';", "mod.mjs": "export const x = 1;", "style.css": "body{}",
    "pic.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>", "bin.wasm": b"\x00asm\x01\x00\x00\x00",
    "data.json": '{"a": 1}', "font.woff2": b"wOF2",
    "big.bin": os.urandom(3 << 20),  # random: repeated bytes would be refused as a zip bomb
    "mid.bin": os.urandom(200 << 10),  # over what is read at once on the GUI thread (64 KiB)
    "index.html": "<!doctype html><meta charset=utf-8><title>alpha</title><script src='js/app.js'></script>",
}


def test_files_are_served_with_their_types_and_the_csp(env: Env, qtbot: QtBot) -> None:
    page = env.open(env.install("org.test.alpha", files=ASSETS)).page
    assert js(qtbot, page, "window.ZH") == "中文"  # UTF-8, whatever the page says
    expected = {"js/app.js": "text/javascript; charset=utf-8", "mod.mjs": "text/javascript; charset=utf-8",
                "style.css": "text/css; charset=utf-8", "pic.svg": "image/svg+xml",
                "bin.wasm": "application/wasm", "data.json": "application/json", "font.woff2": "font/woff2",
                "index.html": "text/html; charset=utf-8", "big.bin": "application/octet-stream"}
    for name, mime in expected.items():
        got = js_await(qtbot, page, f"fetch('{name}').then(r => r.headers.get('content-type'))")
        assert got == {"ok": mime}, name
    for name in ("big.bin", "mid.bin", "data.json"):  # streamed from the file, or read at once
        digest = js_await(qtbot, page, f"fetch('{name}').then(r => r.arrayBuffer())"
                          ".then(b => crypto.subtle.digest('SHA-256', b)).then(d => Array.from("
                          "new Uint8Array(d), x => x.toString(16).padStart(2, '0')).join(''))")
        data = ASSETS[name]
        raw = data if isinstance(data, bytes) else data.encode()
        assert digest == {"ok": hashlib.sha256(raw).hexdigest()}
    csp = js_await(qtbot, page, "fetch('index.html').then(r => r.headers.get('content-security-policy'))")
    assert "connect-src 'self' data: blob:;" in csp["ok"]
    assert js_await(qtbot, page, "import(location.origin + '/mod.mjs').then(m => m.x)") == {"ok": 1}


def test_the_scheme_refuses_every_escape_from_a_page(env: Env, qtbot: QtBot) -> None:
    app = env.install("org.test.alpha")
    secret = app.folder.parent / "secret.txt"  # beside the install folder
    secret.write_text("SECRET")
    os.symlink(secret, app.folder / "link.txt")
    os.symlink(app.folder.parent, app.folder / "linkdir")
    records = Records()
    log.addHandler(records)
    level = log.level
    log.setLevel(logging.INFO)
    try:
        page = env.open(app).page
        assert js_await(qtbot, page, fetch_text("index.html"))["ok"].startswith("<!doctype html>")
        attempts = ["../secret.txt", "%2e%2e/secret.txt", "%2E%2E/secret.txt", "..%2fsecret.txt",
                    "%2e%2e%2fsecret.txt", "..\\\\secret.txt", "%5c..%5csecret.txt", ".%2e/secret.txt",
                    "link.txt", "linkdir/secret.txt", "index.html%00", "%00", "//etc/passwd",
                    "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "file:///etc/passwd",
                    dapp_origin(STORE, "org.test.other") + "/index.html"]
        for attempt in attempts:
            result = js_await(qtbot, page, fetch_text(attempt))
            # "status 404": our handler refused it; "error": blocked before it was sent
            assert result["ok"] in ("status 404", "error"), (attempt, result)
    finally:
        log.removeHandler(records)
        log.setLevel(level)
    # another DApp's files, asked by a page with no CSP: the interceptor refuses them
    bare = bare_page(qtbot, env.host.windows()[0])  # type: ignore[arg-type]
    other = dapp_origin(STORE, "org.test.other") + "/index.html"
    log.setLevel(logging.INFO)
    log.addHandler(records)
    try:
        assert js_await(qtbot, bare, fetch_text(other)) == {"ok": "error"}
        assert js_await(qtbot, bare, fetch_text("index.html"))["ok"].startswith("<!doctype html>")
    finally:
        log.removeHandler(records)
        log.setLevel(level)
    refusals = [line for line in records.lines if "404 for" in line]
    assert any("'/link.txt': a symbolic link" in line for line in refusals), records.lines
    assert any("'/linkdir/secret.txt': a symbolic link" in line for line in refusals)
    assert any("an encoded slash" in line for line in refusals)
    assert any("request blocked (another DApp's files)" in line for line in records.lines)


# -- network -------------------------------------------------------------------------------------

def test_only_a_dapp_with_network_reaches_a_server(env: Env, qtbot: QtBot) -> None:
    server = Server()
    try:
        offline_window = env.open(env.install("org.test.offline", ("storage",)))
        online_window = env.open(env.install("org.test.online", ("storage", "network")))
        offline, online = offline_window.page, online_window.page
        url = server.url + "/data.json"
        assert js_await(qtbot, offline, fetch_text(url)) == {"ok": "error"}
        # an image, a script and a websocket: none reaches the server either. Each is waited for
        # until it has ended (refused, or answered had it got through: the server counts a
        # request before it answers), so the count below comes after anything they could send.
        ended = js_await(qtbot, offline, f"""Promise.all([
            new Promise(ok => {{ const i = new Image(); i.onload = i.onerror = e => ok('img ' + e.type);
                                i.src = '{server.url}/data-img'; }}),
            new Promise(ok => {{ const s = document.createElement('script');
                                s.onload = s.onerror = e => ok('script ' + e.type);
                                s.src = '{server.url}/data-js'; document.head.appendChild(s); }}),
            new Promise(ok => {{ try {{ const w = new WebSocket('ws://127.0.0.1:{server.port}/data-ws');
                                      w.onerror = w.onclose = e => ok('ws ' + e.type); }}
                                catch (e) {{ ok('ws ' + e.name); }} }})])""")
        assert ended == {"ok": ["img error", "script error", "ws error"]}, ended
        assert js_await(qtbot, online, fetch_text(url)) == {"ok": '{"from": "server"}'}
        assert server.hits == ["/data.json"]  # the online DApp's, once
        # the CSP stops these first; without it, the interceptor still does
        bare_offline, bare_online = bare_page(qtbot, offline_window), bare_page(qtbot, online_window)
        assert js(qtbot, bare_offline, "document.title") == "bare"
        assert js_await(qtbot, bare_offline, fetch_text(server.url + "/data-bare")) == {"ok": "error"}
        reached = js_await(qtbot, bare_online, fetch_text(server.url + "/data-bare2"))
        assert reached == {"ok": '{"from": "server"}'}
        assert server.hits == ["/data.json", "/data-bare2"]
        csp = js_await(qtbot, online,
                       "fetch('index.html').then(r => r.headers.get('content-security-policy'))")
        assert "http://127.0.0.1:*" in csp["ok"]
    finally:
        server.close()


# -- navigation, popups, downloads ---------------------------------------------------------------

NAV_PAGE = """<!doctype html><meta charset=utf-8><title>nav</title>
<a id=out href="https://example.org/path?q=1">out</a>"""


def test_leaving_the_dapps_origin_asks_first(env: Env, qtbot: QtBot) -> None:
    window = env.open(env.install("org.test.nav", files={"index.html": NAV_PAGE,
                                                          "page2.html": "<title>two</title>"}))
    page = window.page
    answers = [False, True, True]
    asked: list[tuple[str, str]] = []

    def ask(parent: object, name: str, url: str) -> bool:
        asked.append((name, url))
        return answers.pop(0)

    env.host.ask_leave = ask
    js(qtbot, page, "document.getElementById('out').click(); 'ok'")
    qtbot.waitUntil(lambda: len(asked) == 1)
    assert asked[0] == ("org.test.nav", "https://example.org/path?q=1")
    assert env.opened_outside == []  # declined: nothing opened (it would be, in the same call)
    js(qtbot, page, "location.href = 'https://example.org/other'; 'ok'")
    qtbot.waitUntil(lambda: len(env.opened_outside) == 1)
    assert asked[1][1] == env.opened_outside[0] == "https://example.org/other"
    js(qtbot, page, "window.open('https://example.net/popup'); 'ok'")  # a popup elsewhere: asks too
    qtbot.waitUntil(lambda: len(env.opened_outside) == 2)
    assert env.opened_outside[1] == "https://example.net/popup"
    assert page.url().toString().endswith("/index.html")  # the DApp stayed where it was
    # within the origin, nothing is asked; file: and other DApps are refused without asking
    with qtbot.waitSignal(page.loadFinished, timeout=LOAD_TIMEOUT):
        js(qtbot, page, "location.href = 'page2.html'; 'ok'")
    assert js(qtbot, page, "document.title") == "two"
    js(qtbot, page, "location.href = 'file:///etc/passwd'; 'ok'")  # (Chromium's renderer stops it)
    # the sentinel: the refused load of the other DApp has stopped; the file: navigation, had it
    # left the renderer, was decided before it (one frame's navigations reach the host in order)
    other = f"{dapp_origin(STORE, 'org.test.other')}/"
    with qtbot.waitSignal(page.loadingChanged, timeout=LOAD_TIMEOUT,
                          check_params_cb=lambda info: info.status().name == "LoadStoppedStatus"
                          and info.url().toString() == other):
        js(qtbot, page, f"location.href = '{other}'; 'ok'")
    events_delivered(qtbot)  # (a question is asked through a queued signal)
    assert len(asked) == 3 and js(qtbot, page, "document.title") == "two"
    assert len(env.opened_outside) == 2


def test_same_origin_popups_open_in_the_host(env: Env, qtbot: QtBot) -> None:
    window = env.open(env.install("org.test.nav", files={"page2.html": "<title>popup</title>"}))
    js(qtbot, window.page, "window.open('page2.html'); 'ok'")
    qtbot.waitUntil(lambda: len(env.host.windows()) == 2, timeout=LOAD_TIMEOUT)
    popup = env.host.windows()[1]
    assert isinstance(popup, DAppWindow) and popup.popup and popup.session is window.session
    qtbot.waitUntil(lambda: js(qtbot, popup.page, "document.title") == "popup", timeout=LOAD_TIMEOUT)
    assert env.asked == []


DOWNLOAD = """const a = document.createElement('a');
a.href = URL.createObjectURL(new Blob(['saved by the dapp'], {type: 'text/plain'}));
a.download = 'notes.txt'; document.body.appendChild(a); a.click(); 'ok'"""


def test_downloads_ask_where_to_save(env: Env, qtbot: QtBot, tmp_path: Path) -> None:
    asked: list[str] = []
    target = tmp_path / "chosen" / "my notes.txt"
    target.parent.mkdir()
    env.host.ask_save = lambda parent, suggested: asked.append(suggested) or str(target)
    js(qtbot, env.open(env.install("org.test.saver")).page, DOWNLOAD)
    qtbot.waitUntil(lambda: target.exists() and target.read_text() == "saved by the dapp",
                    timeout=LOAD_TIMEOUT)
    assert [Path(p).name for p in asked] == ["notes.txt"]
    # declined: nothing is written (another DApp: Chromium holds back a page's second automatic
    # download)
    env.host.ask_save = lambda parent, suggested: asked.append(suggested) or None
    declined = env.open(env.install("org.test.saver2"))
    # the sentinel: a handler connected after the host's sees the request once the host is done
    ends: list[tuple[QWebEngineDownloadRequest.DownloadState, bool]] = []
    declined.session.profile.downloadRequested.connect(
        lambda request: ends.append((request.state(), request.isFinished())))
    js(qtbot, declined.page, DOWNLOAD)
    qtbot.waitUntil(lambda: bool(ends), timeout=LOAD_TIMEOUT)
    assert len(asked) == 2
    assert ends == [(QWebEngineDownloadRequest.DownloadState.DownloadCancelled, True)]
    assert sorted(p.name for p in target.parent.iterdir()) == ["my notes.txt"]


# -- browser permissions -------------------------------------------------------------------------

GEO = ("new Promise(res => navigator.geolocation.getCurrentPosition(() => res('granted'), "
       "e => res('denied ' + e.code), {timeout: 800}))")  # 1: refused, 2: unavailable, 3: timed out


def test_device_features_are_denied(env: Env, qtbot: QtBot) -> None:
    page = env.open(env.install("org.test.curious", ("storage", "network", "clipboard"))).page
    asked: list[str] = []
    env.host.ask_permission = lambda parent, name, feature: bool(asked.append(feature))
    assert js_await(qtbot, page, GEO) == {"ok": "denied 1"}
    assert js_await(qtbot, page, "Notification.requestPermission()") == {"ok": "denied"}
    media = js_await(qtbot, page, "navigator.mediaDevices.getUserMedia({video: true, audio: true})"
                                  ".then(() => 'granted')")
    assert "err" in media
    screen = js_await(qtbot, page, "navigator.mediaDevices.getDisplayMedia().then(() => 'granted')")
    assert "err" in screen
    assert asked == []  # denied outright: no manifest key lets a DApp ask for these yet


def test_clipboard_only_with_the_permission(env: Env, qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QApplication

    clipboard = QApplication.clipboard()
    clipboard.setText("from the user")
    without = env.open(env.install("org.test.noclip", ("storage",))).page
    with_it = env.open(env.install("org.test.clip", ("clipboard",))).page
    assert "err" in js_await(qtbot, without, "navigator.clipboard.readText()")
    assert "err" in js_await(qtbot, without, "navigator.clipboard.writeText('from the dapp')")
    assert js(qtbot, without, "document.execCommand('copy')") is False
    assert clipboard.text() == "from the user"
    assert js_await(qtbot, with_it, "navigator.clipboard.readText()") == {"ok": "from the user"}
    assert js_await(qtbot, with_it, "navigator.clipboard.writeText('from the dapp')") == {"ok": None}
    qtbot.waitUntil(lambda: clipboard.text() == "from the dapp")


# -- link DApps ----------------------------------------------------------------------------------

def link_app(url: str, app_id: str = "org.test.site") -> App:
    app = make_app([], app_id, store=STORE, perms=("network",), kind="link")
    app.url = url
    return app


def test_a_link_dapp_loads_its_site(env: Env, qtbot: QtBot) -> None:
    server = Server()
    try:
        with qtbot.waitSignal(env.host.loaded, timeout=LOAD_TIMEOUT):
            window = env.host.open_link(link_app(server.url + "/"), "Local Site", None, "org.test.site")
        assert isinstance(window, DAppWindow)
        assert js(qtbot, window.page, "document.title") == "Local Site"
        assert window.where_label.text() == "127.0.0.1"
        identity = json.loads(js(qtbot, window.page, "JSON.stringify(imapp.dapp)"))
        assert identity["kind"] == "link" and identity["origin"] == server.url
        assert window.session.profile.isOffTheRecord()  # no "storage": memory only
    finally:
        server.close()
    with pytest.raises(HostError):
        env.host.open_link(link_app("http://example.org/"), "x", None, "x")  # http off this computer


def test_an_unreachable_link_dapp_shows_a_page_with_retry(env: Env, qtbot: QtBot) -> None:
    port = free_port()
    window = env.host.open_link(link_app(f"http://127.0.0.1:{port}/"), "Local Site", None, "x")
    assert isinstance(window, DAppWindow)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.problem, timeout=LOAD_TIMEOUT)
    assert window.problem.title.text() == "Local Site cannot be reached"
    assert "offline" in window.problem.detail.text()
    server = Server(port)
    try:
        with qtbot.waitSignal(env.host.loaded, timeout=LOAD_TIMEOUT):
            window.problem.retry_button.click()
        assert window.stack.currentWidget() is window.view
        assert js(qtbot, window.page, "document.title") == "Local Site"
    finally:
        server.close()


# -- the demo store's DApps ------------------------------------------------------------------------

def test_every_demo_web_dapp_opens_in_the_host(data: Path, qtbot: QtBot) -> None:
    from appstore.core.services import Services

    services = Services.open(str(data))
    view, _ = services.load_catalog()
    host = WindowHost(services.paths)
    try:
        apps = [e.app for e in view.listings if e.app.kind == "web"]
        assert len(apps) >= 12
        for app in apps:
            installed = services.installs.install(app)
            with qtbot.waitSignal(host.loaded, timeout=LOAD_TIMEOUT):
                window = host.open_installed(installed, services.installs.library.entry_path(installed),
                                             app.name["en"], None, app.id)
            assert isinstance(window, DAppWindow)
            title = js(qtbot, window.page, "document.title")
            text = js(qtbot, window.page, "document.body.innerText")
            assert title and len(text) > 20, app.id
            assert window.page.errors == [], (app.id, window.page.errors)
            window.close()
    finally:
        host.close_all()
        services.installs.close()



def test_a_feature_the_manifest_asks_for_is_asked(env: Env, qtbot: QtBot) -> None:
    # no catalogue key grants "location" yet: a manifest that names it (a later catalogue) asks
    app = env.install("org.test.maps", ("storage", "location"))
    window = env.open(app)
    answers = [False, True]
    asked: list[tuple[str, str]] = []

    def ask(parent: object, name: str, feature: str) -> bool:
        asked.append((name, feature))
        return answers.pop(0)

    env.host.ask_permission = ask
    assert js_await(qtbot, window.page, GEO) == {"ok": "denied 1"}
    assert asked == [("org.test.maps", "location")]
    window.close()  # an answer lasts as long as the window (QtWebEngine keeps it for the page)
    qtbot.waitUntil(lambda: env.host.windows() == [])
    window = env.open(app)
    # allowed: Qt's position source starts (and, with no desktop file name, warns; the app sets one)
    from PySide6.QtGui import QGuiApplication

    QGuiApplication.setDesktopFileName("imapp")
    try:
        result = js_await(qtbot, window.page, GEO)  # offscreen there is no position, but no refusal
    finally:
        QGuiApplication.setDesktopFileName("")
    assert len(asked) == 2 and result != {"ok": "denied 1"}


def test_a_missing_start_page_shows_a_page_with_retry(env: Env, qtbot: QtBot) -> None:
    app = env.install("org.test.broken")
    (app.folder / "index.html").unlink()
    window = env.host.open_installed(app, env.library.entry_path(app), "Broken", None, "x")
    assert isinstance(window, DAppWindow)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.problem, timeout=LOAD_TIMEOUT)
    assert window.problem.title.text() == "Broken could not be loaded"


def test_the_bridge_is_not_handed_to_frames_of_other_origins(env: Env, qtbot: QtBot) -> None:
    inner = Server(page="<!doctype html><script>parent.postMessage('frame sees qt: ' + "
                        "(typeof qt !== 'undefined' || typeof imapp !== 'undefined'), '*')</script>")
    outer = Server(page="<!doctype html><title>outer</title><script>window.msgs = [];"
                        "addEventListener('message', e => window.msgs.push(e.data))</script>"
                        f"<iframe src='{inner.url}/'></iframe>")
    try:
        with qtbot.waitSignal(env.host.loaded, timeout=LOAD_TIMEOUT):
            window = env.host.open_link(link_app(outer.url + "/"), "Outer", None, "x")
        assert isinstance(window, DAppWindow)
        qtbot.waitUntil(lambda: js_await(qtbot, window.page, "window.msgs.length")["ok"] == 1)
        assert js_await(qtbot, window.page, "window.msgs") == {"ok": ["frame sees qt: false"]}
        assert js(qtbot, window.page, "typeof imapp + ' ' + typeof qt") == "object undefined"
    finally:
        inner.close()
        outer.close()


def test_painted_tells_when_the_dapp_is_on_screen(env: Env, qtbot: QtBot) -> None:
    red = "<!doctype html><title>red</title><body style='background: #ff0000'>"
    window = env.open(env.install("org.test.alpha", files={"index.html": red}))
    with qtbot.waitSignal(window.page.painted, timeout=LOAD_TIMEOUT):
        window.page.notify_painted()
    middle = window.view.geometry().center() + window.centralWidget().pos()
    # what --screenshot --page dapp:ID saves (the chrome and the page). The offscreen compositor
    # hands the widget the frame a little after the page drew it (SHOT_SETTLE_MS, which the
    # screenshot waits): on a loaded machine, later still
    qtbot.waitUntil(lambda: window.grab().toImage().pixelColor(middle).name() == "#ff0000", timeout=5000)


def test_release_before_an_uninstall_forgets_the_data(env: Env, qtbot: QtBot) -> None:
    app = env.install("org.test.alpha")
    write_storage(qtbot, env.open(app).page, "old")
    env.host.release(STORE, "org.test.alpha")
    assert env.host.windows() == []
    # Chromium flushes a released profile's storage on its own threads, then closes its files:
    # removed before that, the folder would come back with the old data
    folder = web_dir(env.paths, STORE, "org.test.alpha")
    qtbot.waitUntil(lambda: not open_files_under(folder), timeout=LOAD_TIMEOUT)
    env.library.uninstall(STORE, "org.test.alpha", keep_data=False)
    assert not web_dir(env.paths, STORE, "org.test.alpha").exists()
    app = env.install("org.test.alpha")
    assert read_storage(qtbot, env.open(app).page) == (None, None)


def test_games_and_notes_keep_their_state_across_a_restart(data: Path, qtbot: QtBot) -> None:
    """2048's board, Fair Dice's committed session and Notes' notes come back after imapp (the
    host and its profiles) is closed and started again on the same data dir."""
    from appstore.core.services import Services

    services = Services.open(str(data))
    view, _ = services.load_catalog()
    steps = {  # (what the user does, what must come back)
        "org.imapp.game2048": ("(() => { for (const k of ['ArrowLeft','ArrowUp','ArrowRight','ArrowDown'])"
                               " document.dispatchEvent(new KeyboardEvent('keydown', {key: k})); })()",
                               "JSON.stringify([grid, score])"),
        "org.imapp.fairdice": ("roll().then(roll).then(roll)",
                               "JSON.stringify([document.getElementById('commit').textContent,"
                               " rolls.map(r => r.v)])"),
        "org.imapp.notes": ("(() => { document.getElementById('nt').value = 'Keep me';"
                            " document.getElementById('add').click(); })()",
                            "JSON.stringify(notes.map(n => n.title))"),
    }

    def open_app(host: WindowHost, app_id: str) -> DAppWindow:
        app = view.find(app_id).app
        installed = services.installs.library.get(app.store, app.id) or services.installs.install(app)
        with qtbot.waitSignal(host.loaded, timeout=LOAD_TIMEOUT):
            window = host.open_installed(installed, services.installs.library.entry_path(installed),
                                         app.name["en"], None, app.id)
        assert isinstance(window, DAppWindow)
        return window

    before: dict[str, Any] = {}
    host = WindowHost(services.paths)
    try:
        for app_id, (act, read) in steps.items():
            window = open_app(host, app_id)
            js_await(qtbot, window.page, act)
            before[app_id] = js(qtbot, window.page, read)
            assert window.page.errors == [], (app_id, window.page.errors)
    finally:
        host.close_all()
    assert "Keep me" in before["org.imapp.notes"]

    again = WindowHost(services.paths)  # a new start: new profiles on the same folders
    try:
        for app_id, (_, read) in steps.items():
            window = open_app(again, app_id)
            qtbot.waitUntil(lambda w=window, r=read, a=app_id: js(qtbot, w.page, r) == before[a],
                            timeout=10_000)
    finally:
        again.close_all()
        services.installs.close()


def test_a_dapp_without_network_has_no_webrtc(env: Env, qtbot: QtBot) -> None:
    """WebRTC sends UDP (STUN/TURN) that no interceptor sees: without `network` it is gone, in
    the page and in its frames, and nothing reaches a UDP socket on 127.0.0.1."""
    import socket

    offline = env.open(env.install("org.test.offline", ("storage",)))
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.setblocking(False)
    port = udp.getsockname()[1]
    try:
        assert js(qtbot, offline.page, "typeof RTCPeerConnection + typeof webkitRTCPeerConnection") \
            == "undefinedundefined"
        # ... but no UDP leaves: imapp starts Chromium without non-proxied UDP. The sentinel is
        # the end of ICE gathering: STUN is sent during it (allowed UDP, it ends only when the
        # STUN server answers or, silent like this one, after ~40 s, 9 packets in)
        tried = js_await(qtbot, offline.page, f"""new Promise(ok => {{
            const f = document.createElement('iframe'); document.body.appendChild(f);
            const Peer = f.contentWindow.RTCPeerConnection;  // an about:blank frame keeps it
            if (!Peer) return ok('none');
            const pc = new Peer({{iceServers: [{{urls: 'stun:127.0.0.1:{port}'}}]}});
            window.__pc = pc;
            pc.onicegatheringstatechange = () => {{
                if (pc.iceGatheringState === 'complete') ok('gathered'); }};
            pc.createDataChannel('x'); pc.createOffer().then(o => pc.setLocalDescription(o)); }})""",
                         timeout=90_000)
        assert tried["ok"] in ("none", "gathered"), tried
        with pytest.raises(BlockingIOError):
            udp.recvfrom(2048)
    finally:
        udp.close()
    online = env.open(env.install("org.test.online", ("storage", "network")))
    assert js(qtbot, online.page, "typeof RTCPeerConnection") == "function"


def test_an_open_dapp_that_is_updated_shows_the_new_version(env: Env, qtbot: QtBot) -> None:
    """An update removes the old folder: the open window follows to the new one (reloads), and
    its files keep being served."""
    v1 = env.install("org.test.upd", files={"more.js": "window.more = 1;"})
    window = env.open(v1)
    assert js(qtbot, window.page, "document.title") == "org.test.upd"
    v2 = env.install("org.test.upd", version="1.1.0",
                     files={"index.html": "<!doctype html><title>two</title>v2",
                            "more.js": "window.more = 2;"})
    with qtbot.waitSignal(window.page.loadFinished, timeout=LOAD_TIMEOUT):
        env.host.updated(v2, env.library.entry_path(v2))
    assert js(qtbot, window.page, "document.title") == "two"
    assert js_await(qtbot, window.page, "fetch('more.js').then(r => r.status)") == {"ok": 200}
    assert window.stack.currentWidget() is not window.problem


def test_a_dapp_speaks_imapps_language(env: Env, qtbot: QtBot) -> None:
    from appstore.ui import texts

    app = env.install("org.test.lang", ("storage",))
    before = texts.language()
    texts.set_language("zh_CN")
    try:
        window = env.open(app)
        assert js(qtbot, window.page, "navigator.language") == "zh-CN"
    finally:
        texts.set_language(before)

