"""A real HTTP proxy on 127.0.0.1 in front of a real IA service, that fails on purpose: answers
a status of its own (500 ``internal``, 503, 429 with ``Retry-After``) with or without passing
the request on, passes it on and then drops the connection (the service committed, the app
got nothing), or holds it (past the app's timeout, or until the test kills the app).

    proxy = IAProxy()                                   # the policy names proxy.base
    proxy.upstream = service.url
    proxy.set("/v1/claims", forward=True, answer=False)  # committed, then the connection drops
    ...
    assert proxy.forwarded("/v1/claims") == 1

A rule applies to the paths that start with its prefix, ``times`` times (None: always); then
requests pass through. ``arrived`` is set when a rule is applied; ``release`` ends a hold early.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import socket
import threading
from dataclasses import dataclass, field
from typing import Any

import requests


@dataclass
class Rule:
    forward: bool = True  # the request reaches the service...
    answer: bool = True  # ...and its answer reaches the app (False: the connection is dropped)
    status: int | None = None  # answer this status instead (after passing it on if forward)
    error: tuple[str, str] | None = None  # the body's {"error": {"code", "message"}}...
    body: bytes = b"unavailable"  # ...or, without one, this (not the service's JSON)
    headers: dict[str, str] = field(default_factory=dict)
    hold: float = 0.0  # seconds to hold the request first (or until ``release``)
    times: int | None = 1
    used: int = 0


@dataclass
class Hit:
    method: str
    path: str
    forwarded: bool
    status: int  # what the app got (0: nothing, the connection was dropped)


class IAProxy:
    def __init__(self) -> None:
        self.upstream = ""
        self.rules: dict[str, Rule] = {}
        self.hits: list[Hit] = []
        self.arrived = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"owner": self})
        self.httpd = _Server(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="ia-proxy", daemon=True)
        self._thread.start()

    def set(self, prefix: str, **kw: Any) -> Rule:
        rule = Rule(**kw)
        with self._lock:
            self.rules[prefix] = rule
            self.arrived.clear()
            self.release.clear()
        return rule

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()
        self.release.set()  # whatever is held goes on

    def requests(self, prefix: str = "") -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.path.startswith(prefix)]

    def forwarded(self, prefix: str = "") -> int:
        return sum(h.forwarded for h in self.requests(prefix))

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(5)

    def _rule(self, path: str) -> Rule | None:
        with self._lock:
            for prefix, rule in self.rules.items():
                if path.startswith(prefix) and (rule.times is None or rule.used < rule.times):
                    rule.used += 1
                    return rule
        return None


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the app went away (killed, timed out): nothing to say


class _Handler(http.server.BaseHTTPRequestHandler):
    owner: IAProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self._handle()

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        self._handle()

    def _handle(self) -> None:
        proxy = self.owner
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        rule = proxy._rule(self.path)
        if rule is not None:
            proxy.arrived.set()
        upstream = None
        if rule is None or rule.forward:
            upstream = requests.request(self.command, proxy.upstream + self.path, data=body or None,
                                        headers={"Content-Type": "application/json"}, timeout=30)
        hit = Hit(self.command, self.path, upstream is not None, 0)
        with proxy._lock:
            proxy.hits.append(hit)  # (now: the service has it, whatever the app gets)
        if rule is not None and rule.hold:
            proxy.release.wait(rule.hold)
        if rule is not None and rule.status is not None:
            hit.status = rule.status
            data = rule.body if rule.error is None else json.dumps(
                {"error": {"code": rule.error[0], "message": rule.error[1]}}).encode()
            self._send(rule.status, data, rule.headers)
        elif upstream is not None and (rule is None or rule.answer):
            hit.status = upstream.status_code
            passed = {k: v for k, v in upstream.headers.items() if k.lower() == "retry-after"}
            self._send(upstream.status_code, upstream.content, passed)
        else:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)  # nothing comes back

    def _send(self, status: int, data: bytes, headers: dict[str, str]) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            return  # the app is gone
