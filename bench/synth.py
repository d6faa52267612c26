"""Synthetic stores for benchmarks: N apps with realistic text sizes, an icon and a package each."""

from __future__ import annotations

import hashlib
import random
import struct
import zlib
from pathlib import Path

from appstore.core.catalog.shards import APPS_PER_SHARD
from appstore.core.publish.builder import PublishResult, publish
from appstore.core.publish.keys import init_keys, load_keys
from appstore.core.publish.source import StoreContent

WORDS = [
    'ledger', 'chain', 'token', 'wallet', 'loan', 'bank', 'points', 'charity', 'donate',
    'parts', 'trace', 'bill', 'split', 'swap', 'game', 'puzzle', 'notes', 'hash', 'market',
    'price', 'exchange', 'clear', 'verify', 'supply', 'finance', 'credit', 'asset', 'vehicle',
    'mortgage', 'reward', 'share', 'forward', 'open', 'secure', 'fast', 'simple', 'smart',
    'digital',
]
ZH = [
    '链', '账', '币', '钱', '包', '贷', '款', '银', '行', '积', '分', '慈',
    '善', '捐', '零', '件', '溯', '源', '票', '据', '拆', '兑', '换', '游',
    '戏', '便', '签', '哈', '希', '行', '情',
]
CATEGORIES = ["finance", "supply-chain", "charity", "tools", "games"]


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _zh(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(ZH) for _ in range(n))


def png_icon(i: int, side: int = 64) -> bytes:
    """A real PNG (a plain square of a colour of its own), so the GUI decodes and keeps it."""
    rgb = bytes(((i * 37) % 256, (i * 91) % 256, (i * 53 + 80) % 256))
    raw = (b"\x00" + rgb * side) * side

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def synthetic_content(n: int, seed: int = 1, *, png_icons: bool = False) -> StoreContent:
    """``png_icons``: real images (the GUI's memory benchmark), else 12-byte stand-ins."""
    rng = random.Random(seed)
    apps = []
    files: dict[str, bytes] = {}
    for i in range(n):
        app_id = f"org.bench.app{i}"
        icon = f"icons/{app_id}.png"
        package = f"packages/{app_id}/{app_id}-1.0.{i % 7}.zip"
        files[icon] = png_icon(i) if png_icons else b"\x89PNG\r\n\x1a\n" + i.to_bytes(4, "big")
        blob = b"PK" + hashlib.sha256(app_id.encode()).digest()
        files[package] = blob
        apps.append({
            "id": app_id,
            "name": {"en": f"{_text(rng, 2).title()} {i}", "zh_CN": _zh(rng, 4)},
            "summary": {"en": _text(rng, 12), "zh_CN": _zh(rng, 16)},
            "description": {"en": _text(rng, 60), "zh_CN": _zh(rng, 80)},
            "categories": [rng.choice(CATEGORIES)],
            "kind": "web",
            "icon": icon,
            "screenshots": [],
            "developer": f"Dev {i % 500}",
            "website": "https://example.org",
            "license": "MIT",
            "permissions": ["storage"],
            "featured": i % 97 == 0,
            "releases": [{"version": f"1.0.{i % 7}", "package": package, "size": len(blob),
                          "sha256": hashlib.sha256(blob).hexdigest(), "date": "2026-01-01",
                          "changelog": {"en": _text(rng, 8)}}],
        })
    catalog = {"format": 1, "store": {"id": "bench", "name": {"en": "Bench"}},
               "categories": {c: {"en": c.title()} for c in CATEGORIES}, "apps": apps}
    return StoreContent(catalog, files)


def synthetic_store(n: int, cache: Path, *, png_icons: bool = False) -> tuple[Path, PublishResult]:
    """Publish (once, cached on disk) a store of n apps; returns its folder and result."""
    out = cache / f"store-{n}-{APPS_PER_SHARD}"  # published again if the shard size changes
    if png_icons:
        out = out.with_name(out.name + "-png")
    keys_dir = cache / f"keys-{n}"
    keys = load_keys(keys_dir) if (keys_dir / "root.pem").exists() else init_keys(keys_dir)
    fresh = (out / "metadata" / "timestamp.json").exists() and (out / "targets" / "catalog"
                                                                 / "shards").is_dir()
    # (a store from before shards: again)
    content = None if fresh else synthetic_content(n, png_icons=png_icons)
    return out, publish(content, out, keys)


def change_one_app(n: int, out: Path, cache: Path, summary: str) -> PublishResult:
    """Publish the store of ``synthetic_store(n, cache)`` again with one app's summary changed."""
    content = synthetic_content(n)
    content.catalog["apps"][n // 2]["summary"]["en"] = summary
    return publish(content, out, load_keys(cache / f"keys-{n}"))
