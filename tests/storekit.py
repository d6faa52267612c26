"""Builds real store source trees for tests (valid PNGs, real release folders)."""

from __future__ import annotations

import functools
import http.server
import json
import struct
import threading
import time
import zlib
from pathlib import Path
from typing import Any


def png(width: int = 4, height: int = 4, rgb: tuple[int, int, int] = (30, 120, 200)) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


def app_meta(app_id: str, **over: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "name": {"en": app_id.split(".")[-1].title(), "zh_CN": "应用" + app_id.split(".")[-1]},
        "summary": {"en": f"Summary of {app_id}", "zh_CN": "简介"},
        "description": {"en": f"About {app_id}.", "zh_CN": "说明。"},
        "categories": ["tools"],
        "kind": "web",
        "developer": "Test Dev",
        "website": "https://example.org",
        "license": "MIT",
        "permissions": ["storage"],
        "releases": [{"version": "1.0.0", "date": "2026-01-02", "changelog": {"en": "First"}}],
    }
    meta.update(over)
    return meta


def write_app(src: Path, app_id: str, **over: Any) -> Path:
    d = src / "apps" / app_id
    (d / "screenshots").mkdir(parents=True, exist_ok=True)
    meta = app_meta(app_id, **over)
    (d / "app.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
    (d / "icon.png").write_bytes(png())
    (d / "screenshots" / "1.png").write_bytes(png(8, 6))
    (d / "screenshots" / "2.png").write_bytes(png(8, 6, (200, 50, 50)))
    for rel in meta.get("releases", []):
        write_release(src, app_id, rel["version"], meta.get("permissions", []))
    return d


def write_release(src: Path, app_id: str, version: str, perms: list[str] | None = None) -> Path:
    r = src / "apps" / app_id / "releases" / version
    r.mkdir(parents=True, exist_ok=True)
    manifest = {"id": app_id, "version": version, "entry": "index.html", "permissions": perms or []}
    (r / "dapp.json").write_text(json.dumps(manifest), "utf-8")
    (r / "index.html").write_text(f"<!doctype html><title>{app_id}</title><h1>{version}</h1>", "utf-8")
    return r


def add_release(src: Path, app_id: str, version: str, perms: list[str] | None = None,
                date: str = "2026-02-03") -> Path:
    """A new release of an app already in ``src``: its package asks for ``perms`` (default: the
    app's permissions as they are), and the app's ``permissions`` grow to include them. Older
    releases keep their packages."""
    meta_file = src / "apps" / app_id / "app.json"
    meta = json.loads(meta_file.read_text("utf-8"))
    perms = list(meta.get("permissions", [])) if perms is None else perms
    meta["permissions"] = list(dict.fromkeys([*meta.get("permissions", []), *perms]))
    meta["releases"] = [*meta["releases"], {"version": version, "date": date,
                                            "changelog": {"en": f"Version {version}"}}]
    meta_file.write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
    return write_release(src, app_id, version, perms)


def make_source(src: Path, app_ids: tuple[str, ...] = ("org.test.alpha", "org.test.beta"),
                store_id: str = "teststore") -> Path:
    src.mkdir(parents=True, exist_ok=True)
    (src / "store.json").write_text(json.dumps({
        "id": store_id,
        "name": {"en": "Test Store", "zh_CN": "测试商店"},
        "categories": {"tools": {"en": "Tools", "zh_CN": "工具"},
                       "games": {"en": "Games", "zh_CN": "游戏"}},
    }, ensure_ascii=False), "utf-8")
    for app_id in app_ids:
        write_app(src, app_id)
    return src


class SlowHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder, ``delay`` seconds late for every request (a slow store)."""

    delay = 0.4

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        time.sleep(self.delay)
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


def serve_slowly(directory: Path, delay: float) -> http.server.ThreadingHTTPServer:
    """A threaded server on 127.0.0.1 answering every request ``delay`` seconds late."""
    handler = type("Slow", (SlowHandler,), {"delay": delay})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
