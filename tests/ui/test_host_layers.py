"""The page-level layers of the DApp host, in this process (``WindowHost``): a missing file
ends at once, WebRTC stays out of new frames after a refused navigation, what service workers,
the Cache API and top-level ``javascript:`` URLs do, and Ctrl+Q. The process barrier behind them:
``test_host_barrier.py``."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from appstore.core.host import dapp_origin
from tests.ui import test_host
from tests.ui.conftest import events_delivered
from tests.ui.test_host import LOAD_TIMEOUT, STORE, Env, fetch_text, js, js_await

env = test_host.env  # (the fixture: a data dir, a library, test DApps)


MISSING = {  # every way a page asks for a file: each settles, none waits for ever
    "fetch": "fetch('missing.txt').then(r => r.text())",
    "fetch a refused path": "fetch('%2e%2e/secret.txt').then(r => r.text())",
    "fetch an encoded slash": "fetch('a%2fb.txt').then(r => r.arrayBuffer())",
    "fetch a stream": "fetch('missing.txt').then(r => r.body.getReader().read())",
    "xhr": "new Promise((ok, no) => { const x = new XMLHttpRequest(); x.open('GET', 'missing.txt');"
           " x.onload = () => ok('load ' + x.status); x.onerror = () => no('error'); x.send(); })",
    "image": "new Promise((ok, no) => { const i = new Image(); i.onload = ok; i.onerror = () => no('error');"
             " i.src = 'missing.png'; })",
    "script": "new Promise((ok, no) => { const s = document.createElement('script'); s.onload = ok;"
              " s.onerror = () => no('error'); s.src = 'missing.js'; document.head.appendChild(s); })",
    "module": "import(location.origin + '/missing.mjs')",
}


def test_a_missing_file_ends_at_once(env: Env, qtbot: QtBot) -> None:
    """A file the DApp does not have (or a path the scheme refuses) is a network error for
    fetch(), XHR, images, scripts and modules: each request ends. (Qt's own "404" answer to a
    fetch() never ended its body.) A frame of a missing file stays empty, and the page around
    it still loads."""
    index = "<!doctype html><title>org.test.alpha</title><iframe src='missing.html'></iframe>"
    page = env.open(env.install("org.test.alpha", files={"index.html": index})).page
    assert js(qtbot, page, "document.readyState") == "complete"
    for name, code in MISSING.items():
        result = js_await(qtbot, page, code, timeout=5000)
        assert "err" in result, (name, result)
    assert js_await(qtbot, page, fetch_text("index.html"))["ok"].startswith("<!doctype html>")


TELL = "<script>parent.postMessage(typeof RTCPeerConnection, \"*\")<\\/script>"  # (from a frame)
HEARD = "addEventListener('message', e => ok(e.data), {once: true}); document.body.appendChild(f); })"
SRCDOC_PEER = f"new Promise(ok => {{ const f = document.createElement('iframe'); f.srcdoc = '{TELL}'; {HEARD}"


def test_webrtc_stays_out_of_new_frames_after_a_refused_navigation(env: Env, qtbot: QtBot) -> None:
    """After the host refuses a main-frame navigation, new srcdoc, blob: and same-origin frames
    still lose WebRTC (QtWebEngine stops injecting the page's scripts; the host hands them over
    again once the refused load has stopped)."""
    window = env.open(env.install("org.test.offline", ("storage",), files={"two.html": "<title>two</title>"}))
    page = window.page
    assert js_await(qtbot, page, SRCDOC_PEER) == {"ok": "undefined"}
    other = dapp_origin(STORE, "org.test.other")
    with qtbot.waitSignal(page.loadingChanged, timeout=LOAD_TIMEOUT,
                          check_params_cb=lambda info: info.status().name == "LoadStoppedStatus"):
        js(qtbot, page, f"location.href = '{other}/'; 'refused'")
    events_delivered(qtbot)  # what the stop set going on the GUI thread (the page's scripts renewed)
    assert js(qtbot, page, "document.title") == "org.test.offline"  # it stayed
    assert js_await(qtbot, page, SRCDOC_PEER) == {"ok": "undefined"}
    blob = ("new Promise(ok => { const f = document.createElement('iframe');"
            f" f.src = URL.createObjectURL(new Blob(['{TELL}'], {{type: 'text/html'}})); {HEARD}")
    assert js_await(qtbot, page, blob) == {"ok": "undefined"}
    same = ("new Promise(ok => { const f = document.createElement('iframe'); f.src = 'two.html';"
            " f.onload = () => ok(typeof f.contentWindow.RTCPeerConnection);"
            " document.body.appendChild(f); })")
    assert js_await(qtbot, page, same) == {"ok": "undefined"}


def test_service_workers_cache_and_javascript_urls(env: Env, qtbot: QtBot) -> None:
    """What docs/host.md says of them: no service worker on imapp-dapp://, no Cache API entry
    for its files; a top-level javascript: URL runs as the page's own inline script would (the
    CSP allows inline scripts), and a document it writes still has no WebRTC."""
    page = env.open(env.install("org.test.alpha", files={"sw.js": "self.onfetch = () => {};"})).page
    registered = js_await(qtbot, page, "navigator.serviceWorker.register('sw.js')")
    assert "not supported" in registered["err"]
    cached = js_await(qtbot, page, "caches.open('c').then(c => c.put('index.html', new Response('x')))")
    assert "unsupported" in cached["err"]
    js(qtbot, page, "location.href = 'javascript:void(document.title = \"ran\")'; 'ok'")
    qtbot.waitUntil(lambda: js(qtbot, page, "document.title") == "ran")
    js(qtbot, page, "const a = document.createElement('a');"
                    " a.href = 'javascript:\"<title>written</title><p>by a link\"';"
                    " document.body.appendChild(a); a.click(); 'ok'")
    qtbot.waitUntil(lambda: js(qtbot, page, "document.title") == "written")
    assert js(qtbot, page, "typeof RTCPeerConnection + ' ' + location.protocol") == "undefined imapp-dapp:"


def test_ctrl_q_in_a_dapp_window_asks_imapp_to_quit(env: Env, qtbot: QtBot) -> None:
    """In a host process, Ctrl+Q of a DApp's window goes to imapp (``quit`` message), which quits."""
    from PySide6.QtGui import QKeySequence

    window = env.open(env.install("org.test.alpha"))
    assert window.quit_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Quit)
    with qtbot.waitSignal(env.host.quit_requested, timeout=5000):
        window.quit_action.trigger()
