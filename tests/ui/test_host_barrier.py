"""The barrier (docs/host.md, "What stops what"): a DApp without ``network`` runs in the sealed
host process, and nothing it does reaches the network. A probe DApp tries every way out we know
of, in every kind of frame, against listeners on 127.0.0.1 (one TCP port and one UDP port per
case), while ``strace`` records every connect() and every datagram of the host process and its
children (Chromium's renderers included). The same probe with ``network`` is the positive
control: it does reach the listeners, and strace does see its DNS queries."""

from __future__ import annotations

import json
import os
import re
import selectors
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from appstore.core.host import dapp_origin
from appstore.core.paths import Paths
from appstore.ui.host.channel import ProcessLink
from appstore.ui.host.hosts import DAppHost
from tests.ui import test_host
from tests.ui.test_host import STORE, Env

STRACE = shutil.which("strace")


def _strace_works() -> bool:
    """strace is installed and may trace what it starts (a container may forbid ptrace)."""
    if STRACE is None:
        return False
    done = subprocess.run([STRACE, "-f", "-qq", "-o", os.devnull, "true"], capture_output=True, timeout=30)
    return done.returncode == 0


LOAD_TIMEOUT = 60_000
FRAMES = ("top", "blank", "srcdoc", "blob", "same", "nested_srcdoc", "nested_blank", "popup", "jspopup",
          "after_srcdoc", "after_blob", "after_same")
TCP_CASES = ("preconnect", "fetch", "xhr", "img", "websocket", "beacon", "worker", "eventsource",
             "spec_prefetch", "spec_prerender", *(f"turn_{f}" for f in FRAMES))
UDP_CASES = ("webtransport", *(f"stun_{f}" for f in FRAMES))
# What the probe with ``network`` reaches (a prerender does not start from imapp-dapp://; the
# blank window of a refused popup is gone before its WebRTC connects; WebRTC's UDP stays off in
# both host processes).
REACHED = {"preconnect", "fetch", "xhr", "img", "websocket", "beacon", "worker", "eventsource",
           "spec_prefetch", *(f"turn_{f}" for f in FRAMES if f != "jspopup")}

PROBE_JS = r"""
// (var: frames reach them as parent.report; ``settling``: one promise per attempt that can be
// seen to end, settled when it has: the report waits for them all)
var PORTS = __PORTS__, report = {}, OTHER = __OTHER__, FRAMES = __FRAMES__, settling = [];
function settle(p) { settling.push(Promise.resolve(p).then(() => {}, () => {})); }
function attempt(win, name, ports) {  // WebRTC from ``win``: TURN over TCP and STUN over UDP
  const Peer = win && win.RTCPeerConnection;
  if (typeof Peer !== "function") return "none";
  try {
    const pc = new Peer({iceServers: [
      {urls: "turn:127.0.0.1:" + ports.tcp["turn_" + name] + "?transport=tcp",
       username: "u", credential: "p"},
      {urls: "stun:127.0.0.1:" + ports.udp["stun_" + name]}]});
    // ICE gathering ends once TURN and STUN were tried (or the window is gone, and the
    // connection with it)
    (win.opener || win.top).settling.push(new Promise(ended => {
      pc.addEventListener("icegatheringstatechange", () => {
        if (pc.iceGatheringState === "complete") ended(); });
      win.addEventListener("pagehide", () => ended());
    }));
    pc.createDataChannel("x");
    pc.createOffer().then(o => pc.setLocalDescription(o)).catch(() => {});
    (win.__keep = win.__keep || []).push(pc);
    return "tried";
  } catch (e) { return "error " + e; }
}
const inline = name => "<script>top.report." + name + " = (" + attempt +
  ")(window, '" + name + "', " + JSON.stringify(PORTS) + ")<\/script>";
function frame(setup) {
  const f = document.createElement("iframe"); setup(f); document.body.appendChild(f); return f;
}
function tryAll(name, fn) { try { fn(); } catch (e) { report[name] = "error " + e; } }
function frames(prefix) {
  tryAll(prefix + "srcdoc", () => frame(f => { f.srcdoc = inline(prefix + "srcdoc"); }));
  tryAll(prefix + "blob", () => frame(f => {
    f.src = URL.createObjectURL(new Blob([inline(prefix + "blob")], {type: "text/html"})); }));
  tryAll(prefix + "same", () => frame(f => { f.src = "frame.html?" + prefix + "same"; }));
}
function frameMain() {  // frame.html (and the popup): the case is its query
  const name = location.search.slice(1), top = window.opener || window.parent;
  if (name === "nested") {
    frame(f => { f.srcdoc = inline("nested_srcdoc"); });
    const blank = frame(() => {});
    top.report.nested_blank = attempt(blank.contentWindow, "nested_blank", PORTS);
  } else {
    top.report[name] = attempt(window, name, PORTS);
  }
  if (window.opener) setTimeout(() => window.close(), 1500);
}
function probe() {
  const url = (c, path) => "http://127.0.0.1:" + PORTS.tcp[c] + "/" + (path || c);
  report.top = attempt(window, "top", PORTS);
  tryAll("fetch", () => settle(fetch(url("fetch"))));
  tryAll("xhr", () => { const x = new XMLHttpRequest(); settle(new Promise(ok => { x.onloadend = ok; }));
                        x.open("GET", url("xhr")); x.send(); });
  tryAll("img", () => settle(new Promise(ok => { const i = new Image(); i.onload = i.onerror = ok;
                                                 i.src = url("img"); })));
  tryAll("websocket", () => settle(new Promise(ok => {
    const w = new WebSocket("ws://127.0.0.1:" + PORTS.tcp.websocket + "/ws");
    w.onerror = w.onclose = ok; })));
  tryAll("beacon", () => navigator.sendBeacon(url("beacon"), "x"));  // (no end to see)
  tryAll("eventsource", () => settle(new Promise(ok => {  // (it goes on trying: the first end)
    const e = new EventSource(url("eventsource")); e.onerror = e.onopen = ok; })));
  tryAll("worker", () => settle(new Promise(ok => {
    const w = new Worker(URL.createObjectURL(new Blob(["fetch(" + JSON.stringify(url("worker")) +
      ").catch(() => {}).then(() => postMessage('ended'))"], {type: "text/javascript"})));
    w.onmessage = w.onerror = ok; })));
  tryAll("webtransport", () => settle(new WebTransport("https://127.0.0.1:" + PORTS.udp.webtransport +
                                                       "/wt").ready));
  tryAll("blank", () => { report.blank = attempt(frame(() => {}).contentWindow, "blank", PORTS); });
  frames("");
  tryAll("nested", () => frame(f => { f.src = "frame.html?nested"; }));
  tryAll("popup", () => window.open("frame.html?popup"));
  tryAll("jspopup", () => window.open("javascript:" + encodeURIComponent(
    "opener.report.jspopup = (" + attempt + ")(window, 'jspopup', " + JSON.stringify(PORTS) + ")")));
  // a refused top-level navigation (another DApp), then new frames
  setTimeout(() => { location.href = OTHER; }, 1200);
  setTimeout(() => frames("after_"), 2400);
  // the report, once every frame has made its attempt (the refused popup's blank window may
  // never run its own) and every attempt that can be seen to end has ended
  const names = FRAMES.filter(f => f !== "jspopup");
  const reported = () => new Promise(ok => {
    const look = () => names.every(n => n in report) ? ok() : setTimeout(look, 20); look(); });
  reported().then(() => Promise.all(settling)).then(() => {
    imapp.request({method: "probe_report", params: report}).catch(() => {});
    setTimeout(() => window.close(), 300);
  });
}
"""

INDEX = """<!doctype html><meta charset=utf-8><title>probe</title>
<link rel=preconnect href="http://127.0.0.1:{preconnect}/">
<link rel=preconnect href="http://probe-preconnect.example/">
<link rel=dns-prefetch href="http://probe-dnsprefetch.example/">
<script type=speculationrules>{{"prefetch": [{{"source": "list", "urls": ["http://127.0.0.1:{spec_prefetch}/p",
 "http://probe-prefetch.example/p"]}}], "prerender": [{{"source": "list", "urls": ["http://127.0.0.1:{spec_prerender}/r"]}}]}}
</script>
<script src="probe.js"></script><body><script>probe()</script>"""


class Listener:
    """One TCP listener and one UDP socket on 127.0.0.1 per case; ``hits`` records which case was
    reached (a connection accepted, a datagram received), from a thread of its own."""

    def __init__(self) -> None:
        self.selector = selectors.DefaultSelector()
        self.ports: dict[str, dict[str, int]] = {"tcp": {}, "udp": {}}
        self.hits: set[str] = set()
        self.sockets: list[socket.socket] = []
        for kind, cases in (("tcp", TCP_CASES), ("udp", UDP_CASES)):
            for case in cases:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
                s.bind(("127.0.0.1", 0))
                if kind == "tcp":
                    s.listen(16)
                s.setblocking(False)
                self.selector.register(s, selectors.EVENT_READ, (kind, case))
                self.ports[kind][case] = s.getsockname()[1]
                self.sockets.append(s)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            for key, _ in self.selector.select(timeout=0.1):
                kind, case = key.data
                sock: Any = key.fileobj
                try:
                    if kind == "tcp":
                        conn, _ = sock.accept()
                        conn.close()
                    else:
                        sock.recvfrom(4096)
                except OSError:
                    continue
                self.hits.add(case)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for s in self.sockets:
            s.close()


@dataclass
class Trace:
    """What strace saw of a host process tree."""

    connects: list[str] = field(default_factory=list)  # connect() of a TCP socket, anywhere
    sends: list[str] = field(default_factory=list)  # data sent on a TCP or UDP socket
    resolver: list[str] = field(default_factory=list)  # connect() to a local resolver's socket
    route_probes: list[str] = field(default_factory=list)  # connect() of a UDP socket (no data)

    @property
    def dns(self) -> list[str]:
        return [line for line in self.sends if re.search(r"->[^>]*:53\]", line)] + self.resolver


SYSCALL = re.compile(r"^\d+\s+(connect|sendto|sendmsg|sendmmsg|write|writev)"
                     r"\(\d+<(TCP|TCPv6|UDP|UDPv6|UNIX[^:]*):")


def read_trace(path: Path) -> Trace:
    trace = Trace()
    for line in path.read_text(errors="replace").splitlines():
        match = SYSCALL.match(line)
        if match is None:
            continue
        call, kind = match.groups()
        if kind.startswith("UNIX"):
            if call == "connect" and re.search(r"sun_path=\"[^\"]*(nscd|resolve)", line):
                trace.resolver.append(line)
        elif call == "connect":
            (trace.connects if kind.startswith("TCP") else trace.route_probes).append(line)
        elif "= -1" not in line.split(")")[-1]:
            trace.sends.append(line)
    return trace


@dataclass
class Probe:
    host: DAppHost
    messages: list[dict[str, Any]]
    traces: dict[str, Path]


@pytest.fixture
def listener() -> Iterator[Listener]:
    listening = Listener()
    yield listening
    listening.close()


def traced_host(paths: Paths, tmp: Path) -> Probe:
    """The app's DApp host, each of its processes started under strace."""
    host = DAppHost(paths)
    probe = Probe(host, [], {})

    def launch(kind: str) -> ProcessLink:
        argv, env = host.command(kind)
        out = probe.traces[kind] = tmp / f"{kind}.strace"
        assert STRACE is not None
        link = ProcessLink([STRACE, "-f", "-qq", "-yy", "-s", "48", "-o", str(out), "-e",
                            "trace=connect,sendto,sendmsg,sendmmsg,write,writev", *argv],
                           f"traced {kind}", env=env, parent=host)
        link.received.connect(probe.messages.append)
        return link

    host.launch = launch
    return probe


def run_probe(env: Env, qtbot: QtBot, listener: Listener, perms: tuple[str, ...],
              reaches: frozenset[str] = frozenset()) -> tuple[dict[str, Any], Trace]:
    """Install the probe with ``perms``, let it try everything, and return its own report and
    what strace saw once its host process has ended. The probe reports once every attempt
    that can be seen to end has ended; ``reaches``: the cases whose listeners it must reach,
    waited for (preconnect, prefetch and beacons end unseen)."""
    other = dapp_origin(STORE, "org.test.other") + "/"
    probe_js = PROBE_JS.replace("__PORTS__", json.dumps(listener.ports)).replace(
        "__OTHER__", json.dumps(other)).replace("__FRAMES__", json.dumps(FRAMES))
    frame = "<!doctype html><script src='probe.js'></script><body><script>frameMain()</script>"
    files = {"index.html": INDEX.format(**listener.ports["tcp"]), "probe.js": probe_js, "frame.html": frame}
    app = env.install("org.test.probe", perms, files=files)
    probe = traced_host(env.paths, env.tmp)
    probe.host.open_installed(app, env.library.entry_path(app), "Probe", None, app.id)
    qtbot.waitUntil(lambda: any(m.get("ev") == "request" for m in probe.messages), timeout=LOAD_TIMEOUT)
    request = next(m for m in probe.messages if m.get("ev") == "request")
    report = json.loads(request["text"])["params"]
    qtbot.waitUntil(lambda: listener.hits >= reaches, timeout=LOAD_TIMEOUT)
    channels = list(probe.host._channels.values())
    probe.host.close_all()
    qtbot.waitUntil(lambda: all(not c.open for c in channels), timeout=30_000)
    (kind,) = probe.traces
    for link in channels:
        assert isinstance(link, ProcessLink)
        link.process.wait(30)
    return report, read_trace(probe.traces[kind])


env = test_host.env  # (the fixture: a data dir, a library, test DApps)
pytestmark = pytest.mark.skipif(not _strace_works(), reason="needs strace, allowed to trace "
                                                             "(scripts/setup.sh installs it)")


def test_a_dapp_without_network_reaches_nothing(env: Env, qtbot: QtBot, listener: Listener) -> None:
    report, trace = run_probe(env, qtbot, listener, ("storage",))
    # The page layer took WebRTC out of every frame it reaches; in blank frames and the blank
    # window of a javascript: popup it was there, and only the sealed process stopped it.
    assert report["blank"] == report["nested_blank"] == "tried", report
    assert all(report[f] == "none" for f in FRAMES if "blank" not in f and f != "jspopup"), report
    assert listener.hits == set()
    assert trace.connects == [] and trace.sends == [] and trace.resolver == [], trace


def test_a_dapp_with_network_is_the_positive_control(env: Env, qtbot: QtBot, listener: Listener) -> None:
    report, trace = run_probe(env, qtbot, listener, ("storage", "network"),
                              frozenset(REACHED | {"webtransport"}))
    assert all(report[f] == "tried" for f in FRAMES), report
    assert listener.hits >= REACHED, sorted(REACHED - listener.hits)
    assert "webtransport" in listener.hits  # QUIC: UDP leaves this process (not WebRTC's)
    assert not any(case.startswith("stun_") for case in listener.hits)  # WebRTC's UDP: in neither
    assert trace.connects, trace  # strace sees what it is asked to see
    if system_resolves_names():
        assert trace.dns, trace


def system_resolves_names() -> bool:
    """Whether this machine looks names up beyond /etc/hosts at all (nsswitch's hosts line)."""
    try:
        lines = Path("/etc/nsswitch.conf").read_text().splitlines()
    except OSError:
        return True  # glibc's default asks DNS
    hosts = next((line.split(":", 1)[1] for line in lines if line.strip().startswith("hosts:")), "dns")
    return any(word in hosts.split() for word in ("dns", "resolve", "mdns4_minimal", "mdns_minimal"))
